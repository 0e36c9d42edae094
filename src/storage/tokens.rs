//! Token storage: access and refresh tokens, by handle.
//!
//! Invariants:
//! - a row is keyed by its time-ordered `handle`: the first part of an opaque token's value, or
//!   a JWT's `jti`; an opaque token's secret part is stored only as a SHA-256 digest;
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
    pub handle: String,
    pub kind: TokenKind,
    pub format: TokenFormat,
    /// The digest of an opaque token's secret part; `None` for a JWT.
    pub secret_hash: Option<String>,
    pub client_id: String,
    pub username: Option<String>,
    pub scope: String,
    pub family_id: String,
    pub issued_at: i64,
    pub expires_at: i64,
    /// A SMART grant's launch context, as JSON.
    pub context: Option<String>,
    /// Extra claims (a JSON object) of a token minted through the mock control API.
    pub claims: Option<String>,
}

/// A stored token.
#[derive(Clone, Debug, FromRow)]
pub struct TokenRecord {
    pub handle: String,
    pub kind: String,
    pub format: String,
    pub secret_hash: Option<String>,
    pub client_id: String,
    pub username: Option<String>,
    pub scope: String,
    pub family_id: String,
    pub issued_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    pub revoked_at: Option<i64>,
    /// A SMART grant's launch context, as JSON.
    pub context: Option<String>,
    /// Extra claims (a JSON object) of a token minted through the mock control API.
    pub claims: Option<String>,
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

impl NewToken {
    /// The record this row becomes once stored: unused, unrevoked.
    pub fn record(&self) -> TokenRecord {
        TokenRecord {
            handle: self.handle.clone(),
            kind: self.kind.as_str().to_owned(),
            format: self.format.as_str().to_owned(),
            secret_hash: self.secret_hash.clone(),
            client_id: self.client_id.clone(),
            username: self.username.clone(),
            scope: self.scope.clone(),
            family_id: self.family_id.clone(),
            issued_at: self.issued_at,
            expires_at: self.expires_at,
            used_at: None,
            revoked_at: None,
            context: self.context.clone(),
            claims: self.claims.clone(),
        }
    }
}

const SELECT: &str = "SELECT handle, kind, format, secret_hash, client_id, username, scope, family_id, issued_at, \
    expires_at, used_at, revoked_at, context, claims FROM tokens";

/// Finds a token by its handle.
pub async fn find(db: &Db, handle: &str) -> StorageResult<Option<TokenRecord>> {
    Ok(
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE handle = $1")))
            .bind(handle)
            .fetch_optional(db.pool())
            .await?,
    )
}

/// The most rows one INSERT carries ([`COLUMNS`] bound values each, far below SQLite's limit of
/// 32766 and PostgreSQL's of 65535).
const ROWS_PER_STATEMENT: usize = 500;
/// The values of one token row.
const COLUMNS: usize = 12;

/// Inserts tokens inside a transaction, many rows per statement: one round trip to the
/// database connection per statement, not per row.
pub async fn insert_in<'a, I>(tx: &mut sqlx::AnyConnection, tokens: I) -> StorageResult<()>
where
    I: IntoIterator<Item = &'a NewToken>,
{
    let all: Vec<&NewToken> = tokens.into_iter().collect();
    for chunk in all.chunks(ROWS_PER_STATEMENT) {
        // `($1, …, $12), ($13, …)`: numbered placeholders, which both backends read.
        let rows: Vec<String> = (0..chunk.len())
            .map(|r| {
                let cells: Vec<String> = (1..=COLUMNS)
                    .map(|c| format!("${}", r * COLUMNS + c))
                    .collect();
                format!("({})", cells.join(", "))
            })
            .collect();
        let sql = format!(
            "INSERT INTO tokens (handle, kind, format, secret_hash, client_id, username, scope, family_id, \
             issued_at, expires_at, context, claims) VALUES {}",
            rows.join(", ")
        );
        // Built from numbers only, never from input.
        let mut insert = sqlx::query(sqlx::AssertSqlSafe(sql));
        for t in chunk {
            insert = insert
                .bind(&t.handle)
                .bind(t.kind.as_str())
                .bind(t.format.as_str())
                .bind(&t.secret_hash)
                .bind(&t.client_id)
                .bind(&t.username)
                .bind(&t.scope)
                .bind(&t.family_id)
                .bind(t.issued_at)
                .bind(t.expires_at)
                .bind(&t.context)
                .bind(&t.claims);
        }
        insert.execute(&mut *tx).await?;
    }
    Ok(())
}

/// Marks the refresh token `old` used and inserts its successors, atomically. Returns false
/// (and writes nothing) when the old token was already used or revoked.
pub async fn rotate(db: &Db, old: &str, now: i64, successors: &[NewToken]) -> StorageResult<bool> {
    let mut tx = db.begin_write().await?;
    let marked = sqlx::query(
        "UPDATE tokens SET used_at = $1 WHERE handle = $2 AND used_at IS NULL AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(old)
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
    let done = sqlx::query(
        "UPDATE tokens SET revoked_at = $1 WHERE family_id = $2 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(family_id)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected())
}

/// Revokes one token. Returns true when it was newly revoked.
pub async fn revoke_one(db: &Db, handle: &str, now: i64) -> StorageResult<bool> {
    let done =
        sqlx::query("UPDATE tokens SET revoked_at = $1 WHERE handle = $2 AND revoked_at IS NULL")
            .bind(now)
            .bind(handle)
            .execute(db.pool())
            .await?;
    Ok(done.rows_affected() > 0)
}
