//! Bytes to text: UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode
//! text"), or Windows-1252 (Excel FR's "CSV (séparateur: point-virgule)").
//!
//! Windows-1252 is the fallback, not a guess: every byte sequence is valid
//! in it, and a file that is not valid UTF-8 almost always comes from a
//! French Windows machine. UTF-8 is decoded without copying.

use encoding_rs::{Encoding, WINDOWS_1252};
use std::borrow::Cow;

/// The file's text, without its byte-order mark.
pub fn decode(bytes: &[u8]) -> Cow<'_, str> {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        return text;
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => WINDOWS_1252.decode_without_bom_handling(bytes).0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_is_borrowed_as_is() {
        let text = decode("Société Générale;2 400,00 €".as_bytes());
        assert!(matches!(text, Cow::Borrowed(_)));
        assert_eq!(text, "Société Générale;2 400,00 €");
    }

    #[test]
    fn utf8_bom_is_dropped() {
        assert_eq!(decode(b"\xEF\xBB\xBFclient_id;name"), "client_id;name");
    }

    #[test]
    fn windows_1252_from_excel_fr() {
        // "Société Générale;2 400,00 €" as Excel FR saves it: é = 0xE9, € = 0x80.
        let bytes = b"Soci\xE9t\xE9 G\xE9n\xE9rale;2 400,00 \x80";
        assert_eq!(decode(bytes), "Société Générale;2 400,00 €");
    }

    #[test]
    fn utf16_little_endian_with_bom() {
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend("Hélène".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(decode(&bytes), "Hélène");
    }
}
