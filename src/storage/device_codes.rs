//! Device code storage (RFC 8628).
//!
//! Invariants: the device code is stored by handle with only the digest of its secret; a user
//! code names one row; the person's decision moves a pending row only; redeeming marks an
//! approved row used in the same transaction that stores the tokens, and only if it was still
//! approved, so a device code yields tokens once even under concurrent polls.

use super::tokens::{NewToken, insert_in};
use super::{Db, StorageResult};
use sqlx::FromRow;

/// A device code.
#[derive(Clone, Debug, FromRow, PartialEq, Eq)]
pub struct DeviceCode {
    pub handle: String,
    pub secret_hash: String,
    pub user_code: String,
    pub client_id: String,
    pub scope: String,
    pub issued_at: i64,
    pub expires_at: i64,
    pub poll_interval: i64,
    pub last_poll_at: Option<i64>,
    pub status: String,
    pub username: Option<String>,
    pub auth_time: Option<i64>,
    pub family_id: String,
}

const COLUMNS: &str = "handle, secret_hash, user_code, client_id, scope, issued_at, expires_at, \
                       poll_interval, last_poll_at, status, username, auth_time, family_id";

/// Stores a new code; false when its user code is already taken (the caller draws another).
pub async fn insert(db: &Db, code: &DeviceCode) -> StorageResult<bool> {
    let done = sqlx::query(
        "INSERT INTO device_codes (handle, secret_hash, user_code, client_id, scope, issued_at, \
         expires_at, poll_interval, family_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (user_code) DO NOTHING",
    )
    .bind(&code.handle)
    .bind(&code.secret_hash)
    .bind(&code.user_code)
    .bind(&code.client_id)
    .bind(&code.scope)
    .bind(code.issued_at)
    .bind(code.expires_at)
    .bind(code.poll_interval)
    .bind(&code.family_id)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The code with `handle`.
pub async fn find(db: &Db, handle: &str) -> StorageResult<Option<DeviceCode>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM device_codes WHERE handle = $1"
    )))
    .bind(handle)
    .fetch_optional(db.pool())
    .await?)
}

/// The code a person typed, while it is pending and unexpired.
pub async fn pending_by_user_code(
    db: &Db,
    user_code: &str,
    now: i64,
) -> StorageResult<Option<DeviceCode>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM device_codes \
         WHERE user_code = $1 AND status = 'pending' AND expires_at > $2"
    )))
    .bind(user_code)
    .bind(now)
    .fetch_optional(db.pool())
    .await?)
}

/// Records the person's decision on a pending code: approved by `username` signed in at
/// `auth_time`, or denied. False when the code was no longer pending.
pub async fn decide(
    db: &Db,
    handle: &str,
    approved: Option<(&str, i64)>,
    now: i64,
) -> StorageResult<bool> {
    let (status, username, auth_time) = match approved {
        Some((u, t)) => ("approved", Some(u), Some(t)),
        None => ("denied", None, None),
    };
    let done = sqlx::query(
        "UPDATE device_codes SET status = $1, username = $2, auth_time = $3 \
         WHERE handle = $4 AND status = 'pending' AND expires_at > $5",
    )
    .bind(status)
    .bind(username)
    .bind(auth_time)
    .bind(handle)
    .bind(now)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records a poll at `now`, with the interval the client must keep from now on.
pub async fn polled(db: &Db, handle: &str, now: i64, interval: i64) -> StorageResult<()> {
    sqlx::query("UPDATE device_codes SET last_poll_at = $1, poll_interval = $2 WHERE handle = $3")
        .bind(now)
        .bind(interval)
        .bind(handle)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Marks an approved code used and stores the tokens issued for it, atomically. False (and
/// nothing written) when it was not approved any more.
pub async fn redeem(db: &Db, handle: &str, now: i64, tokens: &[NewToken]) -> StorageResult<bool> {
    let mut tx = db.begin_write().await?;
    let marked = sqlx::query(
        "UPDATE device_codes SET status = 'used', last_poll_at = $1 \
         WHERE handle = $2 AND status = 'approved'",
    )
    .bind(now)
    .bind(handle)
    .execute(&mut *tx)
    .await?;
    if marked.rows_affected() != 1 {
        return Ok(false);
    }
    insert_in(&mut tx, tokens).await?;
    tx.commit().await?;
    Ok(true)
}
