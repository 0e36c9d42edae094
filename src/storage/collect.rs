//! The collector: deletes what has expired (tokens, codes, sessions, initial access tokens,
//! sandbox runs past their retention) so that storage stays bounded under any load.
//!
//! It deletes in batches of [`BATCH`] rows, each batch its own short transaction found through
//! an expiry index, and yields between batches, so a request waiting for the write lock waits
//! for one small batch at most, never for a sweep of a million rows.

use super::{Db, StorageResult};

/// Rows deleted per statement.
pub const BATCH: i64 = 2_000;

/// What one collection deleted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Collected {
    pub tokens: u64,
    pub codes: u64,
    pub sessions: u64,
    pub initial_tokens: u64,
    pub runs: u64,
}

impl Collected {
    /// Every row deleted.
    pub fn total(&self) -> u64 {
        self.tokens + self.codes + self.sessions + self.initial_tokens + self.runs
    }
}

/// One table the collector sweeps: its key column and the time column that says it expired.
struct Sweep {
    table: &'static str,
    key: &'static str,
    time: &'static str,
}

/// A table whose rows carry a `handle` key and an `expires_at` time.
const fn expiring(table: &'static str) -> Sweep {
    Sweep {
        table,
        key: "handle",
        time: "expires_at",
    }
}

const TOKENS: Sweep = expiring("tokens");
const CODES: Sweep = expiring("auth_codes");
const SESSIONS: Sweep = expiring("sessions");
const INITIAL_TOKENS: Sweep = expiring("initial_access_tokens");
const RUNS: Sweep = Sweep {
    table: "sandbox_runs",
    key: "id",
    time: "updated_at",
};

/// Deletes the rows of `sweep` whose time is before `before`, a batch at a time, until none
/// is left or `max_batches` ran.
async fn sweep(db: &Db, sweep: &Sweep, before: i64, max_batches: u32) -> StorageResult<u64> {
    let sql = format!(
        "DELETE FROM {t} WHERE {k} IN (SELECT {k} FROM {t} WHERE {c} < ? LIMIT ?)",
        t = sweep.table,
        k = sweep.key,
        c = sweep.time
    );
    let mut deleted = 0;
    for _ in 0..max_batches {
        // The statement is built from the constants above only, never from input.
        let done = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .bind(before)
            .bind(BATCH)
            .execute(db.pool())
            .await?;
        deleted += done.rows_affected();
        if done.rows_affected() < BATCH as u64 {
            break;
        }
        tokio::task::yield_now().await;
    }
    Ok(deleted)
}

/// Deletes everything expired at `now`, and runs untouched for `run_retention` seconds; at most
/// `max_batches` batches per table, so one call is bounded too.
pub async fn expired(
    db: &Db,
    now: i64,
    run_retention: i64,
    max_batches: u32,
) -> StorageResult<Collected> {
    Ok(Collected {
        tokens: sweep(db, &TOKENS, now, max_batches).await?,
        codes: sweep(db, &CODES, now, max_batches).await?,
        sessions: sweep(db, &SESSIONS, now, max_batches).await?,
        initial_tokens: sweep(db, &INITIAL_TOKENS, now, max_batches).await?,
        runs: sweep(db, &RUNS, now - run_retention, max_batches).await?,
    })
}
