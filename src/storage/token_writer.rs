//! Group commit for newly issued tokens.
//!
//! Every token must be committed before the response that carries it goes out. Committing each
//! one in its own transaction caps throughput at the rate of commits; instead, one task drains
//! whatever requests are waiting, writes them all in one transaction, and answers each request
//! only after that transaction committed. Under load a commit carries many tokens; alone, a
//! request waits for nothing but its own commit.
//!
//! If a batch fails, each request in it is retried in a transaction of its own, so one bad row
//! cannot fail its neighbours.

use super::tokens::{NewToken, insert_in};
use super::{Db, StorageError, StorageResult};
use tokio::sync::{mpsc, oneshot};

const MAX_BATCH: usize = 512;

struct Job {
    tokens: Vec<NewToken>,
    done: oneshot::Sender<StorageResult<()>>,
}

/// The handle requests use to have tokens written.
#[derive(Clone, Debug)]
pub struct TokenWriter {
    jobs: mpsc::Sender<Job>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Job")
    }
}

impl TokenWriter {
    /// Starts the writer task on the current runtime.
    pub fn spawn(db: Db) -> Self {
        let (jobs, rx) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(run(db, rx));
        Self { jobs }
    }

    /// Writes `tokens` in one transaction (shared with other requests) and returns once it is
    /// committed.
    pub async fn insert(&self, tokens: Vec<NewToken>) -> StorageResult<()> {
        let (done, wait) = oneshot::channel();
        self.jobs
            .send(Job { tokens, done })
            .await
            .map_err(|_| StorageError::WriterGone)?;
        wait.await.map_err(|_| StorageError::WriterGone)?
    }
}

async fn write(db: &Db, jobs: &[Job]) -> StorageResult<()> {
    let mut tx = db.begin_write().await?;
    insert_in(&mut tx, jobs.iter().flat_map(|job| &job.tokens)).await?;
    tx.commit().await?;
    Ok(())
}

async fn run(db: Db, mut rx: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        match write(&db, &batch).await {
            Ok(()) => {
                for job in batch.drain(..) {
                    let _ = job.done.send(Ok(()));
                }
            }
            Err(error) => {
                tracing::warn!(%error, size = batch.len(), "token batch failed; retrying one by one");
                for job in batch.drain(..) {
                    let result = write(&db, std::slice::from_ref(&job)).await;
                    let _ = job.done.send(result);
                }
            }
        }
    }
}
