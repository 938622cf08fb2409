//! French and English formatting of amounts, dates and labels.
//!
//! French typography groups thousands with a narrow no-break space (U+202F)
//! and puts a no-break space (U+00A0) before the currency symbol, so an
//! amount never breaks across two lines of an e-mail. Terminals and `grep`
//! prefer plain spaces: [`plain_spaces`] converts for them.

use crate::domain::{Channel, Currency, Language, Stage, Tone};
use chrono::{Datelike, NaiveDate, Weekday};
use rust_decimal::{Decimal, RoundingStrategy};

/// U+202F NARROW NO-BREAK SPACE: the French thousands separator.
pub const NNBSP: char = '\u{202F}';
/// U+00A0 NO-BREAK SPACE: between an amount and its currency symbol.
pub const NBSP: char = '\u{A0}';

/// An amount with its currency, rounded to cents (half away from zero, as
/// accountants round): Fr `2 400,00 €`, En `€2,400.00`.
///
/// In English a symbol goes before the amount (`$1,200.00`) and a code after
/// it (`1,200.00 CHF`); in French both go after.
pub fn money(amount: Decimal, currency: Currency, lang: Language) -> String {
    let (negative, digits) = number_parts(amount, lang);
    let sign = if negative { "-" } else { "" };
    let symbol = currency.symbol();
    match lang {
        Language::Fr => format!("{sign}{digits}{NBSP}{symbol}"),
        Language::En if symbol.chars().all(|c| c.is_ascii_alphabetic()) => format!("{sign}{digits}{NBSP}{symbol}"),
        Language::En => format!("{sign}{symbol}{digits}"),
    }
}

/// An amount without currency, for tables whose rows name the currency:
/// Fr `2 400,00`, En `2,400.00`.
pub fn number(amount: Decimal, lang: Language) -> String {
    let (negative, digits) = number_parts(amount, lang);
    if negative {
        format!("-{digits}")
    } else {
        digits
    }
}

/// Rounds to two decimals and groups the integer part. Returns the sign
/// apart, so a value that rounds to zero never prints as `-0,00`.
fn number_parts(amount: Decimal, lang: Language) -> (bool, String) {
    let mut rounded = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    let negative = rounded < Decimal::ZERO;
    rounded.rescale(2);
    let text = rounded.abs().to_string();
    let (int_part, cents) = text.split_once('.').unwrap_or((text.as_str(), "00"));
    let (group_sep, decimal_sep) = match lang {
        Language::Fr => (NNBSP, ','),
        Language::En => (',', '.'),
    };
    (negative, format!("{}{decimal_sep}{cents}", group_thousands(int_part, group_sep)))
}

