//! The collector: deletes what has expired (tokens, codes, sessions, initial access tokens,
//! EHR launches, remembered client assertion ids, pending authorization requests, the failure
//! throttle's spent counters and ended blocks, sandbox runs past their retention, learner
//! workspaces past their end with all they own) so that storage stays bounded under any load.
//!
//! It works in batches, each its own short statement, and yields between batches, so a request
//! waiting for the write lock waits for one small batch at most, never for a sweep of a million
//! rows.
//! - Codes, sessions, initial access tokens and runs: [`BATCH`] expired rows at a time, found
//!   through an expiry index.
//! - Tokens, the hot table, have no expiry index: it would cost every issued token one more
//!   B-tree write. Their handles are time-ordered, so the collector walks the primary key in
//!   ranges of [`RANGE`] rows, oldest first, and deletes the expired ones of each range. The
//!   oldest rows are the first to expire, so a pass finds them at once; a live long-lived row
//!   (a refresh token) costs one read per pass.

use super::{Db, StorageResult};

/// Rows deleted per statement, for the tables with an expiry index.
pub const BATCH: i64 = 2_000;
/// Learner workspaces deleted per batch (each is its own transaction).
pub const WORKSPACES: i64 = 50;
/// Token rows examined per range of the primary key.
pub const RANGE: i64 = 5_000;

/// What one collection deleted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Collected {
    pub tokens: u64,
    pub codes: u64,
    /// Device codes (RFC 8628) past their expiry.
    pub device_codes: u64,
    pub sessions: u64,
    pub initial_tokens: u64,
    /// EHR launches (SMART) past their expiry.
    pub launches: u64,
    /// Remembered client assertion ids (RFC 7523 §3) past their assertion's expiry.
    pub assertions: u64,
    pub runs: u64,
    /// Authorization requests nobody finished within their lifetime.
    pub pending: u64,
    /// Front-channel watches of the sandbox past their lifetime.
    pub watches: u64,
    /// Learner workspaces, each with what it owned.
    pub workspaces: u64,
    /// Throttle counters back at a fresh state, and blocks that ended.
    pub throttle: u64,
    /// A bound was hit: another call would find more.
    pub more: bool,
}

impl Collected {
    /// Every row deleted.
    pub fn total(&self) -> u64 {
        self.tokens
            + self.codes
            + self.device_codes
            + self.sessions
            + self.initial_tokens
            + self.launches
            + self.assertions
            + self.runs
            + self.pending
            + self.watches
            + self.workspaces
            + self.throttle
    }
}

/// One table the collector sweeps: its key column and the time column that says it expired.
struct Sweep {
    table: &'static str,
    key: &'static str,
    time: &'static str,
}

impl Sweep {
    /// The rows of `table`, by `key`, that expired when `time` passed.
    const fn of(table: &'static str, key: &'static str, time: &'static str) -> Sweep {
        Sweep { table, key, time }
    }
}

/// A table whose rows carry a `handle` key and an `expires_at` time.
const fn expiring(table: &'static str) -> Sweep {
    Sweep::of(table, "handle", "expires_at")
}

const CODES: Sweep = expiring("auth_codes");
const DEVICE_CODES: Sweep = expiring("device_codes");
const SESSIONS: Sweep = expiring("sessions");
const INITIAL_TOKENS: Sweep = expiring("initial_access_tokens");
const LAUNCHES: Sweep = expiring("launches");
const ASSERTIONS: Sweep = Sweep::of("client_assertions", "id", "expires_at");
const PENDING: Sweep = Sweep::of("pending_requests", "id", "created_at");
const THROTTLE_CELLS: Sweep = Sweep::of("throttle_cells", "key", "tat");
const THROTTLE_BLOCKS: Sweep = Sweep::of("throttle_blocks", "key", "blocked_until");
const RUNS: Sweep = Sweep::of("sandbox_runs", "id", "updated_at");

