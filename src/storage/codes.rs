//! Authorization code storage.
//!
//! Invariants: a code is stored by handle with only the digest of its secret; redeeming marks
//! it used in the same transaction that stores the tokens, and only if it was unused, so a code
//! can be redeemed once even under concurrent requests.

use super::tokens::{NewToken, insert_in};
use super::{Db, StorageResult};
use sqlx::FromRow;

/// A code to store.
#[derive(Clone, Debug, FromRow)]
pub struct CodeRecord {
    pub handle: String,
    pub secret_hash: String,
    pub client_id: String,
    pub username: String,
    /// The redirect_uri exactly as sent to the authorization endpoint; `None` when omitted.
    pub redirect_uri: Option<String>,
    pub scope: String,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub nonce: Option<String>,
    pub auth_time: i64,
    pub family_id: String,
    pub issued_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    /// A SMART request's launch context, as JSON; the tokens inherit it.
    pub context: Option<String>,
    /// Extra claims (a JSON object) of a mock-mode test sign-in; the tokens carry them.
    pub claims: Option<String>,
}

/// Stores a new code.
pub async fn insert(db: &Db, code: &CodeRecord) -> StorageResult<()> {
    sqlx::query(
        "INSERT INTO auth_codes (handle, secret_hash, client_id, username, redirect_uri, scope, code_challenge, \
         code_challenge_method, nonce, auth_time, family_id, issued_at, expires_at, context, claims) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(&code.handle)
    .bind(&code.secret_hash)
    .bind(&code.client_id)
    .bind(&code.username)
    .bind(&code.redirect_uri)
    .bind(&code.scope)
    .bind(&code.code_challenge)
    .bind(&code.code_challenge_method)
    .bind(&code.nonce)
    .bind(code.auth_time)
    .bind(&code.family_id)
    .bind(code.issued_at)
    .bind(code.expires_at)
    .bind(&code.context)
    .bind(&code.claims)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Finds a code by handle.
pub async fn find(db: &Db, handle: &str) -> StorageResult<Option<CodeRecord>> {
    Ok(sqlx::query_as(
        "SELECT handle, secret_hash, client_id, username, redirect_uri, scope, code_challenge, \
         code_challenge_method, nonce, auth_time, family_id, issued_at, expires_at, used_at, \
         context, claims FROM auth_codes WHERE handle = $1",
    )
    .bind(handle)
    .fetch_optional(db.pool())
    .await?)
}

/// Marks the code used and stores the tokens issued for it, atomically. Returns false (and
/// writes nothing) when the code was already used.
pub async fn redeem(db: &Db, handle: &str, now: i64, tokens: &[NewToken]) -> StorageResult<bool> {
    let mut tx = db.begin_write().await?;
    let marked =
        sqlx::query("UPDATE auth_codes SET used_at = $1 WHERE handle = $2 AND used_at IS NULL")
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
