//! Trusted issuer storage.

use super::{Db, StorageError, StorageResult, decode_list, encode_list};
use crate::model::trusted_issuer::TrustedIssuer;
use sqlx::{Row, any::AnyRow};

fn from_row(row: &AnyRow) -> StorageResult<TrustedIssuer> {
    let jwks: Option<String> = row.try_get("jwks")?;
    let jwks = jwks
        .map(|j| serde_json::from_str(&j))
        .transpose()
        .map_err(|e| StorageError::Corrupt(format!("jwks: {e}")))?;
    Ok(TrustedIssuer {
        id: row.try_get("id")?,
        description: row.try_get("description")?,
        issuer: row.try_get("issuer")?,
        audiences: decode_list("audiences", row.try_get("audiences")?)?,
        jwks_uri: row.try_get("jwks_uri")?,
        jwks,
        pem: row.try_get("pem")?,
        secret: row.try_get("secret")?,
        algorithms: decode_list("algorithms", row.try_get("algorithms")?)?,
        clock_skew_seconds: row.try_get("clock_skew_seconds")?,
        cache_ttl_seconds: row.try_get("cache_ttl_seconds")?,
        user_claim: row.try_get("user_claim")?,
        client_claim: row.try_get("client_claim")?,
        scope_claim: row.try_get("scope_claim")?,
        introspection_endpoint: row.try_get("introspection_endpoint")?,
        introspection_client_id: row.try_get("introspection_client_id")?,
        introspection_client_secret: row.try_get("introspection_client_secret")?,
        introspection_cache_seconds: row.try_get("introspection_cache_seconds")?,
        owner: row.try_get("owner")?,
    })
}

const SELECT: &str = "SELECT id, description, issuer, audiences, jwks_uri, jwks, pem, secret, algorithms, \
     clock_skew_seconds, cache_ttl_seconds, user_claim, client_claim, scope_claim, introspection_endpoint, \
     introspection_client_id, introspection_client_secret, introspection_cache_seconds, owner FROM trusted_issuers";

/// Reads one trust.
pub async fn get(db: &Db, id: &str) -> StorageResult<Option<TrustedIssuer>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} WHERE id = $1")))
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// Lists every trust, or those of one owner, by id.
pub async fn list(db: &Db, owner: Option<&str>) -> StorageResult<Vec<TrustedIssuer>> {
    let rows = match owner {
        Some(o) => {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "{SELECT} WHERE owner = $1 ORDER BY id"
            )))
            .bind(o)
            .fetch_all(db.pool())
            .await?
        }
        None => {
            sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} ORDER BY id")))
                .fetch_all(db.pool())
                .await?
        }
    };
    rows.iter().map(from_row).collect()
}

/// Inserts or replaces a trust inside `tx`. Returns true when created.
pub async fn upsert_in(
    tx: &mut sqlx::AnyConnection,
    trust: &TrustedIssuer,
    now: i64,
) -> StorageResult<bool> {
    let existed: Option<(i64,)> =
        sqlx::query_as("SELECT created_at FROM trusted_issuers WHERE id = $1")
            .bind(&trust.id)
            .fetch_optional(&mut *tx)
            .await?;
    let jwks = trust
        .jwks
        .as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| StorageError::Corrupt(format!("jwks: {e}")))?;
    sqlx::query(
        "INSERT INTO trusted_issuers (id, description, issuer, audiences, jwks_uri, jwks, pem, secret, algorithms, \
         clock_skew_seconds, cache_ttl_seconds, user_claim, client_claim, scope_claim, introspection_endpoint, \
         introspection_client_id, introspection_client_secret, introspection_cache_seconds, owner, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21) \
         ON CONFLICT (id) DO UPDATE SET description = excluded.description, issuer = excluded.issuer, \
         audiences = excluded.audiences, jwks_uri = excluded.jwks_uri, jwks = excluded.jwks, pem = excluded.pem, \
         secret = excluded.secret, algorithms = excluded.algorithms, clock_skew_seconds = excluded.clock_skew_seconds, \
         cache_ttl_seconds = excluded.cache_ttl_seconds, user_claim = excluded.user_claim, \
         client_claim = excluded.client_claim, scope_claim = excluded.scope_claim, \
         introspection_endpoint = excluded.introspection_endpoint, introspection_client_id = excluded.introspection_client_id, \
         introspection_client_secret = excluded.introspection_client_secret, \
         introspection_cache_seconds = excluded.introspection_cache_seconds, owner = excluded.owner, \
         updated_at = excluded.updated_at",
    )
    .bind(&trust.id)
    .bind(&trust.description)
    .bind(&trust.issuer)
    .bind(encode_list(&trust.audiences))
    .bind(&trust.jwks_uri)
    .bind(jwks)
    .bind(&trust.pem)
    .bind(&trust.secret)
    .bind(encode_list(&trust.algorithms))
    .bind(trust.clock_skew_seconds)
    .bind(trust.cache_ttl_seconds)
    .bind(&trust.user_claim)
    .bind(&trust.client_claim)
    .bind(&trust.scope_claim)
    .bind(&trust.introspection_endpoint)
    .bind(&trust.introspection_client_id)
    .bind(&trust.introspection_client_secret)
    .bind(trust.introspection_cache_seconds)
    .bind(&trust.owner)
    .bind(existed.map_or(now, |e| e.0))
    .bind(now)
    .execute(&mut *tx)
    .await?;
    Ok(existed.is_none())
}

/// Inserts or replaces one trust in its own transaction. Returns true when created.
pub async fn upsert(db: &Db, trust: &TrustedIssuer, now: i64) -> StorageResult<bool> {
    let mut tx = db.begin_write().await?;
    let created = upsert_in(&mut tx, trust, now).await?;
    tx.commit().await?;
    Ok(created)
}

/// Deletes a trust. Returns true when it existed.
pub async fn delete(db: &Db, id: &str) -> StorageResult<bool> {
    let done = sqlx::query("DELETE FROM trusted_issuers WHERE id = $1")
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected() > 0)
}
