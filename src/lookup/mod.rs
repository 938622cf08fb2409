//! Finding a client from what a person typed: an id, a SIREN or a name,
//! whatever the case and accents, and despite a small typo
//! (`/relance status societe generale`, `status Acme Industires`,
//! `status 552 120 222`).
//!
//! The search runs on a [`ClientIndex`] built once from every client (the
//! server keeps it and rebuilds it when the clients are imported again): a
//! status command must answer within a chat platform's 3 s however large the
//! ledger, so a query never compares itself with 100,000 names — the index's
//! vocabulary and its trigrams narrow the names to a few before any edit
//! distance is computed.

mod index;
mod words;

pub use index::ClientIndex;

use crate::domain::Client;
use unicode_normalization::UnicodeNormalization;

/// The outcome of a search.
#[derive(Debug, PartialEq)]
pub enum Found<'a> {
    One(&'a Client),
    /// Several clients match equally well, best first: the person must be
    /// more precise (or pick one).
    Several(Vec<&'a Client>),
    /// Nothing matches; the closest names, best first (possibly none).
    None(Vec<&'a Client>),
}

/// Lower case, accents removed, punctuation and runs of spaces folded to one space.
pub fn fold(text: &str) -> String {
    let stripped: String = text
        .nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    stripped.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests;
