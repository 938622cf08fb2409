//! Text for the PDF standard Helvetica: WinAnsi bytes and their widths.
//!
//! Helvetica is one of the fourteen fonts every PDF reader carries, so the
//! letter embeds no font file. With `/WinAnsiEncoding` (Windows-1252) it
//! covers every French letter (é è ê ë à â ç ô û ù ï î œ, capitals too), the
//! typographic quotes and the € sign. Wrapping a paragraph needs each
//! glyph's width: the tables below are Adobe's Helvetica and Helvetica-Bold
//! metrics (AFM `WX`, thousandths of the font size) for codes 32 to 255.

use unicode_normalization::UnicodeNormalization;

/// The two faces the letter uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Face {
    Regular,
    Bold,
}

impl Face {
    /// The font's PostScript name, as `/BaseFont` wants it.
    pub(crate) fn base_font(self) -> &'static [u8] {
        match self {
            Face::Regular => b"Helvetica",
            Face::Bold => b"Helvetica-Bold",
        }
    }

    /// The widths of codes 32 to 255, in thousandths of the font size.
    pub(crate) fn widths(self) -> &'static [u16; 224] {
        match self {
            Face::Regular => &HELVETICA,
            Face::Bold => &HELVETICA_BOLD,
        }
    }
}

/// The first code in the width tables (the space).
pub(crate) const FIRST_CODE: u8 = 32;

/// Encodes text in WinAnsi. Narrow and thin spaces become the no-break
/// space (French amounts are grouped with U+202F, which Windows-1252 lacks);
/// a letter outside Windows-1252 falls back to its unaccented base when it
/// has one (`ő` → `o`, `ș` → `s`). Anything else is returned as the error:
/// a legal letter should not print a `?` in a name.
pub(crate) fn encode(text: &str) -> Result<Vec<u8>, char> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        let c = substitute(c);
        if c.is_control() {
            continue;
        }
        match byte(c).or_else(|| base_letter(c).and_then(byte)) {
            Some(b) => out.push(b),
            None => return Err(c),
        }
    }
    Ok(out)
}

/// The width of WinAnsi text set at `size` points, in points.
pub(crate) fn width(text: &[u8], face: Face, size: f32) -> f32 {
    let table = face.widths();
    let units: u32 =
        text.iter().map(|&b| u32::from(b.checked_sub(FIRST_CODE).map_or(0, |i| table[usize::from(i)]))).sum();
    units as f32 * size / 1000.0
}

/// Characters French text uses that Windows-1252 spells otherwise.
fn substitute(c: char) -> char {
    match c {
        '\u{202F}' | '\u{2009}' | '\u{2007}' => '\u{A0}',
        '\u{2010}' | '\u{2011}' | '\u{2212}' => '-',
        '\t' => ' ',
        _ => c,
    }
}

/// The Windows-1252 byte of a character, if it has one.
fn byte(c: char) -> Option<u8> {
    let code = u32::from(c);
    if (0x20..0x7F).contains(&code) || (0xA0..=0xFF).contains(&code) {
        return u8::try_from(code).ok();
    }
    HIGH_CODES.iter().find(|(_, ch)| *ch == c).map(|(b, _)| *b)
}

/// The first character of the canonical decomposition: `ő` → `o`.
fn base_letter(c: char) -> Option<char> {
    std::iter::once(c).nfd().next().filter(|&base| base != c)
}

/// Windows-1252 codes 0x80 to 0x9F, where it departs from Latin-1.
const HIGH_CODES: [(u8, char); 27] = [
    (0x80, '€'),
    (0x82, '‚'),
    (0x83, 'ƒ'),
    (0x84, '„'),
    (0x85, '…'),
    (0x86, '†'),
    (0x87, '‡'),
    (0x88, 'ˆ'),
    (0x89, '‰'),
    (0x8A, 'Š'),
    (0x8B, '‹'),
    (0x8C, 'Œ'),
    (0x8E, 'Ž'),
    (0x91, '‘'),
    (0x92, '’'),
    (0x93, '“'),
    (0x94, '”'),
    (0x95, '•'),
    (0x96, '–'),
    (0x97, '—'),
    (0x98, '˜'),
    (0x99, '™'),
    (0x9A, 'š'),
    (0x9B, '›'),
    (0x9C, 'œ'),
    (0x9E, 'ž'),
    (0x9F, 'Ÿ'),
];

