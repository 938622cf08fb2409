//! Breaking a line of WinAnsi text to a width, the way a typist would.

use super::winansi::{width, Face};

/// A wrapped line and its offset from the paragraph's left edge.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Wrapped {
    pub indent: f32,
    pub text: Vec<u8>,
}

/// Greedy word wrap. Lines after the first are indented by `hang`.
///
/// Lines break at ordinary spaces only: never at the no-break spaces inside
/// amounts (`2 400,00 €`), nor at a space between two digits, so a phone
/// number (`04 72 00 00 00`), a SIREN or an IBAN stays on one line, where a
/// reader copies it from; nor before `: ; ! ? »` or after `«`, which French
/// typography binds to their word (templates type an ordinary space there).
/// A word wider than the line (a long payment link) is cut where it reaches
/// the margin.
pub(crate) fn wrap(text: &[u8], face: Face, size: f32, max_width: f32, hang: f32) -> Vec<Wrapped> {
    let mut lines = Vec::new();
    let mut current: Vec<u8> = Vec::new();
    for word in words(text) {
        let room = if lines.is_empty() { max_width } else { max_width - hang };
        let mut candidate = current.clone();
        if !candidate.is_empty() {
            candidate.push(b' ');
        }
        candidate.extend_from_slice(word);
        if width(&candidate, face, size) <= room {
            current = candidate;
            continue;
        }
        if !current.is_empty() {
            lines.push(std::mem::take(&mut current));
        }
        current = word.to_vec();
        while width(&current, face, size) > max_width - hang && current.len() > 1 {
            let cut = longest_prefix(&current, face, size, max_width - hang);
            lines.push(current.drain(..cut).collect());
        }
    }
    if !current.is_empty() || lines.is_empty() {
        lines.push(current);
    }
    lines.into_iter().enumerate().map(|(i, text)| Wrapped { indent: if i == 0 { 0.0 } else { hang }, text }).collect()
}

/// The unbreakable pieces of `text`: split at the spaces that may break.
fn words(text: &[u8]) -> impl Iterator<Item = &[u8]> {
    let breaks =
        (0..text.len()).filter(move |&i| text[i] == b' ' && may_break(text.get(i.wrapping_sub(1)), text.get(i + 1)));
    let mut start = 0;
    breaks
        .chain(std::iter::once(text.len()))
        .map(move |end| {
            let word = &text[start..end];
            start = end + 1;
            word
        })
        .filter(|w| !w.is_empty())
}

/// Whether a space between `before` and `after` may end a line.
fn may_break(before: Option<&u8>, after: Option<&u8>) -> bool {
    const GUILLEMET_OPEN: u8 = 0xAB;
    const GUILLEMET_CLOSE: u8 = 0xBB;
    match (before, after) {
        (Some(b), Some(a)) if b.is_ascii_digit() && a.is_ascii_digit() => false,
        (_, Some(b':' | b';' | b'!' | b'?' | &GUILLEMET_CLOSE)) => false,
        (Some(&GUILLEMET_OPEN), _) => false,
        _ => true,
    }
}

/// How many bytes of `text` fit in `max_width` (at least one).
fn longest_prefix(text: &[u8], face: Face, size: f32, max_width: f32) -> usize {
    (1..text.len()).rev().find(|&n| width(&text[..n], face, size) <= max_width).unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(lines: &[Wrapped]) -> Vec<&str> {
        lines.iter().map(|l| std::str::from_utf8(&l.text).unwrap()).collect()
    }

    fn has(lines: &[Wrapped], piece: &[u8]) -> bool {
        lines.iter().any(|l| l.text.windows(piece.len()).any(|w| w == piece))
    }

    #[test]
    fn wrapping_breaks_at_spaces_within_the_width() {
        let text = b"Par la presente, nous vous mettons en demeure de nous regler la somme due.";
        let lines = wrap(text, Face::Regular, 10.0, 150.0, 0.0);
        assert!(lines.len() > 1, "{:?}", texts(&lines));
        for line in &lines {
            assert!(width(&line.text, Face::Regular, 10.0) <= 150.0, "{:?}", texts(&lines));
        }
        assert_eq!(texts(&lines).join(" ").as_bytes(), text);
    }

    #[test]
    fn amounts_and_phone_numbers_are_never_split() {
        let text = b"la somme de 12\xA0400,00\xA0\x80 TTC";
        let lines = wrap(text, Face::Regular, 10.0, 90.0, 0.0);
        assert!(lines.len() > 1 && has(&lines, b"12\xA0400,00\xA0\x80"), "{lines:?}");
        let text = b"Claire Martin se tient a votre disposition : 04 72 00 00 00.";
        let lines = wrap(text, Face::Regular, 10.0, 200.0, 0.0);
        assert!(lines.len() > 1 && has(&lines, b"04 72 00 00 00."), "{:?}", texts(&lines));
        // Digits next to words still break: "du 12 et".
        let lines = wrap(b"du 5, du 12 et du 19 janvier", Face::Regular, 10.0, 40.0, 0.0);
        assert!(lines.len() > 3, "{:?}", texts(&lines));
    }

    #[test]
    fn french_punctuation_stays_with_its_word() {
        let text = b"echeance le 30/01/2026 : 1\xA0300,00\xA0\x80 TTC ; rapport \xAB eclairage \xBB ?";
        for max_width in [60.0, 80.0, 100.0, 120.0, 140.0] {
            let lines = wrap(text, Face::Regular, 10.0, max_width, 0.0);
            for line in &lines {
                let starts_badly = [b':', b';', b'?', 0xBB].contains(&line.text[0]);
                assert!(!starts_badly && !line.text.ends_with(b"\xAB"), "{max_width}: {lines:?}");
            }
        }
    }

    #[test]
    fn list_items_hang_after_the_dash_and_long_words_are_cut() {
        let item = b"- facture F-1 du 01/01/2026, echeance le 31/01/2026 : 2\xA0400,00\xA0\x80";
        let lines = wrap(item, Face::Regular, 10.0, 120.0, 8.0);
        assert_eq!(lines[0].indent, 0.0);
        assert!(lines[1..].iter().all(|l| l.indent == 8.0), "{lines:?}");
        let link = b"https://pay.example.fr/tres/long/chemin/de/paiement/en/ligne/0123456789";
        let lines = wrap(link, Face::Regular, 10.0, 100.0, 0.0);
        assert!(lines.len() > 2, "{:?}", texts(&lines));
        assert_eq!(lines.iter().flat_map(|l| l.text.clone()).collect::<Vec<u8>>(), link.to_vec());
    }
}
