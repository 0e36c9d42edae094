//! EHR launches (SMART App Launch 2.x §2.0.1).
//!
//! Invariants: a launch value is `<handle>.<secret>`; only the secret's SHA-256 digest is
//! stored and it is compared in constant time; a launch is bound to one client, expires, and is
//! marked used by a conditional update, so two requests racing on one value cannot both win.

use super::{Db, StorageResult};
use crate::secret::secret_matches;

/// A launch to store.
#[derive(Clone, Debug)]
pub struct NewLaunch {
    pub handle: String,
    pub secret_hash: String,
    pub client_id: String,
    /// The [`crate::smart::context::LaunchContext`] as JSON.
    pub context: String,
    /// Who created it: `admin`, or the developer's username.
    pub created_by: String,
    pub issued_at: i64,
    pub expires_at: i64,
}

/// Stores a new launch.
pub async fn insert(db: &Db, launch: &NewLaunch) -> StorageResult<()> {
    sqlx::query(
        "INSERT INTO launches (handle, secret_hash, client_id, context, created_by, issued_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&launch.handle)
    .bind(&launch.secret_hash)
    .bind(&launch.client_id)
    .bind(&launch.context)
    .bind(&launch.created_by)
    .bind(launch.issued_at)
    .bind(launch.expires_at)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Why a launch value was not accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    /// Malformed, unknown, or its secret does not match.
    Unknown,
    /// Created for another client.
    OtherClient,
    Expired,
    /// Already used once.
    Used,
}

/// Uses launch `value` for `client_id` at `now`: its context JSON, or why not. A launch works
/// once: the first use marks it, and every later one is refused.
pub async fn consume(
    db: &Db,
    value: &str,
    client_id: &str,
    now: i64,
) -> StorageResult<Result<String, Refused>> {
    let Some((handle, secret)) = value.split_once('.') else {
        return Ok(Err(Refused::Unknown));
    };
    let row: Option<(String, String, String, i64, Option<i64>)> = sqlx::query_as(
        "SELECT secret_hash, client_id, context, expires_at, used_at FROM launches WHERE handle = $1",
    )
    .bind(handle)
    .fetch_optional(db.pool())
    .await?;
    let Some((hash, owner, context, expires_at, used_at)) = row else {
        return Ok(Err(Refused::Unknown));
    };
    if !secret_matches(&hash, secret) {
        return Ok(Err(Refused::Unknown));
    }
    if owner != client_id {
        return Ok(Err(Refused::OtherClient));
    }
    if used_at.is_some() {
        return Ok(Err(Refused::Used));
    }
    if now >= expires_at {
        return Ok(Err(Refused::Expired));
    }
    let marked =
        sqlx::query("UPDATE launches SET used_at = $1 WHERE handle = $2 AND used_at IS NULL")
            .bind(now)
            .bind(handle)
            .execute(db.pool())
            .await?;
    Ok(if marked.rows_affected() == 1 {
        Ok(context)
    } else {
        Err(Refused::Used)
    })
}