/// `1234567` → `1 234 567` with the given separator.
fn group_thousands(digits: &str, sep: char) -> String {
    let len = digits.len();
    let mut out = String::with_capacity(len + len / 3 * sep.len_utf8());
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (len - i) % 3 == 0 {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// Replaces the no-break spaces by plain ones: what terminal users grep for.
pub fn plain_spaces(s: &str) -> String {
    s.replace([NNBSP, NBSP], " ")
}

/// A short date: Fr `16/03/2026`, En `16 Mar 2026` (day first, never the
/// ambiguous `03/16`).
pub fn date(d: NaiveDate, lang: Language) -> String {
    match lang {
        Language::Fr => d.format("%d/%m/%Y").to_string(),
        Language::En => format!("{} {} {}", d.day(), &MONTHS_EN[d.month0() as usize][..3], d.year()),
    }
}

/// A date in words: Fr `lundi 16 mars 2026` (`1er` for the first of the
/// month, as French writes it), En `Monday 16 March 2026`.
pub fn date_long(d: NaiveDate, lang: Language) -> String {
    let month = d.month0() as usize;
    match lang {
        Language::Fr => {
            let day = if d.day() == 1 { "1er".to_string() } else { d.day().to_string() };
            format!("{} {day} {} {}", weekday_fr(d.weekday()), MONTHS_FR[month], d.year())
        }
        Language::En => format!("{} {} {} {}", weekday_en(d.weekday()), d.day(), MONTHS_EN[month], d.year()),
    }
}

const MONTHS_FR: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn weekday_fr(w: Weekday) -> &'static str {
    match w {
        Weekday::Mon => "lundi",
        Weekday::Tue => "mardi",
        Weekday::Wed => "mercredi",
        Weekday::Thu => "jeudi",
        Weekday::Fri => "vendredi",
        Weekday::Sat => "samedi",
        Weekday::Sun => "dimanche",
    }
}

fn weekday_en(w: Weekday) -> &'static str {
    match w {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

/// The stage as finance teams name it.
pub fn stage_label(stage: Stage, lang: Language) -> &'static str {
    match (lang, stage) {
        (Language::Fr, Stage::PreDue) => "Relance préventive",
        (Language::Fr, Stage::First) => "1re relance",
        (Language::Fr, Stage::Second) => "2e relance",
        (Language::Fr, Stage::Final) => "Relance avant contentieux",
        (Language::Fr, Stage::FormalNotice) => "Mise en demeure",
        (Language::En, Stage::PreDue) => "Pre-due reminder",
        (Language::En, Stage::First) => "First reminder",
        (Language::En, Stage::Second) => "Second reminder",
        (Language::En, Stage::Final) => "Final reminder",
        (Language::En, Stage::FormalNotice) => "Formal notice",
    }
}

/// The tone, as an adjective for the digest ("ton courtois").
pub fn tone_label(tone: Tone, lang: Language) -> &'static str {
    match (lang, tone) {
        (Language::Fr, Tone::Friendly) => "amical",
        (Language::Fr, Tone::Courteous) => "courtois",
        (Language::Fr, Tone::Firm) => "ferme",
        (Language::Fr, Tone::PreLitigation) => "précontentieux",
        (Language::Fr, Tone::Formal) => "formel",
        (Language::En, Tone::Friendly) => "friendly",
        (Language::En, Tone::Courteous) => "courteous",
        (Language::En, Tone::Firm) => "firm",
        (Language::En, Tone::PreLitigation) => "pre-litigation",
        (Language::En, Tone::Formal) => "formal",
    }
}

/// The channel; a letter is always registered (it is the proof of the formal notice).
pub fn channel_label(channel: Channel, lang: Language) -> &'static str {
    match (lang, channel) {
        (_, Channel::Email) => "e-mail",
        (_, Channel::Sms) => "SMS",
        (Language::Fr, Channel::Letter) => "courrier recommandé",
        (Language::En, Channel::Letter) => "registered letter",
    }
}

/// A list in prose: Fr `a, b et c`, En `a, b and c`.
pub fn join_words(items: &[String], lang: Language) -> String {
    let and = match lang {
        Language::Fr => " et ",
        Language::En => " and ",
    };
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{}{and}{last}", init.join(", ")),
    }
}

/// At most `max` characters, the last one `…` when something was cut: what
/// every renderer does to a name, a preview or a label that may be too long
/// for its platform.
pub fn truncate_chars(text: &str, max: usize) -> String {
    truncate_chars_mended(text, max, |_| {})
}

/// [`truncate_chars`] on text already escaped for some markup: `mend` gets
/// the kept characters before the `…` is added, to drop what the cut left
/// half done (half an entity, a lone escaping backslash).
pub fn truncate_chars_mended(text: &str, max: usize, mend: impl FnOnce(&mut String)) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut kept: String = text.chars().take(max.saturating_sub(1)).collect();
    mend(&mut kept);
    kept.push('…');
    kept
}

