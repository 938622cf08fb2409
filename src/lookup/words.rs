//! The words of every client name, and how a typed word matches them:
//! exactly, as the start of a word, or within a small edit distance.
//!
//! Edit distances are costly next to a hash lookup, so they are computed
//! only on the few words sharing enough trigrams with the typed word: a
//! word within `d` edits of another keeps all but at most `3·d` of its
//! trigrams (each edit touches three), which bounds the candidates without
//! losing any.

use std::collections::HashMap;

/// A word of the vocabulary (its index in the sorted list).
pub(super) type WordId = u32;

/// How well a typed word matches a name's word: lower is better.
pub(super) type Cost = u8;
pub(super) const EXACT: Cost = 0;
/// The typed word starts the name's word (`indus` → `industries`).
pub(super) const PREFIX: Cost = 1;
/// A typo of `d` edits costs `TYPO + d`: worse than any prefix.
const TYPO: Cost = 1;

/// Candidates examined when looking for the nearest words of a typed word
/// that matches nothing (the suggestions).
const NEAREST_CANDIDATES: usize = 200;

type Trigram = [char; 3];

/// Every distinct word of the folded names, sorted, with a trigram index.
#[derive(Debug, Default)]
pub(super) struct Vocabulary {
    words: Vec<String>,
    trigrams: HashMap<Trigram, Vec<WordId>>,
}

/// The edits a typed word may carry and still match: none for one or two
/// characters (too many short words are one edit apart), one up to five,
/// two beyond.
pub(super) fn allowance(chars: usize) -> usize {
    match chars {
        0..=2 => 0,
        3..=5 => 1,
        _ => 2,
    }
}

impl Vocabulary {
    pub fn new<'a>(words: impl Iterator<Item = &'a str>) -> Self {
        let mut words: Vec<String> = words.map(str::to_string).collect();
        words.sort_unstable();
        words.dedup();
        let mut trigrams: HashMap<Trigram, Vec<WordId>> = HashMap::new();
        for (id, word) in words.iter().enumerate() {
            let mut grams = trigrams_of(word);
            grams.dedup();
            for gram in grams {
                trigrams.entry(gram).or_default().push(id as WordId);
            }
        }
        Self { words, trigrams }
    }

    /// The id of a word of the vocabulary.
    pub fn id(&self, word: &str) -> Option<WordId> {
        self.words.binary_search_by(|w| w.as_str().cmp(word)).ok().map(|i| i as WordId)
    }

    /// The words `typed` matches, with the cost of each: itself, the words
    /// it starts (two characters at least), those within its allowance.
    pub fn matches(&self, typed: &str) -> HashMap<WordId, Cost> {
        let mut found = HashMap::new();
        let chars = typed.chars().count();
        if chars >= 2 {
            let start = self.words.partition_point(|w| w.as_str() < typed);
            for (i, word) in self.words[start..].iter().enumerate() {
                if !word.starts_with(typed) {
                    break;
                }
                let cost = if word == typed { EXACT } else { PREFIX };
                found.insert((start + i) as WordId, cost);
            }
        } else if let Some(id) = self.id(typed) {
            found.insert(id, EXACT);
        }
        let allowed = allowance(chars);
        if allowed == 0 {
            return found;
        }
        let grams = distinct_trigrams(typed);
        let needed = grams.len().saturating_sub(3 * allowed).max(1);
        for (id, shared) in self.sharing(&grams) {
            let word = &self.words[id as usize];
            if shared < needed || found.contains_key(&id) || word.chars().count().abs_diff(chars) > allowed {
                continue;
            }
            let distance = strsim::osa_distance(typed, word);
            if distance <= allowed {
                found.insert(id, TYPO + distance as Cost);
            }
        }
        found
    }

    /// The words nearest to `typed` by edit distance among those sharing a
    /// trigram with it, at most `limit`, nearest first: for suggestions when
    /// nothing matched.
    pub fn nearest(&self, typed: &str, limit: usize) -> Vec<(WordId, usize)> {
        let grams = distinct_trigrams(typed);
        let mut sharing: Vec<(WordId, usize)> = self.sharing(&grams).into_iter().collect();
        sharing.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        sharing.truncate(NEAREST_CANDIDATES);
        let mut near: Vec<(WordId, usize)> = sharing
            .into_iter()
            .map(|(id, _)| (id, strsim::osa_distance(typed, &self.words[id as usize])))
            .filter(|(id, distance)| *distance < self.words[*id as usize].chars().count().max(typed.chars().count()))
            .collect();
        near.sort_unstable_by_key(|&(id, distance)| (distance, id));
        near.truncate(limit);
        near
    }

    /// How many of `grams` each word shares.
    fn sharing(&self, grams: &[Trigram]) -> HashMap<WordId, usize> {
        let mut shared: HashMap<WordId, usize> = HashMap::new();
        for gram in grams {
            for &id in self.trigrams.get(gram).map(Vec::as_slice).unwrap_or_default() {
                *shared.entry(id).or_default() += 1;
            }
        }
        shared
    }
}

/// The trigrams of a word padded with a space on each side (`" ab"`,
/// `"abc"`, …, `"yz "`): as many as it has characters.
fn trigrams_of(word: &str) -> Vec<Trigram> {
    let padded: Vec<char> = std::iter::once(' ').chain(word.chars()).chain(std::iter::once(' ')).collect();
    let mut grams: Vec<Trigram> = padded.windows(3).map(|w| [w[0], w[1], w[2]]).collect();
    grams.sort_unstable();
    grams
}

fn distinct_trigrams(word: &str) -> Vec<Trigram> {
    let mut grams = trigrams_of(word);
    grams.dedup();
    grams
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_word_matches_itself_its_extensions_and_its_near_typos() {
        let vocab = Vocabulary::new(["industries", "industriel", "acme", "dupont", "dupond", "du"].into_iter());
        let cost = |typed: &str, word: &str| vocab.matches(typed).get(&vocab.id(word).unwrap()).copied();
        assert_eq!(cost("dupont", "dupont"), Some(EXACT));
        assert_eq!(cost("dupont", "dupond"), Some(TYPO + 1));
        assert_eq!(cost("indus", "industries"), Some(PREFIX));
        assert_eq!(cost("industires", "industries"), Some(TYPO + 1), "a transposition is one edit");
        assert_eq!(cost("acmr", "acme"), Some(TYPO + 1));
        assert_eq!(cost("dx", "du"), None, "two letters allow no typo");
        assert_eq!(cost("dupuis", "dupont"), None, "three edits are too many");
    }

    #[test]
    fn the_nearest_words_come_first() {
        let vocab = Vocabulary::new(["martin", "martine", "marchand", "zola"].into_iter());
        let near: Vec<&str> =
            vocab.nearest("martinez", 3).iter().map(|(id, _)| vocab.words[*id as usize].as_str()).collect();
        assert_eq!(near, ["martine", "martin", "marchand"]);
    }
}
