//! The index the search runs on: every client once, by id, SIREN, folded
//! name and name words.

use super::words::{Cost, Vocabulary, WordId};
use super::{fold, Found};
use crate::domain::{Client, ClientId};
use std::collections::HashMap;

/// Clients listed at most when several match.
pub const SHORT_LIST: usize = 10;
/// Closest names offered when nothing matches.
const SUGGESTIONS: usize = 5;
/// Nearest vocabulary words looked at per typed word, for suggestions.
const NEAR_WORDS: usize = 20;

/// A client's position in the index.
type Slot = u32;

/// Every client, searchable by id, SIREN and name. Built once (a few
/// hundred milliseconds for 100,000 clients), then each search reads only
/// the few clients its words point to.
#[derive(Debug, Default)]
pub struct ClientIndex {
    clients: Vec<Client>,
    /// Each client's folded name, and its words in the vocabulary.
    folded: Vec<String>,
    name_words: Vec<Vec<WordId>>,
    /// Lower-case ids and SIRENs, sorted (exact lookups and prefixes).
    ids: Vec<(String, Slot)>,
    sirens: Vec<(String, Slot)>,
    by_name: HashMap<String, Vec<Slot>>,
    vocab: Vocabulary,
    /// The clients whose name holds each word.
    postings: Vec<Vec<Slot>>,
}

impl ClientIndex {
    pub fn new(clients: Vec<Client>) -> Self {
        let folded: Vec<String> = clients.iter().map(|c| fold(&c.name)).collect();
        let vocab = Vocabulary::new(folded.iter().flat_map(|name| name.split(' ')).filter(|w| !w.is_empty()));
        let mut postings: Vec<Vec<Slot>> = Vec::new();
        let mut name_words = Vec::with_capacity(clients.len());
        let mut by_name: HashMap<String, Vec<Slot>> = HashMap::with_capacity(clients.len());
        for (slot, name) in folded.iter().enumerate() {
            let slot = slot as Slot;
            let mut ids: Vec<WordId> = name.split(' ').filter_map(|w| vocab.id(w)).collect();
            ids.dedup();
            for &id in &ids {
                if postings.len() <= id as usize {
                    postings.resize_with(id as usize + 1, Vec::new);
                }
                postings[id as usize].push(slot);
            }
            name_words.push(ids);
            by_name.entry(name.clone()).or_default().push(slot);
        }
        let sorted = |mut keys: Vec<(String, Slot)>| {
            keys.sort_unstable();
            keys
        };
        let ids = sorted(clients.iter().enumerate().map(|(i, c)| (c.id.as_str().to_lowercase(), i as Slot)).collect());
        let sirens = sorted(
            clients
                .iter()
                .enumerate()
                .filter_map(|(i, c)| Some((c.siren.as_ref()?.as_str().to_string(), i as Slot)))
                .collect(),
        );
        Self { clients, folded, name_words, ids, sirens, by_name, vocab, postings }
    }

    pub fn len(&self) -> usize {
        self.clients.len()
    }

    pub fn is_empty(&self) -> bool {
        self.clients.is_empty()
    }

    /// The client with this id.
    pub fn get(&self, id: &ClientId) -> Option<&Client> {
        self.exact(&self.ids, &id.as_str().to_lowercase()).map(|slot| &self.clients[slot as usize])
    }

