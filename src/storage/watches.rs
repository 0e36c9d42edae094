//! The front channels the sandbox records (migration 0014), shared by every node.
//!
//! Invariant: one watch per (owner, client, state); watching again replaces it.

use super::{Db, StorageResult};

/// Watches `owner`'s browser as `client_id` with `state`; `trace` is what its pages join.
pub async fn upsert(
    db: &Db,
    owner: &str,
    client_id: &str,
    state: &str,
    trace: &str,
    now: i64,
) -> StorageResult<()> {
    sqlx::query(
        "INSERT INTO front_channel_watches (owner, client_id, state, trace, created_at) \
         VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (owner, client_id, state) DO UPDATE SET trace = excluded.trace, \
         created_at = excluded.created_at",
    )
    .bind(owner)
    .bind(client_id)
    .bind(state)
    .bind(trace)
    .bind(now)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// The trace of the watch of `owner` for `client_id` and `state`, made after `born_after`.
pub async fn find(
    db: &Db,
    owner: &str,
    client_id: &str,
    state: &str,
    born_after: i64,
) -> StorageResult<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT trace FROM front_channel_watches \
         WHERE owner = $1 AND client_id = $2 AND state = $3 AND created_at > $4",
    )
    .bind(owner)
    .bind(client_id)
    .bind(state)
    .bind(born_after)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|(t,)| t))
}

/// The traces of `owner`'s watches with `state`, whatever the client, newest first.
pub async fn by_state(
    db: &Db,
    owner: &str,
    state: &str,
    born_after: i64,
) -> StorageResult<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT trace FROM front_channel_watches \
         WHERE owner = $1 AND state = $2 AND created_at > $3 ORDER BY created_at DESC LIMIT 50",
    )
    .bind(owner)
    .bind(state)
    .bind(born_after)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(|(t,)| t).collect())
}

/// True when some watch made after `born_after` exists.
pub async fn any(db: &Db, born_after: i64) -> StorageResult<bool> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT 1 FROM front_channel_watches WHERE created_at > $1 LIMIT 1")
            .bind(born_after)
            .fetch_optional(db.pool())
            .await?;
    Ok(row.is_some())
}
