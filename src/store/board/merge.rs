//! A digest posted again the same day, against the one stored: which
//! entries are added, refreshed, withdrawn or revived. Pure, so every case
//! is a unit test; the store only writes what it returns.
//!
//! The rule is "decisions survive a re-post": an entry someone touched keeps
//! its stored state. Only an untouched entry (pending, revision 0) takes the
//! new proposal, whose amounts may have changed after a partial payment.

use crate::decision::{EntryState, Stamp, Status};
use crate::domain::ProposalId;
use std::collections::HashMap;

/// What a posting did to one entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Proposed for the first time today: appended at the end.
    Added,
    /// Untouched and proposed again: the new proposal replaces the stored one.
    Refreshed,
    /// Pending or approved, and no longer proposed (the client paid, a hold
    /// was set): nothing will be sent; a queued message is cancelled.
    Withdrawn,
    /// Withdrawn earlier today and proposed again (a hold lifted): pending
    /// anew, without the approvals given to the proposal it was before.
    Revived,
}

/// One entry of the day after the posting, at its position in the digest.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub position: i64,
    pub entry: EntryState,
    /// `None`: the stored row stays as it is.
    pub change: Option<Change>,
}

/// The day's entries after posting `proposed` over `stored` (in position
/// order): stored ones first, where they were, then the new ones in the
/// order given. A proposal listed twice counts once. `stamp` signs the
/// withdrawals.
pub fn merge(stored: Vec<(i64, EntryState)>, proposed: &[EntryState], stamp: &Stamp) -> Vec<Row> {
    let mut fresh: HashMap<&ProposalId, &EntryState> = HashMap::with_capacity(proposed.len());
    for entry in proposed {
        fresh.entry(&entry.proposal.id).or_insert(entry);
    }
    let mut rows = Vec::with_capacity(stored.len() + proposed.len());
    for (position, entry) in stored {
        let (entry, change) = match fresh.remove(&entry.proposal.id) {
            Some(new) => proposed_again(entry, new),
            None => not_proposed(entry, stamp),
        };
        rows.push(Row { position, entry, change });
    }
    let mut next = rows.iter().map(|row| row.position + 1).max().unwrap_or(0);
    for entry in proposed {
        if fresh.remove(&entry.proposal.id).is_some() {
            rows.push(Row { position: next, entry: entry.clone(), change: Some(Change::Added) });
            next += 1;
        }
    }
    rows
}

fn proposed_again(stored: EntryState, new: &EntryState) -> (EntryState, Option<Change>) {
    match stored.status {
        Status::Pending if stored.rev == 0 && stored != *new => (new.clone(), Some(Change::Refreshed)),
        Status::Withdrawn => {
            // A new revision, so buttons shown before the withdrawal are outdated.
            let revived = EntryState { rev: stored.rev + 1, ..new.clone() };
            (revived, Some(Change::Revived))
        }
        _ => (stored, None),
    }
}