    /// Exact id (any case), then SIREN (spaces ignored; a SIRET's first nine
    /// digits), then exact name, then names holding every word typed — in
    /// any order, as the start of a word or with a small typo. The best
    /// match alone is [`Found::One`]; ties are [`Found::Several`].
    pub fn find(&self, query: &str) -> Found<'_> {
        let query = query.trim();
        if query.is_empty() {
            return Found::None(Vec::new());
        }
        if let Some(slot) = self.exact(&self.ids, &query.to_lowercase()).or_else(|| self.by_siren(query)) {
            return Found::One(&self.clients[slot as usize]);
        }
        let folded = fold(query);
        if let Some(slots) = self.by_name.get(&folded) {
            return self.found(slots, slots.len());
        }
        let (best, ties) = self.ranked(&folded);
        if best.is_empty() {
            return Found::None(self.closest(&folded));
        }
        self.found(&best, ties)
    }

    /// Clients for an autocomplete: ids and SIRENs starting with `typed`,
    /// then what [`ClientIndex::find`] returns (the closest names when
    /// nothing matches), at most `limit`, without repeats.
    pub fn suggest(&self, typed: &str, limit: usize) -> Vec<&Client> {
        let typed = typed.trim();
        let mut slots: Vec<Slot> = Vec::new();
        if typed.is_empty() {
            let mut all: Vec<Slot> = (0..self.clients.len() as Slot).collect();
            all.sort_unstable_by(|a, b| self.folded[*a as usize].cmp(&self.folded[*b as usize]));
            slots = all.into_iter().take(limit).collect();
        } else {
            slots.extend(prefixed(&self.ids, &typed.to_lowercase()).take(limit));
            let digits = digits_of(typed);
            if digits.len() >= 3 {
                slots.extend(prefixed(&self.sirens, &digits).take(limit));
            }
        }
        let found = match self.find(typed) {
            Found::One(client) => vec![client],
            Found::Several(list) | Found::None(list) => list,
        };
        let mut out: Vec<&Client> = Vec::new();
        for client in slots.into_iter().map(|s| &self.clients[s as usize]).chain(found) {
            if out.len() < limit && !out.iter().any(|c| c.id == client.id) {
                out.push(client);
            }
        }
        out
    }

    fn exact(&self, keys: &[(String, Slot)], key: &str) -> Option<Slot> {
        let at = keys.partition_point(|(k, _)| k.as_str() < key);
        keys.get(at).filter(|(k, _)| k == key).map(|(_, slot)| *slot)
    }

    fn by_siren(&self, query: &str) -> Option<Slot> {
        let digits = digits_of(query);
        let nine = match digits.len() {
            9 | 14 if digits.bytes().all(|b| b.is_ascii_digit()) => &digits[..9],
            _ => return None,
        };
        self.exact(&self.sirens, nine)
    }

    /// One client when `ties` is 1, else the first of `slots` (a short list).
    fn found(&self, slots: &[Slot], ties: usize) -> Found<'_> {
        let clients: Vec<&Client> = slots.iter().take(SHORT_LIST).map(|s| &self.clients[*s as usize]).collect();
        match (ties, clients.len()) {
            (_, 0) => Found::None(Vec::new()),
            (1, _) => Found::One(clients[0]),
            _ => Found::Several(clients),
        }
    }

    /// The clients whose name holds every typed word, best first (at most
    /// [`SHORT_LIST`]), and how many share the best cost.
    fn ranked(&self, folded: &str) -> (Vec<Slot>, usize) {
        let typed: Vec<&str> = folded.split(' ').collect();
        let matches: Vec<HashMap<WordId, Cost>> = typed.iter().map(|w| self.vocab.matches(w)).collect();
        if matches.iter().any(HashMap::is_empty) {
            return (Vec::new(), 0);
        }
        // The typed word with the fewest clients behind it seeds the candidates.
        let weight = |m: &HashMap<WordId, Cost>| m.keys().map(|id| self.postings[*id as usize].len()).sum::<usize>();
        let seed = matches.iter().min_by_key(|m| weight(m)).expect("at least one word");
        let mut candidates: Vec<Slot> =
            seed.keys().flat_map(|id| self.postings[*id as usize].iter().copied()).collect();
        candidates.sort_unstable();
        candidates.dedup();
        let mut scored: Vec<(u32, usize, Slot)> = candidates
            .into_iter()
            .filter_map(|slot| {
                let words = &self.name_words[slot as usize];
                let cost = matches
                    .iter()
                    .map(|m| words.iter().filter_map(|w| m.get(w)).min().map(|c| u32::from(*c)))
                    .sum::<Option<u32>>()?;
                Some((cost, words.len().saturating_sub(typed.len()), slot))
            })
            .collect();
        let Some(best) = scored.iter().map(|s| s.0).min() else {
            return (Vec::new(), 0);
        };
        let ties = scored.iter().filter(|s| s.0 == best).count();
        // Equally good: the shortest name first (`Dupont SA` before `Boulangerie Dupont`).
        let key = |s: &(u32, usize, Slot)| {
            let name = &self.folded[s.2 as usize];
            (s.0, s.1, name.len(), name, s.2)
        };
        if scored.len() > SHORT_LIST {
            scored.select_nth_unstable_by(SHORT_LIST, |a, b| key(a).cmp(&key(b)));
            scored.truncate(SHORT_LIST);
        }
        scored.sort_unstable_by(|a, b| key(a).cmp(&key(b)));
        (scored.into_iter().map(|s| s.2).collect(), ties)
    }

    /// The names nearest to what was typed: most typed words nearly found
    /// first, then the fewest edits.
    fn closest(&self, folded: &str) -> Vec<&Client> {
        let mut score: HashMap<Slot, (usize, usize)> = HashMap::new();
        for typed in folded.split(' ') {
            let mut best: HashMap<Slot, usize> = HashMap::new();
            for (word, distance) in self.vocab.nearest(typed, NEAR_WORDS) {
                for &slot in self.postings[word as usize].iter().take(SHORT_LIST * 5) {
                    let d = best.entry(slot).or_insert(distance);
                    *d = (*d).min(distance);
                }
            }
            for (slot, distance) in best {
                let s = score.entry(slot).or_default();
                s.0 += 1;
                s.1 += distance;
            }
        }
        let mut ranked: Vec<(Slot, (usize, usize))> = score.into_iter().collect();
        ranked.sort_unstable_by(|(a, (na, da)), (b, (nb, db))| {
            nb.cmp(na).then(da.cmp(db)).then_with(|| self.folded[*a as usize].cmp(&self.folded[*b as usize]))
        });
        ranked.into_iter().take(SUGGESTIONS).map(|(slot, _)| &self.clients[slot as usize]).collect()
    }
}

/// The characters of `text` but its spaces (`552 120 222` → `552120222`).
fn digits_of(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The slots whose key starts with `prefix`, in key order.
fn prefixed<'a>(keys: &'a [(String, Slot)], prefix: &'a str) -> impl Iterator<Item = Slot> + 'a {
    let at = keys.partition_point(|(k, _)| k.as_str() < prefix);
    keys[at..].iter().take_while(move |(k, _)| k.starts_with(prefix)).map(|(_, slot)| *slot)
}
