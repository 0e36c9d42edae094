//! Change counters (migration 0013): one per kind of thing a node caches (clients, policies,
//! trusted issuers, signing keys). A trigger raises a table's counter in the transaction of
//! every write to it, so no write can forget to; a node that sees a counter move drops what it
//! cached of that table.

use super::{Db, StorageResult};

/// A kind of cached thing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Counted {
    Clients,
    Policies,
    Trusts,
    Keys,
}

impl Counted {
    fn name(self) -> &'static str {
        match self {
            Counted::Clients => "clients",
            Counted::Policies => "policies",
            Counted::Trusts => "trusts",
            Counted::Keys => "keys",
        }
    }
}

/// The counter of `what` now.
pub async fn read(db: &Db, what: Counted) -> StorageResult<i64> {
    let (value,): (i64,) = sqlx::query_as("SELECT value FROM change_counters WHERE name = $1")
        .bind(what.name())
        .fetch_one(db.pool())
        .await?;
    Ok(value)
}

/// Reads of one change counter, shared by the requests that may share them.
///
/// A request may use a read only if that read began after the request asked: such a read sees
/// every write committed before the request asked, which is what "at once" promises. A request
/// that finds such a read in flight waits for it instead of sending its own, so under load one
/// read serves many requests (as the token writer's group commit does for writes).
#[derive(Debug, Default)]
pub struct SharedRead {
    /// Hands out tickets: a request's when it asks, a read's when it begins.
    tickets: std::sync::atomic::AtomicU64,
    state: std::sync::Mutex<ReadState>,
}

#[derive(Debug, Default)]
struct ReadState {
    /// The newest finished read: its ticket and the value it read.
    last: Option<(u64, i64)>,
    /// The newest read in flight: its ticket, and where its value will appear.
    flight: Option<(u64, tokio::sync::watch::Receiver<Option<i64>>)>,
}

impl SharedRead {
    fn state(&self) -> std::sync::MutexGuard<'_, ReadState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The counter of `what`, as a read that began after this call sees it.
    pub async fn read(&self, db: &Db, what: Counted) -> StorageResult<i64> {
        use std::sync::atomic::Ordering::SeqCst;
        let asked = self.tickets.fetch_add(1, SeqCst);
        let shared = {
            let state = self.state();
            if let Some((began, value)) = state.last
                && began > asked
            {
                return Ok(value);
            }
            state
                .flight
                .as_ref()
                .filter(|(began, _)| *began > asked)
                .map(|(_, rx)| rx.clone())
        };
        if let Some(mut rx) = shared
            && let Ok(value) = rx.wait_for(Option::is_some).await
            && let Some(value) = *value
        {
            return Ok(value);
        }
        // A read of its own (or the shared one failed), which later askers may share.
        let (tx, rx) = tokio::sync::watch::channel(None);
        let began = self.tickets.fetch_add(1, SeqCst);
        {
            let mut state = self.state();
            if state.flight.as_ref().is_none_or(|(b, _)| *b < began) {
                state.flight = Some((began, rx));
            }
        }
        let result = read(db, what).await;
        {
            let mut state = self.state();
            if let Ok(value) = result
                && state.last.is_none_or(|(b, _)| b < began)
            {
                state.last = Some((began, value));
            }
            if state.flight.as_ref().is_some_and(|(b, _)| *b == began) {
                state.flight = None;
            }
        }
        // On failure the sender is dropped: those waiting read on their own.
        if let Ok(value) = result {
            let _ = tx.send(Some(value));
        }
        result
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    async fn bump(db: &Db) {
        sqlx::query("UPDATE change_counters SET value = value + 1 WHERE name = 'clients'")
            .execute(db.pool())
            .await
            .unwrap();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_shared_read_never_answers_from_before_the_question() {
        let db = Db::open("sqlite::memory:").await.unwrap();
        let reads = std::sync::Arc::new(SharedRead::default());
        assert_eq!(reads.read(&db, Counted::Clients).await.unwrap(), 0);
        // A write after the last read: the next question sees it, though a value is kept.
        bump(&db).await;
        assert_eq!(reads.read(&db, Counted::Clients).await.unwrap(), 1);
        // Many at once all see the newest value, however the reads are shared among them.
        bump(&db).await;
        let mut tasks = Vec::new();
        for _ in 0..32 {
            let (reads, db) = (reads.clone(), db.clone());
            tasks.push(tokio::spawn(async move {
                reads.read(&db, Counted::Clients).await.unwrap()
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap(), 2);
        }
    }
}
