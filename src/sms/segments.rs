//! How many SMS a text costs, and in which encoding it travels.
//!
//! Operators bill per segment, and the encoding decides a segment's size: a
//! text entirely in the GSM 03.38 alphabet (3GPP TS 23.038) goes as 7-bit
//! units, 160 in a single message; one character outside it (`ê`, `ç`, `’`,
//! an emoji) switches the whole text to UCS-2, 70 UTF-16 units. A text too
//! long for one message is split into concatenated segments, each losing room
//! to its header: 153 units in GSM-7, 67 in UCS-2.
//!
//! Two details make the count differ from `chars().count()`:
//! - the extension table's characters (`€ ^ { } [ ] ~ \ |` and form feed)
//!   are an escape plus a code, 2 units; an escape pair is never split
//!   across two segments, so a segment may end one unit short;
//! - in UCS-2, a character beyond the Basic Multilingual Plane (an emoji) is
//!   a surrogate pair, 2 units, kept whole in one segment likewise.

use crate::domain::Language;
use std::fmt;

/// Units in a single, unsplit message.
const SINGLE_GSM7: usize = 160;
const SINGLE_UCS2: usize = 70;
/// Units per segment of a concatenated message (the rest carries the UDH).
const SEGMENT_GSM7: usize = 153;
const SEGMENT_UCS2: usize = 67;

/// The GSM 03.38 basic character set, in code order (0x00–0x7F), with the
/// escape (0x1B) left out: one unit each. Note `Ç` is here but not `ç`, `é`
/// and `É` but not `ê`, `à` but not `â`.
const GSM7_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

/// The extension table: escape + code, two units each.
const GSM7_EXTENSION: &str = "\u{000C}^{}\\[~]|€";

/// The encoding a text is sent in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// 7-bit GSM 03.38 units: 160 a message, 153 a segment.
    Gsm7,
    /// UTF-16 code units: 70 a message, 67 a segment.
    Ucs2,
}

impl Encoding {
    /// The name people know it by, the same in French and English.
    pub fn as_str(&self) -> &'static str {
        match self {
            Encoding::Gsm7 => "GSM-7",
            Encoding::Ucs2 => "UCS-2",
        }
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a text costs: its encoding, the number of segments billed, and the
/// units it takes (septets in GSM-7, UTF-16 code units in UCS-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segments {
    pub encoding: Encoding,
    /// Messages billed; 0 for an empty text, which is not sent at all.
    pub count: usize,
    pub units: usize,
}

/// Counts the segments `text` is sent as.
pub fn segments(text: &str) -> Segments {
    let gsm: Option<Vec<usize>> = text.chars().map(gsm7_units).collect();
    let (encoding, sizes) = match gsm {
        Some(sizes) => (Encoding::Gsm7, sizes),
        None => (Encoding::Ucs2, text.chars().map(char::len_utf16).collect()),
    };
    let units = sizes.iter().sum();
    let (single, per_segment) = match encoding {
        Encoding::Gsm7 => (SINGLE_GSM7, SEGMENT_GSM7),
        Encoding::Ucs2 => (SINGLE_UCS2, SEGMENT_UCS2),
    };
    let count = match units {
        0 => 0,
        u if u <= single => 1,
        _ => pack(&sizes, per_segment),
    };
    Segments { encoding, count, units }
}

/// The heading of an SMS in a preview: "SMS (2 segments, GSM-7) :" in
/// French (with the space before the colon), "SMS (1 segment, UCS-2):" in
/// English.
pub fn heading(s: &Segments, lang: Language) -> String {
    let plural = if s.count == 1 { "" } else { "s" };
    let colon = match lang {
        Language::Fr => " :",
        Language::En => ":",
    };
    format!("SMS ({} segment{plural}, {}){colon}", s.count, s.encoding)
}

/// Units of `c` in GSM-7, or `None` when the alphabet lacks it.
fn gsm7_units(c: char) -> Option<usize> {
    if GSM7_BASIC.contains(c) {
        Some(1)
    } else if GSM7_EXTENSION.contains(c) {
        Some(2)
    } else {
        None
    }
}