/// Deletes the rows of `sweep` whose time is before `before`, a batch at a time, until none
/// is left or `max_batches` ran.
async fn sweep(db: &Db, sweep: &Sweep, before: i64, max_batches: u32) -> StorageResult<u64> {
    let sql = format!(
        "DELETE FROM {t} WHERE {k} IN (SELECT {k} FROM {t} WHERE {c} < $1 LIMIT $2)",
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

/// Deletes the expired tokens, walking the primary key from just after `after` in ranges of
/// [`RANGE`] rows; at most `max_ranges` ranges. `after` is left where the walk stopped, or
/// emptied when it reached the end of the table, so the next call goes on from there and live
/// rows are read once per walk, however many there are. Returns the rows deleted and whether
/// the walk reached the end.
async fn sweep_tokens(
    db: &Db,
    now: i64,
    after: &mut String,
    max_ranges: u32,
) -> StorageResult<(u64, bool)> {
    let mut deleted = 0;
    for _ in 0..max_ranges {
        // The last handle of the next range, if the table has that many rows after `after`.
        let last: Option<(String,)> = sqlx::query_as(
            "SELECT handle FROM tokens WHERE handle > $1 ORDER BY handle LIMIT 1 OFFSET $2",
        )
        .bind(&*after)
        .bind(RANGE - 1)
        .fetch_optional(db.pool())
        .await?;
        let done = match &last {
            Some((last,)) => {
                sqlx::query(
                    "DELETE FROM tokens WHERE handle > $1 AND handle <= $2 AND expires_at < $3",
                )
                .bind(&*after)
                .bind(last)
                .bind(now)
                .execute(db.pool())
                .await?
            }
            None => {
                sqlx::query("DELETE FROM tokens WHERE handle > $1 AND expires_at < $2")
                    .bind(&*after)
                    .bind(now)
                    .execute(db.pool())
                    .await?
            }
        };
        deleted += done.rows_affected();
        match last {
            Some((last,)) => *after = last,
            None => {
                after.clear();
                return Ok((deleted, true));
            }
        }
        tokio::task::yield_now().await;
    }
    Ok((deleted, false))
}

/// The collector's place in its walk over the tokens, kept from one call to the next.
#[derive(Debug, Default)]
pub struct Collector {
    tokens_after: String,
}

impl Collector {
    /// Deletes everything expired at `now`, and runs untouched for `run_retention` seconds; at
    /// most `max_batches` batches (or token ranges) per table, so one call is bounded too.
    /// `more` says whether a bound was hit and another call would find more.
    pub async fn collect(
        &mut self,
        db: &Db,
        now: i64,
        run_retention: i64,
        max_batches: u32,
    ) -> StorageResult<Collected> {
        expired(db, now, run_retention, max_batches, &mut self.tokens_after).await
    }
}

async fn expired(
    db: &Db,
    now: i64,
    run_retention: i64,
    max_batches: u32,
    tokens_after: &mut String,
) -> StorageResult<Collected> {
    let (tokens, walked) = sweep_tokens(db, now, tokens_after, max_batches).await?;
    let mut collected = Collected {
        tokens,
        codes: sweep(db, &CODES, now, max_batches).await?,
        device_codes: sweep(db, &DEVICE_CODES, now, max_batches).await?,
        sessions: sweep(db, &SESSIONS, now, max_batches).await?,
        initial_tokens: sweep(db, &INITIAL_TOKENS, now, max_batches).await?,
        launches: sweep(db, &LAUNCHES, now, max_batches).await?,
        assertions: sweep(db, &ASSERTIONS, now, max_batches).await?,
        runs: sweep(db, &RUNS, now - run_retention, max_batches).await?,
        pending: sweep(
            db,
            &PENDING,
            now - crate::oauth::authorize::pending::PENDING_TTL,
            max_batches,
        )
        .await?,
        // Few rows, keyed by three columns: one statement.
        watches: sqlx::query("DELETE FROM front_channel_watches WHERE created_at < $1")
            .bind(now - crate::sandbox::recorder::WATCH_TTL)
            .execute(db.pool())
            .await?
            .rows_affected(),
        workspaces: super::workspaces::collect(db, now, i64::from(max_batches) * WORKSPACES)
            .await?,
        // A cell whose arrival time has passed counts as nothing: the same as no row.
        throttle: sweep(db, &THROTTLE_CELLS, now, max_batches).await?
            + sweep(db, &THROTTLE_BLOCKS, now, max_batches).await?,
        more: !walked,
    };
    let bound = u64::from(max_batches) * BATCH as u64;
    collected.more |= [
        collected.codes,
        collected.device_codes,
        collected.sessions,
        collected.initial_tokens,
        collected.launches,
        collected.assertions,
        collected.runs,
        collected.pending,
        collected.throttle,
    ]
    .iter()
    .any(|&n| n >= bound)
        || collected.workspaces >= u64::from(max_batches) * WORKSPACES as u64;
    Ok(collected)
}
