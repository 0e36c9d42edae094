//! Client storage.
//!
//! Invariants: `secret_hash` is an argon2 PHC string or NULL (public clients); deleting a client
//! deletes its tokens (foreign key cascade), so they stop working at once.

use super::{Db, StorageError, StorageResult, decode_list, encode_list};
use crate::model::client::{AuthMethod, Client, GrantType, TokenFormat};
use crate::model::scope::Scope;
use sqlx::{Row, any::AnyRow};

const COLUMNS: &str = "client_id, client_name, secret_hash, token_endpoint_auth_method, grant_types, \
    redirect_uris, scope, first_party, access_token_format, access_token_ttl, refresh_token_ttl, \
    require_pkce, allow_plain_pkce, rotate_refresh_tokens, jwks, jwks_uri, launch_uri, owner, created_at, \
    updated_at";

fn parse_enum<T: serde::de::DeserializeOwned>(column: &str, raw: &str) -> StorageResult<T> {
    serde_json::from_value(serde_json::Value::String(raw.to_owned()))
        .map_err(|e| StorageError::Corrupt(format!("{column}: {e}")))
}

fn from_row(row: &AnyRow) -> StorageResult<Client> {
    let grant_names = decode_list("grant_types", row.try_get("grant_types")?)?;
    let grant_types = grant_names
        .iter()
        .map(|g| parse_enum::<GrantType>("grant_types", g))
        .collect::<StorageResult<Vec<_>>>()?;
    Ok(Client {
        client_id: row.try_get("client_id")?,
        client_name: row.try_get("client_name")?,
        secret_hash: row.try_get("secret_hash")?,
        auth_method: parse_enum::<AuthMethod>(
            "token_endpoint_auth_method",
            row.try_get("token_endpoint_auth_method")?,
        )?,
        grant_types,
        redirect_uris: decode_list("redirect_uris", row.try_get("redirect_uris")?)?,
        scope: Scope::parse(row.try_get("scope")?).map_err(StorageError::Corrupt)?,
        first_party: row.try_get::<i64, _>("first_party")? != 0,
        access_token_format: parse_enum::<TokenFormat>(
            "access_token_format",
            row.try_get("access_token_format")?,
        )?,
        access_token_ttl: row.try_get("access_token_ttl")?,
        refresh_token_ttl: row.try_get("refresh_token_ttl")?,
        require_pkce: row.try_get::<i64, _>("require_pkce")? != 0,
        allow_plain_pkce: row.try_get::<i64, _>("allow_plain_pkce")? != 0,
        rotate_refresh_tokens: row.try_get::<i64, _>("rotate_refresh_tokens")? != 0,
        jwks: row
            .try_get::<Option<&str>, _>("jwks")?
            .map(serde_json::from_str)
            .transpose()
            .map_err(|e| StorageError::Corrupt(format!("jwks: {e}")))?,
        jwks_uri: row.try_get("jwks_uri")?,
        launch_uri: row.try_get("launch_uri")?,
        owner: row.try_get("owner")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// Reads one client.
pub async fn get(db: &Db, client_id: &str) -> StorageResult<Option<Client>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM clients WHERE client_id = $1"
    )))
    .bind(client_id)
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// Lists clients, all of them or those of one owner, by id.
pub async fn list(db: &Db, owner: Option<&str>) -> StorageResult<Vec<Client>> {
    let rows = match owner {
        Some(o) => {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM clients WHERE owner = $1 ORDER BY client_id"
            )))
            .bind(o)
            .fetch_all(db.pool())
            .await?
        }
        None => {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM clients ORDER BY client_id"
            )))
            .fetch_all(db.pool())
            .await?
        }
    };
    rows.iter().map(from_row).collect()
}

/// Inserts or replaces a client inside `tx`, keeping its `created_at` (and its secret hash when
/// `client.secret_hash` is `None` and `keep_secret` is set). Returns true when it was created.
pub async fn upsert_in(
    tx: &mut sqlx::AnyConnection,
    client: &Client,
    keep_secret: bool,
) -> StorageResult<bool> {
    let existing: Option<(i64, Option<String>)> =
        sqlx::query_as("SELECT created_at, secret_hash FROM clients WHERE client_id = $1")
            .bind(&client.client_id)
            .fetch_optional(&mut *tx)
            .await?;
    let created_at = existing.as_ref().map_or(client.created_at, |e| e.0);
    let secret_hash = match (&client.secret_hash, keep_secret, &existing) {
        (Some(h), _, _) => Some(h.clone()),
        (None, true, Some((_, old))) => old.clone(),
        _ => None,
    };
    let grants: Vec<String> = client
        .grant_types
        .iter()
        .map(|g| g.as_str().to_owned())
        .collect();
    sqlx::query(
        "INSERT INTO clients (client_id, client_name, secret_hash, token_endpoint_auth_method, grant_types, \
         redirect_uris, scope, first_party, access_token_format, access_token_ttl, refresh_token_ttl, \
         require_pkce, allow_plain_pkce, rotate_refresh_tokens, jwks, jwks_uri, launch_uri, owner, \
         created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20) \
         ON CONFLICT (client_id) DO UPDATE SET client_name = excluded.client_name, \
         secret_hash = excluded.secret_hash, token_endpoint_auth_method = excluded.token_endpoint_auth_method, \
         grant_types = excluded.grant_types, redirect_uris = excluded.redirect_uris, scope = excluded.scope, \
         first_party = excluded.first_party, access_token_format = excluded.access_token_format, \
         access_token_ttl = excluded.access_token_ttl, refresh_token_ttl = excluded.refresh_token_ttl, \
         require_pkce = excluded.require_pkce, allow_plain_pkce = excluded.allow_plain_pkce, \
         rotate_refresh_tokens = excluded.rotate_refresh_tokens, jwks = excluded.jwks, \
         jwks_uri = excluded.jwks_uri, launch_uri = excluded.launch_uri, owner = excluded.owner, \
         updated_at = excluded.updated_at",
    )
    .bind(&client.client_id)
    .bind(&client.client_name)
    .bind(secret_hash)
    .bind(client.auth_method.as_str())
    .bind(encode_list(&grants))
    .bind(encode_list(&client.redirect_uris))
    .bind(client.scope.to_string())
    .bind(i64::from(client.first_party))
    .bind(client.access_token_format.as_str())
    .bind(client.access_token_ttl)
    .bind(client.refresh_token_ttl)
    .bind(i64::from(client.require_pkce))
    .bind(i64::from(client.allow_plain_pkce))
    .bind(i64::from(client.rotate_refresh_tokens))
    .bind(
        client
            .jwks
            .as_ref()
            .and_then(|set| serde_json::to_string(set).ok()),
    )
    .bind(&client.jwks_uri)
    .bind(&client.launch_uri)
    .bind(&client.owner)
    .bind(created_at)
    .bind(client.updated_at)
    .execute(&mut *tx)
    .await?;
    Ok(existing.is_none())
}

/// Inserts or replaces one client in its own transaction. Returns true when it was created.
pub async fn upsert(db: &Db, client: &Client, keep_secret: bool) -> StorageResult<bool> {
    let mut tx = db.begin_write().await?;
    let created = upsert_in(&mut tx, client, keep_secret).await?;
    tx.commit().await?;
    Ok(created)
}

/// Deletes a client and, by cascade, its tokens. Returns true when it existed.
pub async fn delete(db: &Db, client_id: &str) -> StorageResult<bool> {
    let done = sqlx::query("DELETE FROM clients WHERE client_id = $1")
        .bind(client_id)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected() > 0)
}
