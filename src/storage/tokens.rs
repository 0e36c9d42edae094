//! Token storage: access and refresh tokens, by digest or by id.
//!
//! Invariants:
//! - opaque values are stored only as SHA-256 digests (`token_hash`); JWT access tokens only
//!   by their `jti` (`id`);
//! - every token of one grant shares a `family_id`; revoking the family revokes them all;
//! - a rotated refresh token is marked `used_at` in the same transaction that inserts its
//!   successor, and only if it was still unused, so two concurrent refreshes cannot both win.

use super::{Db, StorageResult};
use crate::model::client::TokenFormat;
use sqlx::FromRow;

/// Access or refresh.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    Access,
    Refresh,
}

impl TokenKind {
    fn as_str(self) -> &'static str {
        match self {
            TokenKind::Access => "access",
            TokenKind::Refresh => "refresh",
        }
    }
}

/// A token to insert.
#[derive(Clone, Debug)]
pub struct NewToken {
    pub id: String,
    pub kind: TokenKind,
    pub format: TokenFormat,
    pub token_hash: Option<String>,
    pub client_id: String,
    pub username: Option<String>,
    pub scope: String,
    pub family_id: String,
    pub issued_at: i64,
    pub expires_at: i64,
}

/// A stored token.
#[derive(Clone, Debug, FromRow)]
pub struct TokenRecord {
    pub id: String,
    pub kind: String,
    pub format: String,
    pub client_id: String,
    pub username: Option<String>,
    pub scope: String,
    pub family_id: String,
    pub issued_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

impl TokenRecord {
    /// True for a refresh token.
    pub fn is_refresh(&self) -> bool {
        self.kind == "refresh"
    }

    /// Active: not revoked and not expired at `now`.
    pub fn is_active(&self, now: i64) -> bool {
        self.revoked_at.is_none() && now < self.expires_at
    }
}

const SELECT: &str = "SELECT id, kind, format, client_id, username, scope, family_id, issued_at, \
    expires_at, used_at, revoked_at FROM tokens";

/// Finds an opaque token (access or refresh) by the digest of its value.
pub async fn find_by_hash(db: &Db, token_hash: &str) -> StorageResult<Option<TokenRecord>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE token_hash = ?"
    )))
    .bind(token_hash)
    .fetch_optional(db.pool())
    .await?)
}

/// Finds a token by id (a JWT's `jti`).
pub async fn find_by_id(db: &Db, id: &str) -> StorageResult<Option<TokenRecord>> {
    Ok(
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE id = ?")))
            .bind(id)
            .fetch_optional(db.pool())
            .await?,
    )
}

/// Inserts tokens inside a transaction.
pub async fn insert_in(tx: &mut sqlx::SqliteConnection, tokens: &[NewToken]) -> StorageResult<()> {
    for t in tokens {
        sqlx::query(
            "INSERT INTO tokens (id, kind, format, token_hash, client_id, username, scope, family_id, \
             issued_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&t.id)
        .bind(t.kind.as_str())
        .bind(t.format.as_str())
        .bind(&t.token_hash)
        .bind(&t.client_id)
        .bind(&t.username)
        .bind(&t.scope)
        .bind(&t.family_id)
        .bind(t.issued_at)
        .bind(t.expires_at)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

/// Marks the refresh token `old_id` used and inserts its successors, atomically. Returns false
/// (and writes nothing) when the old token was already used or revoked.
pub async fn rotate(
    db: &Db,
    old_id: &str,
    now: i64,
    successors: &[NewToken],
) -> StorageResult<bool> {
    let mut tx = db.begin_write().await?;
    let marked = sqlx::query(
        "UPDATE tokens SET used_at = ? WHERE id = ? AND used_at IS NULL AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(old_id)
    .execute(&mut *tx)
    .await?;
    if marked.rows_affected() != 1 {
        return Ok(false);
    }
    insert_in(&mut tx, successors).await?;
    tx.commit().await?;
    Ok(true)
}

/// Revokes every token of a grant. Returns how many were newly revoked.
pub async fn revoke_family(db: &Db, family_id: &str, now: i64) -> StorageResult<u64> {
    let done =
        sqlx::query("UPDATE tokens SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL")
            .bind(now)
            .bind(family_id)
            .execute(db.pool())
            .await?;
    Ok(done.rows_affected())
}

/// Revokes one token. Returns true when it was newly revoked.
pub async fn revoke_one(db: &Db, id: &str, now: i64) -> StorageResult<bool> {
    let done = sqlx::query("UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
        .bind(now)
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Counts tokens; for tests and the crash-safety check.
pub async fn count(db: &Db) -> StorageResult<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM tokens")
        .fetch_one(db.pool())
        .await?;
    Ok(n)
}
