//! Learner workspaces: developer accounts with an end (`users.expires_at`). The tutorial makes
//! one per browser; the collector deletes an expired one with everything it owns, in one
//! transaction; keeping one gives it a name of the learner's choosing and clears the end.

use super::{Db, StorageResult};
use crate::model::user::User;

/// The tables whose `owner` column names the account that made a row.
const OWNED: [&str; 5] = [
    "clients",
    "users",
    "access_policies",
    "trusted_issuers",
    "sandbox_runs",
];
/// The tables whose rows point at an account by its username (foreign keys).
const REFERRING: [(&str, &str); 6] = [
    ("tokens", "username"),
    ("auth_codes", "username"),
    ("device_codes", "username"),
    ("sessions", "username"),
    ("consents", "username"),
    ("initial_access_tokens", "owner"),
];

/// Inserts a new learner account that ends at `expires_at`; the runs the browser made before
/// (owned by the digest of its visitor cookie, `visitor`) move into it. False, writing nothing,
/// when the username is taken.
pub async fn create(
    db: &Db,
    user: &User,
    expires_at: i64,
    visitor: Option<&str>,
) -> StorageResult<bool> {
    let mut tx = db.begin_write().await?;
    if !super::users::insert_new_in(&mut tx, user).await? {
        return Ok(false);
    }
    sqlx::query("UPDATE users SET expires_at = $1 WHERE username = $2")
        .bind(expires_at)
        .bind(&user.username)
        .execute(&mut *tx)
        .await?;
    if let Some(visitor) = visitor {
        sqlx::query(
            "UPDATE sandbox_runs SET owner = $1, visitor = NULL WHERE owner IS NULL AND visitor = $2",
        )
        .bind(&user.username)
        .bind(visitor)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// When the account `username` ends: `None` for a lasting account or an unknown one.
pub async fn expiry(db: &Db, username: &str) -> StorageResult<Option<i64>> {
    let row: Option<(Option<i64>,)> =
        sqlx::query_as("SELECT expires_at FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(db.pool())
            .await?;
    Ok(row.and_then(|r| r.0))
}

/// Gives the learner account `username` a new password hash; false when it is not a learner's.
pub async fn set_password(db: &Db, username: &str, hash: &str, now: i64) -> StorageResult<bool> {
    let done = sqlx::query(
        "UPDATE users SET password_hash = $1, updated_at = $2 WHERE username = $3 AND expires_at IS NOT NULL",
    )
    .bind(hash)
    .bind(now)
    .bind(username)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// What keeping a workspace did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kept {
    /// The account is now `new`, lasting, with the new password.
    Kept,
    /// Another account already has that name; nothing was written.
    Taken,
    /// `old` is not a learner workspace (kept already, or gone); nothing was written.
    NotALearner,
}

/// Turns the learner account `old` into the lasting developer account `new` with `hash`, in
/// one transaction: what it owns and everything that points at it follow the new name.
pub async fn keep(db: &Db, old: &str, new: &str, hash: &str, now: i64) -> StorageResult<Kept> {
    let mut tx = db.begin_write().await?;
    let learner: Option<(i64,)> = sqlx::query_as(
        "SELECT expires_at FROM users WHERE username = $1 AND expires_at IS NOT NULL",
    )
    .bind(old)
    .fetch_optional(&mut *tx)
    .await?;
    if learner.is_none() {
        return Ok(Kept::NotALearner);
    }
    if old != new {
        let taken: Option<(String,)> =
            sqlx::query_as("SELECT username FROM users WHERE username = $1")
                .bind(new)
                .fetch_optional(&mut *tx)
                .await?;
        if taken.is_some() {
            return Ok(Kept::Taken);
        }
        sqlx::query(
            "INSERT INTO users (username, password_hash, name, email, fhir_user, roles, owner, disabled, created_at, updated_at, expires_at) \
             SELECT $1, password_hash, name, email, fhir_user, roles, owner, disabled, created_at, updated_at, expires_at FROM users WHERE username = $2",
        )
        .bind(new)
        .bind(old)
        .execute(&mut *tx)
        .await?;
        let columns = OWNED
            .iter()
            .map(|t| (*t, "owner"))
            .chain(REFERRING.iter().copied());
        for (table, column) in columns {
            // Built from the constants above only, never from input.
            let sql = format!("UPDATE {table} SET {column} = $1 WHERE {column} = $2");
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(new)
                .bind(old)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("DELETE FROM users WHERE username = $1")
            .bind(old)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query(
        "UPDATE users SET password_hash = $1, updated_at = $2, expires_at = NULL WHERE username = $3",
    )
    .bind(hash)
    .bind(now)
    .bind(new)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Kept::Kept)
}

/// Deletes up to `limit` learner workspaces that ended before `now`, each with everything it
/// owns (its clients, users, policies and runs; their tokens, codes, consents and sessions by
/// cascade), one transaction each. Returns how many went.
pub async fn collect(db: &Db, now: i64, limit: i64) -> StorageResult<u64> {
    let ended: Vec<(String,)> = sqlx::query_as(
        "SELECT username FROM users WHERE expires_at IS NOT NULL AND expires_at < $1 LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    let mut deleted = 0;
    for (username,) in ended {
        let mut tx = db.begin_write().await?;
        for table in OWNED {
            // Built from the constants above only, never from input.
            let sql = format!("DELETE FROM {table} WHERE owner = $1");
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(&username)
                .execute(&mut *tx)
                .await?;
        }
        let done = sqlx::query("DELETE FROM users WHERE username = $1 AND expires_at < $2")
            .bind(&username)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        deleted += done.rows_affected();
        tokio::task::yield_now().await;
    }
    Ok(deleted)
}
