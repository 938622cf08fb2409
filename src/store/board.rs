//! The digest's state in SQL: entries and their decisions, posted messages,
//! the outbox, used decision links. (To be implemented.)

use super::backend::{Backend, Binds, Q};
use super::sql::SqlStore;
use super::{Actor, DecideFn, DecisionRecord, DigestRecord, Entries, OutboxRow, PostedMessage, Result};
use crate::decision::{EntryState, Stamp};
use crate::domain::{ClientId, ProposalId};
use crate::people::Platform;
use chrono::NaiveDate;
use sqlx::Executor;

impl<DB> SqlStore<DB>
where
    DB: Backend,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> Q<'q, DB>: Binds<'q>,
{
    pub(super) async fn board_save_digest(
        &self,
        _day: NaiveDate,
        _header: &serde_json::Value,
        _entries: &[EntryState],
        _actor: &Actor,
    ) -> Result<Entries> {
        unimplemented!("save_digest")
    }

    pub(super) async fn board_digest(&self, _day: NaiveDate) -> Result<Option<DigestRecord>> {
        unimplemented!("digest")
    }

    pub(super) async fn board_previous_digest_day(&self, _day: NaiveDate) -> Result<Option<NaiveDate>> {
        unimplemented!("previous_digest_day")
    }

    pub(super) async fn board_entries(&self, _day: NaiveDate) -> Result<Entries> {
        unimplemented!("entries")
    }

    pub(super) async fn board_entries_by_id(&self, _ids: &[ProposalId]) -> Result<Entries> {
        unimplemented!("entries_by_id")
    }

    pub(super) async fn board_save_messages(&self, _messages: &[PostedMessage]) -> Result<()> {
        unimplemented!("save_messages")
    }

    pub(super) async fn board_messages(&self, _day: NaiveDate, _platform: Platform) -> Result<Vec<PostedMessage>> {
        unimplemented!("messages")
    }

    pub(super) async fn board_apply_decisions(
        &self,
        _ids: &[ProposalId],
        _decide: &mut DecideFn<'_>,
    ) -> Result<()> {
        unimplemented!("apply_decisions")
    }

    pub(super) async fn board_release_held(&self, _day: NaiveDate, _stamp: &Stamp) -> Result<u64> {
        unimplemented!("release_held")
    }

    pub(super) async fn board_decisions(&self, _client: &ClientId) -> Result<Vec<DecisionRecord>> {
        unimplemented!("decisions")
    }

    pub(super) async fn board_outbox(&self, _day: NaiveDate) -> Result<Vec<OutboxRow>> {
        unimplemented!("outbox")
    }

    pub(super) async fn board_use_link(&self, _token_digest: &str, _by: &str) -> Result<bool> {
        unimplemented!("use_link")
    }
}