/// Segments needed for characters of `sizes` units, filled in order, a
/// character never straddling two segments.
fn pack(sizes: &[usize], per_segment: usize) -> usize {
    let mut count = 1;
    let mut used = 0;
    for &size in sizes {
        if used + size > per_segment {
            count += 1;
            used = 0;
        }
        used += size;
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gsm(count: usize, units: usize) -> Segments {
        Segments { encoding: Encoding::Gsm7, count, units }
    }

    fn ucs2(count: usize, units: usize) -> Segments {
        Segments { encoding: Encoding::Ucs2, count, units }
    }

    #[test]
    fn the_alphabet_has_128_codes_with_the_escape() {
        assert_eq!(GSM7_BASIC.chars().count(), 127);
        assert_eq!(GSM7_EXTENSION.chars().count(), 10);
    }

    #[test]
    fn lengths_around_the_limits() {
        assert_eq!(segments(""), gsm(0, 0));
        assert_eq!(segments("Bonjour"), gsm(1, 7));
        for (len, count) in [(160, 1), (161, 2), (306, 2), (307, 3)] {
            assert_eq!(segments(&"a".repeat(len)), gsm(count, len), "{len} characters");
        }
    }

    #[test]
    fn the_accents_of_the_basic_set_stay_in_gsm7() {
        for c in ['é', 'è', 'ù', 'à', 'ì', 'ò', 'É', 'Ä', 'Ö', 'Ñ', 'Ü', 'ß', 'Ç', 'ä', 'ö', 'ñ', 'ü', 'Ø', 'Å', 'æ']
        {
            assert_eq!(segments(&c.to_string()), gsm(1, 1), "{c}");
        }
        assert_eq!(segments("Réglé à échéance, reçu"), ucs2(1, 22), "ç is not in the basic set");
        assert_eq!(segments("Réglé à échéance, Reçu".replace('ç', "Ç").as_str()), gsm(1, 22), "Ç is");
    }

    #[test]
    fn characters_outside_the_alphabet_switch_to_ucs2() {
        for c in ['ê', 'ç', 'â', 'î', 'ô', 'û', 'ë', 'œ', 'È', '’', '«', '–', '…', '\u{A0}', '`'] {
            assert_eq!(segments(&format!("Fenetre {c}")).encoding, Encoding::Ucs2, "{c:?}");
        }
        assert_eq!(segments("Fenêtre"), ucs2(1, 7));
    }

    #[test]
    fn the_extension_table_counts_two_units() {
        assert_eq!(segments("€"), gsm(1, 2));
        assert_eq!(segments("Reste 2 400,00 € à payer"), gsm(1, 25));
        assert_eq!(segments("^{}\\[~]|"), gsm(1, 16));
        // 80 euro signs are 160 units, one message; one more needs two segments.
        assert_eq!(segments(&"€".repeat(80)), gsm(1, 160));
        assert_eq!(segments(&"€".repeat(81)), gsm(2, 162));
    }

    #[test]
    fn an_escape_pair_is_never_split_across_segments() {
        // 152 letters then a euro sign: the sign would straddle units 153 and
        // 154, so it opens the second segment.
        let text = format!("{}€{}", "a".repeat(152), "a".repeat(153));
        assert_eq!(segments(&text), gsm(3, 307));
        let fits = format!("{}€{}", "a".repeat(151), "a".repeat(153));
        assert_eq!(segments(&fits), gsm(2, 306));
    }

    #[test]
    fn ucs2_limits_are_70_and_67() {
        let e = |n: usize| "ê".repeat(n);
        assert_eq!(segments(&e(70)), ucs2(1, 70));
        assert_eq!(segments(&e(71)), ucs2(2, 71));
        assert_eq!(segments(&e(134)), ucs2(2, 134));
        assert_eq!(segments(&e(135)), ucs2(3, 135));
    }

    #[test]
    fn an_emoji_is_two_units_and_kept_whole() {
        assert_eq!(segments("Merci 🙂"), ucs2(1, 8));
        assert_eq!(segments(&"🙂".repeat(35)), ucs2(1, 70));
        // 66 units then an emoji: the pair cannot fit in the first segment's last unit.
        let text = format!("{}🙂{}", "ê".repeat(66), "ê".repeat(67));
        assert_eq!(segments(&text), ucs2(3, 135));
    }

    #[test]
    fn french_text_made_gsm_friendly_stays_in_gsm7() {
        let raw = "Fenêtre, reçu, cœur – l’été, Noël, août, maïs, « oui », 2\u{202F}400,00\u{A0}€ à Évreux…";
        assert_eq!(segments(raw).encoding, Encoding::Ucs2);
        assert_eq!(segments(&crate::render::message::gsm_friendly(raw)).encoding, Encoding::Gsm7);
    }

    #[test]
    fn headings_in_both_languages() {
        assert_eq!(heading(&gsm(2, 200), Language::Fr), "SMS (2 segments, GSM-7) :");
        assert_eq!(heading(&gsm(2, 200), Language::En), "SMS (2 segments, GSM-7):");
        assert_eq!(heading(&ucs2(1, 12), Language::Fr), "SMS (1 segment, UCS-2) :");
        assert_eq!(heading(&ucs2(1, 12), Language::En), "SMS (1 segment, UCS-2):");
    }
}