/// Helvetica, codes 32–255 in WinAnsi order (0 where the code is unused).
#[rustfmt::skip]
const HELVETICA: [u16; 224] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, 0,
    556, 0, 222, 556, 333, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0,
    0, 222, 222, 333, 333, 350, 556, 1000, 333, 1000, 500, 333, 944, 0, 500, 667,
    278, 333, 556, 556, 556, 556, 260, 556, 333, 737, 370, 556, 584, 333, 737, 333,
    400, 584, 333, 333, 333, 556, 537, 278, 333, 333, 365, 556, 834, 834, 834, 611,
    667, 667, 667, 667, 667, 667, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278,
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611,
    556, 556, 556, 556, 556, 556, 889, 500, 556, 556, 556, 556, 278, 278, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 584, 611, 556, 556, 556, 556, 500, 556, 500,
];

/// Helvetica-Bold, codes 32–255 in WinAnsi order (0 where the code is unused).
#[rustfmt::skip]
const HELVETICA_BOLD: [u16; 224] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
    975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
    333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
    611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584, 0,
    556, 0, 278, 556, 500, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0,
    0, 278, 278, 500, 500, 350, 556, 1000, 333, 1000, 556, 333, 944, 0, 500, 667,
    278, 333, 556, 556, 556, 556, 280, 556, 333, 737, 370, 556, 584, 333, 737, 333,
    400, 584, 333, 333, 333, 611, 556, 278, 333, 333, 365, 556, 834, 834, 834, 611,
    722, 722, 722, 722, 722, 722, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278,
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611,
    556, 556, 556, 556, 556, 556, 889, 556, 556, 556, 556, 556, 278, 278, 278, 278,
    611, 611, 611, 611, 611, 611, 611, 584, 611, 611, 611, 611, 611, 556, 611, 556,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_letters_and_the_euro_sign_have_their_winansi_codes() {
        assert_eq!(
            encode("é à ç œ € ’ « »").unwrap(),
            [0xE9, 32, 0xE0, 32, 0xE7, 32, 0x9C, 32, 0x80, 32, 0x92, 32, 0xAB, 32, 0xBB]
        );
        assert_eq!(
            encode("ÉÈÊËÀÂÇÔÛÙÏÎŒŸ").unwrap(),
            [0xC9, 0xC8, 0xCA, 0xCB, 0xC0, 0xC2, 0xC7, 0xD4, 0xDB, 0xD9, 0xCF, 0xCE, 0x8C, 0x9F]
        );
    }

    #[test]
    fn french_amount_spaces_become_no_break_spaces() {
        assert_eq!(encode("2\u{202F}400,00\u{A0}€").unwrap(), b"2\xA0400,00\xA0\x80");
    }

    #[test]
    fn letters_outside_windows_1252_fall_back_to_their_base_or_are_refused() {
        assert_eq!(encode("Łódź Şahin Dvořák").unwrap_err(), 'Ł');
        assert_eq!(encode("Şahin Dvořák").unwrap(), b"Sahin Dvor\xE1k");
        assert_eq!(encode("株式会社").unwrap_err(), '株');
    }

    #[test]
    fn widths_follow_the_helvetica_metrics() {
        // "Il" = 278 + 222 thousandths; at 10 pt that is 5 pt.
        assert!((width(b"Il", Face::Regular, 10.0) - 5.0).abs() < 1e-4);
        // Bold is wider: l is 278 in Helvetica-Bold.
        assert!((width(b"Il", Face::Bold, 10.0) - 5.56).abs() < 1e-4);
        // The euro sign (0x80) and the no-break space (0xA0) have real widths.
        assert!((width(b"\x80\xA0", Face::Regular, 1000.0) - 834.0).abs() < 1e-3);
    }
}
