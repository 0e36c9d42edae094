//! Sandbox run history: each run's steps as JSON, written after every step.
//!
//! A run has exactly one owner: the developer signed in to the console when it was made, or
//! else the browser that made it (the digest of its visitor cookie). Every read and write names
//! the owner, so a run of anyone else is simply not found.

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

/// Who a run belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunOwner<'a> {
    /// A developer, by username.
    Developer(&'a str),
    /// A browser without a console session, by the digest of its visitor cookie.
    Visitor(&'a str),
}

impl<'a> RunOwner<'a> {
    fn columns(self) -> (Option<&'a str>, Option<&'a str>) {
        match self {
            RunOwner::Developer(name) => (Some(name), None),
            RunOwner::Visitor(digest) => (None, Some(digest)),
        }
    }
}

// Every statement below matches the owner's rows with the same clause, bound as
// (developer, visitor): `(owner = ? AND owner IS NOT NULL) OR (owner IS NULL AND visitor = ?)`.

/// Inserts run `id` for `owner`, or replaces its steps when it is already theirs. Returns false
/// (and writes nothing) when the id belongs to someone else.
pub async fn save(
    db: &Db,
    id: &str,
    flow: &str,
    steps_json: &str,
    now: i64,
    owner: RunOwner<'_>,
) -> StorageResult<bool> {
    let (developer, visitor) = owner.columns();
    let done = sqlx::query(
        "INSERT INTO sandbox_runs (id, flow, created_at, updated_at, steps, owner, visitor) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (id) DO UPDATE SET steps = excluded.steps, updated_at = excluded.updated_at \
         WHERE ((sandbox_runs.owner IS NOT NULL AND sandbox_runs.owner = $8) OR (sandbox_runs.owner IS NULL AND sandbox_runs.visitor IS NOT NULL AND sandbox_runs.visitor = $9))",
    )
    .bind(id)
    .bind(flow)
    .bind(now)
    .bind(now)
    .bind(steps_json)
    .bind(developer)
    .bind(visitor)
    .bind(developer)
    .bind(visitor)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The owner's newest runs first, at most `limit`.
pub async fn list(db: &Db, limit: i64, owner: RunOwner<'_>) -> StorageResult<Vec<RunRow>> {
    let (developer, visitor) = owner.columns();
    Ok(sqlx::query_as(
        "SELECT id, flow, created_at, updated_at, steps FROM sandbox_runs \
         WHERE ((owner IS NOT NULL AND owner = $1) OR (owner IS NULL AND visitor IS NOT NULL AND visitor = $2)) ORDER BY id DESC LIMIT $3",
    )
    .bind(developer)
    .bind(visitor)
    .bind(limit)
    .fetch_all(db.pool())
    .await?)
}

/// Run `id`, when it is the owner's.
pub async fn get(db: &Db, id: &str, owner: RunOwner<'_>) -> StorageResult<Option<RunRow>> {
    let (developer, visitor) = owner.columns();
    Ok(sqlx::query_as(
        "SELECT id, flow, created_at, updated_at, steps FROM sandbox_runs WHERE id = $1 AND \
         ((owner IS NOT NULL AND owner = $2) OR (owner IS NULL AND visitor IS NOT NULL AND visitor = $3))",
    )
    .bind(id)
    .bind(developer)
    .bind(visitor)
    .fetch_optional(db.pool())
    .await?)
}

/// Deletes run `id` when it is the owner's; true when it was.
pub async fn delete(db: &Db, id: &str, owner: RunOwner<'_>) -> StorageResult<bool> {
    let (developer, visitor) = owner.columns();
    let done = sqlx::query(
        "DELETE FROM sandbox_runs WHERE id = $1 AND ((owner IS NOT NULL AND owner = $2) OR (owner IS NULL AND visitor IS NOT NULL AND visitor = $3))",
    )
        .bind(id)
        .bind(developer)
        .bind(visitor)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected() == 1)
}
