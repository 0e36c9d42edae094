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
}

/// Inserts or replaces the steps of run `id`.
pub async fn save(db: &Db, id: &str, flow: &str, steps_json: &str, now: i64) -> StorageResult<()> {
    sqlx::query(
        "INSERT INTO sandbox_runs (id, flow, created_at, updated_at, steps) VALUES (?, ?, ?, ?, ?) \
         ON CONFLICT (id) DO UPDATE SET steps = excluded.steps, updated_at = excluded.updated_at",
    )
    .bind(id)
    .bind(flow)
    .bind(now)
    .bind(now)
    .bind(steps_json)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// The newest runs first, at most `limit`.
pub async fn list(db: &Db, limit: i64) -> StorageResult<Vec<RunRow>> {
    Ok(sqlx::query_as(
        "SELECT id, flow, created_at, updated_at, steps FROM sandbox_runs ORDER BY id DESC LIMIT ?",
    )
    .bind(limit)
    .fetch_all(db.pool())
    .await?)
}

/// One run.
pub async fn get(db: &Db, id: &str) -> StorageResult<Option<RunRow>> {
    Ok(sqlx::query_as(
        "SELECT id, flow, created_at, updated_at, steps FROM sandbox_runs WHERE id = ?",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?)
}
