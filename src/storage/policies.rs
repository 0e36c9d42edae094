//! Access policy storage.

use super::{Db, StorageError, StorageResult, decode_opt_list, encode_list};
use crate::model::policy::{AccessPolicy, AuthKind};
use sqlx::{Row, any::AnyRow};

fn from_row(row: &AnyRow) -> StorageResult<AccessPolicy> {
    let auth: Option<String> = row.try_get("auth")?;
    let auth = match auth.as_deref() {
        None => None,
        Some("basic") => Some(AuthKind::Basic),
        Some("bearer") => Some(AuthKind::Bearer),
        Some(other) => return Err(StorageError::Corrupt(format!("auth: {other}"))),
    };
    Ok(AccessPolicy {
        id: row.try_get("id")?,
        description: row.try_get("description")?,
        methods: decode_opt_list("methods", row.try_get("methods")?)?,
        path: row.try_get("path")?,
        client_ids: decode_opt_list("client_ids", row.try_get("client_ids")?)?,
        usernames: decode_opt_list("usernames", row.try_get("usernames")?)?,
        scopes: decode_opt_list("scopes", row.try_get("scopes")?)?,
        auth,
        issuers: decode_opt_list("issuers", row.try_get("issuers")?)?,
        owner: row.try_get("owner")?,
    })
}

const SELECT: &str = "SELECT id, description, methods, path, client_ids, usernames, scopes, auth, issuers, owner FROM access_policies";

/// Reads one policy.
pub async fn get(db: &Db, id: &str) -> StorageResult<Option<AccessPolicy>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} WHERE id = $1")))
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// Lists every policy, by id.
pub async fn list(db: &Db) -> StorageResult<Vec<AccessPolicy>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} ORDER BY id")))
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(from_row).collect()
}

/// Inserts or replaces a policy inside `tx`. Returns true when created.
pub async fn upsert_in(
    tx: &mut sqlx::AnyConnection,
    policy: &AccessPolicy,
    now: i64,
) -> StorageResult<bool> {
    let existed: Option<(i64,)> =
        sqlx::query_as("SELECT created_at FROM access_policies WHERE id = $1")
            .bind(&policy.id)
            .fetch_optional(&mut *tx)
            .await?;
    let list = |l: &Option<Vec<String>>| l.as_deref().map(encode_list);
    sqlx::query(
        "INSERT INTO access_policies (id, description, methods, path, client_ids, usernames, scopes, auth, \
         issuers, owner, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
         ON CONFLICT (id) DO UPDATE SET description = excluded.description, methods = excluded.methods, \
         path = excluded.path, client_ids = excluded.client_ids, usernames = excluded.usernames, \
         scopes = excluded.scopes, auth = excluded.auth, issuers = excluded.issuers, owner = excluded.owner, updated_at = excluded.updated_at",
    )
    .bind(&policy.id)
    .bind(&policy.description)
    .bind(list(&policy.methods))
    .bind(&policy.path)
    .bind(list(&policy.client_ids))
    .bind(list(&policy.usernames))
    .bind(list(&policy.scopes))
    .bind(policy.auth.map(|a| match a {
        AuthKind::Basic => "basic",
        AuthKind::Bearer => "bearer",
    }))
    .bind(list(&policy.issuers))
    .bind(&policy.owner)
    .bind(existed.map_or(now, |e| e.0))
    .bind(now)
    .execute(&mut *tx)
    .await?;
    Ok(existed.is_none())
}

/// Inserts or replaces one policy in its own transaction. Returns true when created.
pub async fn upsert(db: &Db, policy: &AccessPolicy, now: i64) -> StorageResult<bool> {
    let mut tx = db.begin_write().await?;
    let created = upsert_in(&mut tx, policy, now).await?;
    tx.commit().await?;
    Ok(created)
}

/// Deletes a policy. Returns true when it existed.
pub async fn delete(db: &Db, id: &str) -> StorageResult<bool> {
    let done = sqlx::query("DELETE FROM access_policies WHERE id = $1")
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected() > 0)
}
