//! Storage: SQLite (the embedded default) or PostgreSQL through sqlx, one module per concern.
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
pub mod throttle;
pub mod token_writer;
pub mod tokens;
pub mod trusted_issuers;
pub mod users;
pub mod watches;
pub mod workspaces;

use sqlx::AnyPool;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{ConnectOptions, Executor};
use std::str::FromStr;

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
    /// The database URL names no backend this server speaks.
    #[error("unsupported database URL {0:?}: use sqlite:… or postgres://…")]
    Unsupported(String),
}

/// The result type of storage calls.
pub type StorageResult<T> = Result<T, StorageError>;

/// Which database a [`Db`] talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// The embedded default: one file, WAL, several processes on one host.
    Sqlite,
    /// A server: several processes on several hosts.
    Postgres,
}

impl Backend {
    /// The backend a database URL names.
    pub fn of(url: &str) -> StorageResult<Self> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StorageError::Unsupported(url.to_owned()))
        }
    }
}

/// The connection pool. Every module's SQL is written once, in the dialect both backends
/// agree on (`$1` placeholders, `ON CONFLICT`, `RETURNING`), and runs on both through sqlx's
/// `Any` driver; the schema is migrated per backend (`migrations/sqlite`,
/// `migrations/postgres`).
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
}

/// SQLite's settings, on every connection: WAL, `synchronous=NORMAL` (every committed
/// transaction survives a crash of this process; only an operating-system crash may lose the
/// last commits), foreign keys, and a busy timeout instead of an immediate "database is
/// locked".
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
    PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;";

impl Db {
    /// Opens (creating if missing, for SQLite) the database at `url` and runs the embedded
    /// migrations of its backend.
    pub async fn open(url: &str) -> StorageResult<Self> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of(url)?;
        let (url, in_memory) = match backend {
            Backend::Sqlite => {
                let in_memory = url.contains(":memory:") || url.contains("mode=memory");
                // Created on first start.
                let url = if in_memory || url.contains("mode=") {
                    url.to_owned()
                } else if url.contains('?') {
                    format!("{url}&mode=rwc")
                } else {
                    format!("{url}?mode=rwc")
                };
                if !in_memory {
                    // One connection first creates the file and switches it to WAL, which takes
                    // an exclusive lock; the pool's connections then find WAL set and never race
                    // for that lock on a brand-new file.
                    let mut first = AnyConnectOptions::from_str(&url)?.connect().await?;
                    first.execute(SQLITE_PRAGMAS).await?;
                    sqlx::Connection::close(first).await?;
                }
                (url, in_memory)
            }
            Backend::Postgres => (url.to_owned(), false),
        };
        let options = AnyConnectOptions::from_str(&url)?;
        let pool = AnyPoolOptions::new()
            // An in-memory database exists per connection: keep exactly one.
            .max_connections(match (backend, in_memory) {
                (_, true) => 1,
                (Backend::Sqlite, false) => 8,
                (Backend::Postgres, false) => 16,
            })
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        conn.execute(SQLITE_PRAGMAS).await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        match backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite").run(&pool).await?,
            Backend::Postgres => sqlx::migrate!("./migrations/postgres").run(&pool).await?,
        }
        Ok(Self { pool, backend })
    }

    /// The backend.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The pool, for the storage modules.
    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Begins a write transaction. On SQLite it takes the write lock up front (`BEGIN
    /// IMMEDIATE`), so a writer waits on the busy timeout instead of failing on a stale
    /// snapshot; PostgreSQL locks the rows a statement writes.
    pub(crate) async fn begin_write(&self) -> StorageResult<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    /// Checks the database's own consistency: SQLite's `PRAGMA integrity_check` (`"ok"` when
    /// sound); PostgreSQL keeps its own and answers `"ok"` when it answers.
    pub async fn integrity_check(&self) -> StorageResult<String> {
        match self.backend {
            Backend::Sqlite => {
                let row: (String,) = sqlx::query_as("PRAGMA integrity_check")
                    .fetch_one(&self.pool)
                    .await?;
                Ok(row.0)
            }
            Backend::Postgres => {
                self.ping().await?;
                Ok("ok".into())
            }
        }
    }

    /// Answers when the database does: one `SELECT 1`.
    pub async fn ping(&self) -> StorageResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Closes the pool (for SQLite, checkpointing the WAL).
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
