//! Sandbox run history: each run's steps as JSON, written after every step.

use super::{Db, StorageResult};

/// A stored run.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct RunRow {
    pub id: String,
    pub flow: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub steps: String,
    /// The developer who made it; `None` for a run made without a console session.
    pub owner: Option<String>,
}

/// Inserts run `id`, or replaces its steps when it has the same owner; another owner's run is
/// left alone.
pub async fn save(
    db: &Db,
    id: &str,
    flow: &str,
    steps_json: &str,
    now: i64,
    owner: Option<&str>,
) -> StorageResult<()> {
    sqlx::query(
        "INSERT INTO sandbox_runs (id, flow, created_at, updated_at, steps, owner) VALUES (?, ?, ?, ?, ?, ?) \
         ON CONFLICT (id) DO UPDATE SET steps = excluded.steps, updated_at = excluded.updated_at \
         WHERE sandbox_runs.owner IS excluded.owner",
    )
    .bind(id)
    .bind(flow)
    .bind(now)
    .bind(now)
    .bind(steps_json)
    .bind(owner)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// The newest runs first, at most `limit`: the anonymous ones and those of `owner` (every run
/// for `All`).
pub async fn list(db: &Db, limit: i64, viewer: Viewer<'_>) -> StorageResult<Vec<RunRow>> {
    let (all, owner) = match viewer {
        Viewer::All => (1, ""),
        Viewer::Owner(o) => (0, o),
        Viewer::Anonymous => (0, ""),
    };
    Ok(sqlx::query_as(
        "SELECT id, flow, created_at, updated_at, steps, owner FROM sandbox_runs \
         WHERE ? = 1 OR owner IS NULL OR owner = ? ORDER BY id DESC LIMIT ?",
    )
    .bind(all)
    .bind(owner)
    .bind(limit)
    .fetch_all(db.pool())
    .await?)
}

/// Who is looking at runs.
#[derive(Clone, Copy, Debug)]
pub enum Viewer<'a> {
    /// An admin: every run.
    All,
    /// A developer: the anonymous runs and their own.
    Owner(&'a str),
    /// Nobody signed in: the anonymous runs.
    Anonymous,
}

/// One run.
pub async fn get(db: &Db, id: &str) -> StorageResult<Option<RunRow>> {
    Ok(sqlx::query_as(
        "SELECT id, flow, created_at, updated_at, steps, owner FROM sandbox_runs WHERE id = ?",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?)
}
