//! The failure throttle's counters and blocks (migration 0015), shared by every node.
//!
//! Each counter is a GCRA cell (the generic cell rate algorithm of ATM networks, as governor
//! and most rate limiters keep it): one theoretical arrival time per key. An event at `now`
//! conforms when `tat - tolerance <= now`; a conforming event moves `tat` to
//! `max(tat, now) + period`. The test and the move are one upsert, so two nodes counting the
//! same key at once both count, and neither overwrites the other.
//!
//! Invariant: a refused event changes nothing, so waiting is all it takes to conform again.

use super::{Db, StorageResult};

/// How a counter forgives: one event every `period` seconds, with `tolerance` seconds of
/// burst (the burst is `tolerance / period + 1` events in a row).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    pub period: i64,
    pub tolerance: i64,
}

/// Counts one event of `key` at `now`: `Ok(())` when it conforms (and is counted), otherwise
/// `Err(t)` with the first second `t` at which one would conform.
pub async fn count(db: &Db, key: &str, now: i64, rate: Rate) -> StorageResult<Result<(), i64>> {
    // Both SQLite (3.35) and PostgreSQL read an upsert whose update has a WHERE: no row comes
    // back when the WHERE is false, and nothing is written.
    let counted: Option<(i64,)> = sqlx::query_as(
        "INSERT INTO throttle_cells (key, tat) VALUES ($1, $2 + $3) \
         ON CONFLICT (key) DO UPDATE SET tat = \
         (CASE WHEN throttle_cells.tat > $2 THEN throttle_cells.tat ELSE $2 END) + $3 \
         WHERE throttle_cells.tat - $4 <= $2 \
         RETURNING tat",
    )
    .bind(key)
    .bind(now)
    .bind(rate.period)
    .bind(rate.tolerance)
    .fetch_optional(db.pool())
    .await?;
    if counted.is_some() {
        return Ok(Ok(()));
    }
    let tat: Option<(i64,)> = sqlx::query_as("SELECT tat FROM throttle_cells WHERE key = $1")
        .bind(key)
        .fetch_optional(db.pool())
        .await?;
    // The cell can only have vanished if the collector found it fresh: one more second.
    Ok(Err(tat.map_or(now + 1, |(tat,)| tat - rate.tolerance)))
}

/// Blocks `key` until `until` (Unix seconds), or later if it is blocked longer already.
pub async fn block(db: &Db, key: &str, until: i64) -> StorageResult<()> {
    sqlx::query(
        "INSERT INTO throttle_blocks (key, blocked_until) VALUES ($1, $2) \
         ON CONFLICT (key) DO UPDATE SET blocked_until = excluded.blocked_until \
         WHERE throttle_blocks.blocked_until < excluded.blocked_until",
    )
    .bind(key)
    .bind(until)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// The blocks still in force at `now`, with their ends: at most `limit`, the longest first.
pub async fn blocks(db: &Db, now: i64, limit: i64) -> StorageResult<Vec<(String, i64)>> {
    Ok(sqlx::query_as(
        "SELECT key, blocked_until FROM throttle_blocks WHERE blocked_until > $1 \
         ORDER BY blocked_until DESC LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(db.pool())
    .await?)
}
