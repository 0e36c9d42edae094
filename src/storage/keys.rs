//! Signing key storage.
//!
//! Invariants: at most one key is active (a partial unique index enforces it); a retired key is
//! kept for the record but no longer published or trusted.

use super::{Db, StorageResult};

/// A stored signing key: the private key as PKCS#8 DER.
#[derive(Clone)]
pub struct StoredKey {
    pub kid: String,
    pub alg: String,
    pub private_der: Vec<u8>,
    pub created_at: i64,
    pub active: bool,
}

impl std::fmt::Debug for StoredKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredKey")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .field("active", &self.active)
            .finish_non_exhaustive()
    }
}

/// Every key that is not retired, newest first.
pub async fn list_live(db: &Db) -> StorageResult<Vec<StoredKey>> {
    let rows: Vec<(String, String, Vec<u8>, i64, i64)> = sqlx::query_as(
        "SELECT kid, alg, private_der, created_at, active FROM signing_keys \
         WHERE retired_at IS NULL ORDER BY created_at DESC, kid",
    )
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(kid, alg, private_der, created_at, active)| StoredKey {
            kid,
            alg,
            private_der,
            created_at,
            active: active != 0,
        })
        .collect())
}

/// Stores `key` as the one active key; the previously active key stays live for verification.
pub async fn insert_active(db: &Db, key: &StoredKey) -> StorageResult<()> {
    let mut tx = db.begin_write().await?;
    if !insert_if_absent_in(&mut tx, key, true).await? {
        return Err(super::StorageError::Conflict(format!(
            "a signing key with kid {:?} exists",
            key.kid
        )));
    }
    tx.commit().await?;
    Ok(())
}

/// Stores `key` unless a key with its kid exists (live or retired), inside the caller's write
/// transaction; when `active`, it becomes the one active key. Returns true when it was stored.
pub async fn insert_if_absent_in(
    tx: &mut sqlx::AnyConnection,
    key: &StoredKey,
    active: bool,
) -> StorageResult<bool> {
    let exists: Option<(String,)> = sqlx::query_as("SELECT kid FROM signing_keys WHERE kid = $1")
        .bind(&key.kid)
        .fetch_optional(&mut *tx)
        .await?;
    if exists.is_some() {
        return Ok(false);
    }
    if active {
        sqlx::query("UPDATE signing_keys SET active = 0 WHERE active = 1")
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query(
        "INSERT INTO signing_keys (kid, alg, private_der, created_at, active) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&key.kid)
    .bind(&key.alg)
    .bind(&key.private_der)
    .bind(key.created_at)
    .bind(i64::from(active))
    .execute(&mut *tx)
    .await?;
    Ok(true)
}

/// Retires a key that is not active. Returns false when no such live, inactive key exists.
pub async fn retire(db: &Db, kid: &str, now: i64) -> StorageResult<bool> {
    let done = sqlx::query(
        "UPDATE signing_keys SET retired_at = $1 WHERE kid = $2 AND active = 0 AND retired_at IS NULL",
    )
    .bind(now)
    .bind(kid)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() > 0)
}
