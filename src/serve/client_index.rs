//! The index of clients the chat commands search, kept between commands.
//!
//! Loading and indexing 100,000 clients takes about a second, far too long
//! to repeat for every `/relance status`; the clients change only when a
//! clients file is imported. So each command first reads the latest clients
//! import (one indexed row) and rebuilds the index only when it moved.

use crate::lookup::ClientIndex;
use crate::store::Store;
use std::sync::Arc;
use tokio::sync::Mutex;

/// The current index and the clients import it was built from.
#[derive(Default)]
pub struct ClientCache {
    /// Held while rebuilding: commands arriving meanwhile wait for that one
    /// rebuild instead of each starting their own.
    current: Mutex<Option<(Option<i64>, Arc<ClientIndex>)>>,
}

impl ClientCache {
    /// The index of the clients as stored now.
    pub async fn get(&self, store: &dyn Store) -> anyhow::Result<Arc<ClientIndex>> {
        let revision = store.clients_revision().await?;
        let mut current = self.current.lock().await;
        if let Some((built_from, index)) = current.as_ref() {
            if *built_from == revision {
                return Ok(index.clone());
            }
        }
        let started = std::time::Instant::now();
        let index = Arc::new(ClientIndex::new(store.clients().await?));
        tracing::info!(clients = index.len(), ms = started.elapsed().as_millis() as u64, "client index built");
        *current = Some((revision, index.clone()));
        Ok(index)
    }
}
