//! Storage: SQLite through sqlx, one module per concern.
//!
//! Invariants every module keeps:
//! - every write that the protocol acknowledges is committed before the caller returns;
//! - a write that touches more than one row runs in one transaction (`BEGIN IMMEDIATE`, so a
//!   writer waits on the busy timeout instead of failing on a stale snapshot);
//! - secrets are stored only as argon2 hashes, and token values only as SHA-256 digests.

pub mod assertions;
pub mod clients;
pub mod codes;
pub mod collect;
pub mod counters;
pub mod device_codes;
pub mod initial_tokens;
pub mod keys;
pub mod launches;
pub mod pending;
pub mod policies;
pub mod runs;
pub mod server_secrets;
pub mod sessions;
pub mod token_writer;
pub mod tokens;
pub mod trusted_issuers;
pub mod users;
pub mod workspaces;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::str::FromStr;
use std::time::Duration;

/// A storage failure. Its text is for logs only, never for a response body.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The database said no.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// A migration failed.
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored value could not be read back (for example malformed JSON in a list column).
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// The batching writer has stopped.
    #[error("the token writer has stopped")]
    WriterGone,
    /// A row with this key exists already.
    #[error("exists already: {0}")]
    Conflict(String),
}

/// The result type of storage calls.
pub type StorageResult<T> = Result<T, StorageError>;

/// The connection pool, opened with WAL, foreign keys and a busy timeout.
#[derive(Clone, Debug)]
pub struct Db {
    pool: SqlitePool,
}

impl Db {
    /// Opens (creating if missing) the database at `url` and runs the embedded migrations.
    ///
    /// `synchronous=NORMAL` under WAL makes every committed transaction survive a crash of this
    /// process (the WAL is written before `COMMIT` returns); only an operating-system crash
    /// may lose the last commits.
    pub async fn open(url: &str) -> StorageResult<Self> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        if !in_memory {
            // One connection first creates the file and switches it to WAL, which takes an
            // exclusive lock; the pool's connections then find WAL set and never race for that
            // lock on a brand-new file.
            use sqlx::Connection;
            sqlx::SqliteConnection::connect_with(&options)
                .await?
                .close()
                .await?;
        }
        let pool = SqlitePoolOptions::new()
            // An in-memory database exists per connection: keep exactly one.
            .max_connections(if in_memory { 1 } else { 8 })
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Self { pool })
    }

    /// The pool, for the storage modules.
    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Begins a write transaction that takes the write lock up front.
    pub(crate) async fn begin_write(
        &self,
    ) -> StorageResult<sqlx::Transaction<'static, sqlx::Sqlite>> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// Runs `PRAGMA integrity_check` and returns its verdict (`"ok"` when sound).
    pub async fn integrity_check(&self) -> StorageResult<String> {
        let row: (String,) = sqlx::query_as("PRAGMA integrity_check")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.0)
    }

    /// Answers when the database does: one `SELECT 1`.
    pub async fn ping(&self) -> StorageResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Closes the pool, checkpointing the WAL.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Encodes a list of strings for a JSON list column.
pub(crate) fn encode_list(items: &[String]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".to_owned())
}

/// Decodes a JSON list column.
pub(crate) fn decode_list(column: &str, raw: &str) -> StorageResult<Vec<String>> {
    serde_json::from_str(raw).map_err(|e| StorageError::Corrupt(format!("{column}: {e}")))
}

/// Decodes an optional JSON list column (`NULL` means "not set").
pub(crate) fn decode_opt_list(
    column: &str,
    raw: Option<&str>,
) -> StorageResult<Option<Vec<String>>> {
    raw.map(|r| decode_list(column, r)).transpose()
}
