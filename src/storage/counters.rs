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
    const ALL: [Counted; 4] = [
        Counted::Clients,
        Counted::Policies,
        Counted::Trusts,
        Counted::Keys,
    ];

    fn name(self) -> &'static str {
        match self {
            Counted::Clients => "clients",
            Counted::Policies => "policies",
            Counted::Trusts => "trusts",
            Counted::Keys => "keys",
        }
    }
}

/// Every change counter, as one read saw them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    pub clients: i64,
    pub policies: i64,
    pub trusts: i64,
    pub keys: i64,
}

impl Counters {
    /// The counter of `what`.
    pub fn of(mut self, what: Counted) -> i64 {
        *self.of_mut(what)
    }

    fn of_mut(&mut self, what: Counted) -> &mut i64 {
        match what {
            Counted::Clients => &mut self.clients,
            Counted::Policies => &mut self.policies,
            Counted::Trusts => &mut self.trusts,
            Counted::Keys => &mut self.keys,
        }
    }
}

/// Every counter now, in one statement.
pub async fn read_all(db: &Db) -> StorageResult<Counters> {
    // sqlx keeps a prepared statement only for a query with arguments: the condition, always
    // true, gives it one, so the statement is parsed once per connection, not once per read.
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT name, value FROM change_counters WHERE name <> $1")
            .bind("")
            .fetch_all(db.pool())
            .await?;
    let mut counters = Counters::default();
    for (name, value) in rows {
        if let Some(what) = Counted::ALL.into_iter().find(|w| w.name() == name) {
            *counters.of_mut(what) = value;
        }
    }
    Ok(counters)
}

/// Reads of the counters, shared by the requests waiting for one: group reading, as the token
/// writer does group commit.
///
/// A request may only be answered by a read that began after it asked, because such a read sees
/// every write committed before the request arrived, which is what "refused on every node at
/// once" promises. One task takes every question waiting, then reads once and answers them all;
/// questions asked while a read is running wait for the next one. Under load one read answers
/// many requests; alone, a request waits for its own read and one task switch.
#[derive(Clone, Debug)]
pub struct CounterReader {
    questions: tokio::sync::mpsc::UnboundedSender<tokio::sync::oneshot::Sender<Counters>>,
    db: Db,
}

impl CounterReader {
    /// Starts the reading task on the current runtime.
    pub fn spawn(db: Db) -> Self {
        let (questions, mut waiting) = tokio::sync::mpsc::unbounded_channel();
        let reader_db = db.clone();
        tokio::spawn(async move {
            let mut batch: Vec<tokio::sync::oneshot::Sender<Counters>> = Vec::new();
            while waiting.recv_many(&mut batch, 4096).await > 0 {
                // Every question in `batch` was asked before this read begins.
                match read_all(&reader_db).await {
                    Ok(counters) => {
                        for answer in batch.drain(..) {
                            let _ = answer.send(counters);
                        }
                    }
                    // Dropping the senders sends each request to a read of its own, which
                    // reports the error to its caller.
                    Err(_) => batch.clear(),
                }
            }
        });
        Self { questions, db }
    }

    /// The counters as a read that began after this call sees them.
    pub async fn read(&self) -> StorageResult<Counters> {
        let (answer, wait) = tokio::sync::oneshot::channel();
        if self.questions.send(answer).is_ok()
            && let Ok(counters) = wait.await
        {
            return Ok(counters);
        }
        read_all(&self.db).await
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
        let reader = CounterReader::spawn(db.clone());
        let first = reader.read().await.unwrap();
        assert_eq!(first, read_all(&db).await.unwrap());
        // A write after the last read: the next question sees it.
        bump(&db).await;
        assert_eq!(reader.read().await.unwrap().clients, first.clients + 1);
        // Many at once, while writes land between them: each sees at least every write
        // committed before it asked.
        let mut tasks = Vec::new();
        for _ in 0..64 {
            let (reader, db) = (reader.clone(), db.clone());
            tasks.push(tokio::spawn(async move {
                bump(&db).await;
                let committed = read_all(&db).await.unwrap().clients;
                let seen = reader.read().await.unwrap().clients;
                assert!(seen >= committed, "{seen} < {committed}");
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(reader.read().await.unwrap().clients, first.clients + 65);
    }
}