fn not_proposed(stored: EntryState, stamp: &Stamp) -> (EntryState, Option<Change>) {
    match stored.status {
        Status::Pending | Status::Approved => {
            let withdrawn = EntryState {
                status: Status::Withdrawn,
                closed: Some(stamp.clone()),
                held_for_fresh_data: false,
                rev: stored.rev + 1,
                ..stored
            };
            (withdrawn, Some(Change::Withdrawn))
        }
        Status::Vetoed | Status::Snoozed | Status::Withdrawn => (stored, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Stage, Tone};
    use crate::people::Platform;
    use crate::policy::{Proposal, ProposedInvoice};
    use chrono::{NaiveDate, TimeZone, Utc};
    use rust_decimal::Decimal;
    use rust_decimal_macros::dec;

    fn entry(client: &str, due: Decimal) -> EntryState {
        let day = NaiveDate::from_ymd_opt(2026, 3, 16).unwrap();
        let invoice =
            ProposedInvoice::sample(&format!("F-{client}"), due, day - chrono::Days::new(20), 20, Stage::First);
        EntryState::new(Proposal::sample(client, client, Stage::First, Tone::Courteous, vec![invoice]), None)
    }

    fn stamp(by: &str) -> Stamp {
        Stamp { by: by.into(), via: Platform::Web, at: Utc.with_ymd_and_hms(2026, 3, 16, 9, 0, 0).unwrap() }
    }

    fn approved(mut e: EntryState) -> EntryState {
        e.status = Status::Approved;
        e.approvals.push(stamp("Claire"));
        e.rev = 1;
        e
    }

    fn ids(rows: &[Row]) -> Vec<(i64, &str, Option<Change>)> {
        rows.iter().map(|r| (r.position, r.entry.proposal.id.as_str(), r.change)).collect()
    }

    #[test]
    fn a_first_posting_adds_every_entry_in_order_once() {
        let (a, b) = (entry("A", dec!(100)), entry("B", dec!(200)));
        let rows = merge(vec![], &[b.clone(), a.clone(), b], &stamp("relance"));
        assert_eq!(ids(&rows), vec![(0, "p-B", Some(Change::Added)), (1, "p-A", Some(Change::Added))]);
    }

    #[test]
    fn a_decided_entry_keeps_its_state_and_new_ones_come_last() {
        let a = approved(entry("A", dec!(100)));
        let rows = merge(vec![(0, a.clone())], &[entry("B", dec!(50)), entry("A", dec!(90))], &stamp("relance"));
        assert_eq!(ids(&rows), vec![(0, "p-A", None), (1, "p-B", Some(Change::Added))]);
        assert_eq!(rows[0].entry, a, "the approval and the approved amounts stay");
    }

    #[test]
    fn an_untouched_entry_takes_the_new_amounts() {
        let rows = merge(vec![(0, entry("A", dec!(100)))], &[entry("A", dec!(40))], &stamp("relance"));
        assert_eq!(rows[0].change, Some(Change::Refreshed));
        assert_eq!(rows[0].entry.proposal.total_due, dec!(40));
        let same = merge(vec![(0, entry("A", dec!(100)))], &[entry("A", dec!(100))], &stamp("relance"));
        assert_eq!(same[0].change, None, "nothing to write when nothing changed");
    }

    #[test]
    fn pending_and_approved_entries_no_longer_proposed_are_withdrawn() {
        let stored = vec![(0, entry("A", dec!(1))), (1, approved(entry("B", dec!(2))))];
        let rows = merge(stored, &[], &stamp("Claire"));
        assert!(rows.iter().all(|r| r.change == Some(Change::Withdrawn) && r.entry.status == Status::Withdrawn));
        assert_eq!(rows[1].entry.closed, Some(stamp("Claire")));
        assert_eq!(rows[1].entry.rev, 2);
        assert_eq!(rows[1].entry.approvals.len(), 1, "the record of the approval stays");
    }

    #[test]
    fn vetoed_entries_stay_vetoed_whether_proposed_or_not() {
        let mut vetoed = entry("A", dec!(1));
        vetoed.status = Status::Vetoed;
        vetoed.rev = 1;
        for proposed in [vec![], vec![entry("A", dec!(1))]] {
            let rows = merge(vec![(0, vetoed.clone())], &proposed, &stamp("relance"));
            assert_eq!((rows[0].change, &rows[0].entry), (None, &vetoed));
        }
    }

    #[test]
    fn a_withdrawn_entry_proposed_again_is_pending_at_a_new_revision() {
        let withdrawn = merge(vec![(3, approved(entry("A", dec!(1))))], &[], &stamp("relance")).remove(0).entry;
        let rows = merge(vec![(3, withdrawn)], &[entry("A", dec!(1))], &stamp("relance"));
        assert_eq!(ids(&rows), vec![(3, "p-A", Some(Change::Revived))]);
        assert_eq!((rows[0].entry.status, rows[0].entry.rev), (Status::Pending, 3));
        assert!(rows[0].entry.approvals.is_empty() && rows[0].entry.closed.is_none());
    }
}
