//! TEMPORARY stub so the crate compiles; the real backend lands next.
#![allow(clippy::all, unused)]
use super::*;
use crate::domain::*;
use crate::ledger::*;

pub struct SqliteStore;

impl SqliteStore {
    pub async fn connect(_url: &str) -> Result<Self, StoreError> {
        todo!()
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn migrate(&self) -> Result<()> { todo!() }
    async fn client_ids(&self) -> Result<HashSet<ClientId>> { todo!() }
    async fn invoice_balances(&self) -> Result<HashMap<InvoiceNumber, InvoiceBalance>> { todo!() }
    async fn payment_keys(&self) -> Result<HashSet<Payment>> { todo!() }
    async fn import_clients(&self, _c: &[Client], _a: &Actor, _f: &str) -> Result<ImportCounts> { todo!() }
    async fn import_invoices(&self, _i: &[Invoice], _a: &Actor, _f: &str) -> Result<ImportCounts> { todo!() }
    async fn import_payments(&self, _p: &[Payment], _a: &Actor, _f: &str) -> Result<ImportCounts> { todo!() }
    async fn last_import_at(&self) -> Result<Option<DateTime<Utc>>> { todo!() }
    async fn set_hold(&self, _t: &HoldTarget, _h: &Hold, _a: &Actor) -> Result<()> { todo!() }
    async fn ledger(&self, _today: NaiveDate) -> Result<Ledger> { todo!() }
    async fn account(&self, _c: &ClientId, _today: NaiveDate) -> Result<Option<Account>> { todo!() }
    async fn clients(&self) -> Result<Vec<Client>> { todo!() }
    async fn record_reminder(&self, _r: &ReminderRecord, _a: &Actor) -> Result<()> { todo!() }
    async fn reminders(&self, _c: &ClientId) -> Result<Vec<ReminderRecord>> { todo!() }
    async fn append_audit(&self, _e: &AuditEntry) -> Result<()> { todo!() }
    async fn audit_log(&self, _c: Option<&ClientId>, _l: u32) -> Result<Vec<AuditEntry>> { todo!() }
}
