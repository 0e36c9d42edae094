//! User storage. Invariant: `password_hash` is always an argon2 PHC string.

use super::{Db, StorageError, StorageResult, decode_list, encode_list};
use crate::model::user::{Role, User};
use sqlx::{Row, any::AnyRow};

fn from_row(row: &AnyRow) -> StorageResult<User> {
    let roles = decode_list("roles", row.try_get("roles")?)?
        .into_iter()
        .map(|r| {
            serde_json::from_value::<Role>(serde_json::Value::String(r))
                .map_err(|e| StorageError::Corrupt(format!("roles: {e}")))
        })
        .collect::<StorageResult<Vec<_>>>()?;
    Ok(User {
        username: row.try_get("username")?,
        password_hash: row.try_get("password_hash")?,
        name: row.try_get("name")?,
        email: row.try_get("email")?,
        fhir_user: row.try_get("fhir_user")?,
        roles,
        owner: row.try_get("owner")?,
        disabled: row.try_get::<i64, _>("disabled")? != 0,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

const SELECT: &str = "SELECT username, password_hash, name, email, fhir_user, roles, owner, disabled, created_at, updated_at FROM users";

/// Reads one user.
pub async fn get(db: &Db, username: &str) -> StorageResult<Option<User>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} WHERE username = $1")))
        .bind(username)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// Lists users, all or those of one owner.
pub async fn list(db: &Db, owner: Option<&str>) -> StorageResult<Vec<User>> {
    let rows = match owner {
        Some(o) => {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "{SELECT} WHERE owner = $1 ORDER BY username"
            )))
            .bind(o)
            .fetch_all(db.pool())
            .await?
        }
        None => {
            sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} ORDER BY username")))
                .fetch_all(db.pool())
                .await?
        }
    };
    rows.iter().map(from_row).collect()
}

/// Inserts or replaces a user inside `tx`, keeping `created_at`. Returns true when created.
pub async fn upsert_in(tx: &mut sqlx::AnyConnection, user: &User) -> StorageResult<bool> {
    let existed: Option<(i64,)> =
        sqlx::query_as("SELECT created_at FROM users WHERE username = $1")
            .bind(&user.username)
            .fetch_optional(&mut *tx)
            .await?;
    let roles: Vec<String> = user.roles.iter().map(|r| r.name().to_owned()).collect();
    sqlx::query(
        "INSERT INTO users (username, password_hash, name, email, fhir_user, roles, owner, disabled, created_at, \
         updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (username) DO UPDATE SET \
         password_hash = excluded.password_hash, name = excluded.name, email = excluded.email, \
         fhir_user = excluded.fhir_user, \
         roles = excluded.roles, owner = excluded.owner, disabled = excluded.disabled, \
         updated_at = excluded.updated_at",
    )
    .bind(&user.username)
    .bind(&user.password_hash)
    .bind(&user.name)
    .bind(&user.email)
    .bind(&user.fhir_user)
    .bind(encode_list(&roles))
    .bind(&user.owner)
    .bind(i64::from(user.disabled))
    .bind(existed.map_or(user.created_at, |e| e.0))
    .bind(user.updated_at)
    .execute(&mut *tx)
    .await?;
    Ok(existed.is_none())
}

/// Inserts or replaces one user in its own transaction. Returns true when created.
pub async fn upsert(db: &Db, user: &User) -> StorageResult<bool> {
    let mut tx = db.begin_write().await?;
    let created = upsert_in(&mut tx, user).await?;
    tx.commit().await?;
    Ok(created)
}

/// Inserts a user that must be new, in one write transaction. Returns false, writing nothing,
/// when the username is taken.
pub async fn insert_new(db: &Db, user: &User) -> StorageResult<bool> {
    let mut tx = db.begin_write().await?;
    if !insert_new_in(&mut tx, user).await? {
        return Ok(false);
    }
    tx.commit().await?;
    Ok(true)
}

/// Inserts a user that must be new inside `tx`; false, writing nothing, when the username is
/// taken.
pub async fn insert_new_in(tx: &mut sqlx::AnyConnection, user: &User) -> StorageResult<bool> {
    let taken: Option<(String,)> = sqlx::query_as("SELECT username FROM users WHERE username = $1")
        .bind(&user.username)
        .fetch_optional(&mut *tx)
        .await?;
    if taken.is_some() {
        return Ok(false);
    }
    upsert_in(tx, user).await?;
    Ok(true)
}

/// Deletes a user and, by cascade, the tokens issued for them.
pub async fn delete(db: &Db, username: &str) -> StorageResult<bool> {
    let done = sqlx::query("DELETE FROM users WHERE username = $1")
        .bind(username)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected() > 0)
}