/// Whitespace (line breaks included) collapsed to single spaces, so a
/// preview or a name stays on one line.
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn usd() -> Currency {
        Currency::parse("USD").unwrap()
    }

    fn chf() -> Currency {
        Currency::parse("CHF").unwrap()
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn french_amounts_use_narrow_spaces_and_a_decimal_comma() {
        assert_eq!(money(dec!(2400), Currency::EUR, Language::Fr), "2\u{202F}400,00\u{A0}€");
        assert_eq!(money(dec!(0), Currency::EUR, Language::Fr), "0,00\u{A0}€");
        assert_eq!(money(dec!(1000000.50), Currency::EUR, Language::Fr), "1\u{202F}000\u{202F}000,50\u{A0}€");
        assert_eq!(money(dec!(999.99), Currency::EUR, Language::Fr), "999,99\u{A0}€");
        assert_eq!(money(dec!(1200), usd(), Language::Fr), "1\u{202F}200,00\u{A0}$");
        assert_eq!(money(dec!(1200), chf(), Language::Fr), "1\u{202F}200,00\u{A0}CHF");
    }

    #[test]
    fn amounts_round_half_away_from_zero_to_cents() {
        assert_eq!(money(dec!(10.005), Currency::EUR, Language::Fr), "10,01\u{A0}€");
        assert_eq!(money(dec!(10.004), Currency::EUR, Language::Fr), "10,00\u{A0}€");
        assert_eq!(money(dec!(-10.005), Currency::EUR, Language::Fr), "-10,01\u{A0}€");
        assert_eq!(money(dec!(999.995), Currency::EUR, Language::Fr), "1\u{202F}000,00\u{A0}€");
    }

    #[test]
    fn negative_amounts_lead_with_a_minus_and_minus_zero_does_not_exist() {
        assert_eq!(money(dec!(-2400), Currency::EUR, Language::Fr), "-2\u{202F}400,00\u{A0}€");
        assert_eq!(money(dec!(-2400), Currency::EUR, Language::En), "-€2,400.00");
        assert_eq!(money(dec!(-0.001), Currency::EUR, Language::Fr), "0,00\u{A0}€");
    }

    #[test]
    fn english_amounts_put_symbols_first_and_codes_last() {
        assert_eq!(money(dec!(2400), Currency::EUR, Language::En), "€2,400.00");
        assert_eq!(money(dec!(1200), usd(), Language::En), "$1,200.00");
        assert_eq!(money(dec!(1200), chf(), Language::En), "1,200.00\u{A0}CHF");
        assert_eq!(money(dec!(1000000.5), Currency::EUR, Language::En), "€1,000,000.50");
    }

    #[test]
    fn bare_numbers_for_tables() {
        assert_eq!(number(dec!(12345.6), Language::Fr), "12\u{202F}345,60");
        assert_eq!(number(dec!(-12345.6), Language::En), "-12,345.60");
    }

    #[test]
    fn plain_spaces_is_what_terminals_get() {
        assert_eq!(plain_spaces(&money(dec!(1000000.5), Currency::EUR, Language::Fr)), "1 000 000,50 €");
    }

    #[test]
    fn dates_short_and_long() {
        assert_eq!(date(d(2026, 3, 16), Language::Fr), "16/03/2026");
        assert_eq!(date(d(2026, 3, 16), Language::En), "16 Mar 2026");
        assert_eq!(date_long(d(2026, 3, 16), Language::Fr), "lundi 16 mars 2026");
        assert_eq!(date_long(d(2026, 3, 16), Language::En), "Monday 16 March 2026");
        assert_eq!(date_long(d(2026, 8, 1), Language::Fr), "samedi 1er août 2026");
        assert_eq!(date_long(d(2026, 2, 1), Language::En), "Sunday 1 February 2026");
    }

    #[test]
    fn labels() {
        assert_eq!(stage_label(Stage::First, Language::Fr), "1re relance");
        assert_eq!(stage_label(Stage::FormalNotice, Language::En), "Formal notice");
        assert_eq!(tone_label(Tone::PreLitigation, Language::Fr), "précontentieux");
        assert_eq!(channel_label(Channel::Letter, Language::Fr), "courrier recommandé");
        assert_eq!(channel_label(Channel::Email, Language::En), "e-mail");
    }

    #[test]
    fn word_lists() {
        let items: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        assert_eq!(join_words(&items, Language::Fr), "a, b et c");
        assert_eq!(join_words(&items[..1], Language::En), "a");
        assert_eq!(join_words(&items[..2], Language::En), "a and b");
    }

    #[test]
    fn cut_text_ends_with_an_ellipsis_within_the_bound() {
        assert_eq!(truncate_chars("Garage Martin", 13), "Garage Martin");
        assert_eq!(truncate_chars("Garage Martin", 7), "Garage…");
        assert_eq!(truncate_chars("éèà", 2), "é…");
        let drop_backslash = |kept: &mut String| {
            if kept.ends_with('\\') {
                kept.pop();
            }
        };
        assert_eq!(truncate_chars_mended("ab\\*cd", 4, drop_backslash), "ab…");
        assert_eq!(one_line(" Bonjour,\n\n  sauf erreur\t"), "Bonjour, sauf erreur");
    }
}
