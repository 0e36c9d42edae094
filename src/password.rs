//! argon2 hashing and verification of passwords and client secrets.
//!
//! Two rules keep this off the hot path:
//! - **argon2 never runs on the async workers.** Every hash and verification runs on the
//!   blocking pool, at most one fewer at a time than there are cores (and at least one), so a
//!   storm of password grants queues here and always leaves a core for every other request.
//! - **In steady state no request pays for a hash.** After a successful verification the
//!   HMAC-SHA-256 of the presented secret (under a key that lives only in this process) is
//!   cached together with the stored PHC string it was checked against. The next request with
//!   the same secret costs one HMAC and a constant-time comparison. Changing the secret changes
//!   the PHC string, so the cached entry no longer applies, at once.

use crate::secret::{Secret, constant_time_eq};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use tokio::sync::Semaphore;

/// The hashing pool could not run the job (the runtime is shutting down).
#[derive(Debug, thiserror::Error)]
#[error("password hashing is unavailable")]
pub struct HashUnavailable;

#[derive(Clone)]
struct Verified {
    phc: Arc<str>,
    tag: [u8; 32],
}

/// Hashes and verifies secrets; holds the verified-secret cache.
pub struct Passwords {
    permits: Semaphore,
    mac_key: aws_lc_rs::hmac::Key,
    cache: RwLock<HashMap<String, Verified>>,
    /// A hash of a random value, verified against when the account does not exist, so an
    /// unknown username costs the same as a wrong password.
    dummy_phc: String,
}

impl std::fmt::Debug for Passwords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Passwords").finish_non_exhaustive()
    }
}

fn hash_blocking(secret: &str) -> Option<String> {
    let mut raw = [0u8; 16];
    getrandom::fill(&mut raw).ok()?;
    let salt = SaltString::encode_b64(&raw).ok()?;
    Argon2::default()
        .hash_password(secret.as_bytes(), &salt)
        .ok()
        .map(|h| h.to_string())
}

fn verify_blocking(phc: &str, secret: &str) -> bool {
    PasswordHash::new(phc)
        .map(|parsed| {
            Argon2::default()
                .verify_password(secret.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

impl Passwords {
    /// A new hasher; computes the dummy hash once (on the calling thread, at start-up). Fails
    /// without randomness, so start-up does.
    pub fn new() -> Result<Self, crate::secret::NoRandomness> {
        let mut key = [0u8; 32];
        crate::secret::fill_random(&mut key)?;
        Self::with_key(&key)
    }

    /// A hasher whose verified-secret cache is keyed with `key` (shared by the nodes of one
    /// issuer, `storage::server_secrets`).
    pub fn with_key(key: &[u8]) -> Result<Self, crate::secret::NoRandomness> {
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        let dummy = crate::secret::random_token(16)?;
        Ok(Self {
            permits: Semaphore::new(cores.saturating_sub(1).max(1)),
            mac_key: aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, key),
            cache: RwLock::new(HashMap::new()),
            dummy_phc: hash_blocking(&dummy).ok_or(crate::secret::NoRandomness)?,
        })
    }

    async fn blocking<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, HashUnavailable> {
        let _permit = self.permits.acquire().await.map_err(|_| HashUnavailable)?;
        tokio::task::spawn_blocking(job)
            .await
            .map_err(|_| HashUnavailable)
    }

    /// Hashes `secret` with argon2id (the crate's defaults: m=19 MiB, t=2, p=1).
    pub async fn hash(&self, secret: &Secret) -> Result<String, HashUnavailable> {
        let value = secret.expose().to_owned();
        self.blocking(move || hash_blocking(&value))
            .await?
            .ok_or(HashUnavailable)
    }

    fn tag(&self, secret: &Secret) -> [u8; 32] {
        let sig = aws_lc_rs::hmac::sign(&self.mac_key, secret.expose().as_bytes());
        let mut out = [0u8; 32];
        out.copy_from_slice(sig.as_ref());
        out
    }

    /// Checks `presented` against the stored `phc` of the account named `cache_key`
    /// (e.g. `client:<id>`), using the cache when it applies.
    pub async fn verify(&self, cache_key: &str, phc: &str, presented: &Secret) -> bool {
        let tag = self.tag(presented);
        if let Ok(cache) = self.cache.read()
            && let Some(hit) = cache.get(cache_key)
            && &*hit.phc == phc
            && constant_time_eq(&hit.tag, &tag)
        {
            return true;
        }
        let (stored, value) = (phc.to_owned(), presented.expose().to_owned());
        let ok = self
            .blocking(move || verify_blocking(&stored, &value))
            .await
            .unwrap_or(false);
        if ok && let Ok(mut cache) = self.cache.write() {
            cache.insert(
                cache_key.to_owned(),
                Verified {
                    phc: phc.into(),
                    tag,
                },
            );
        }
        ok
    }

    /// Spends the time of one verification and fails: for accounts that do not exist.
    pub async fn verify_unknown(&self, presented: &Secret) -> bool {
        let (stored, value) = (self.dummy_phc.clone(), presented.expose().to_owned());
        let _ = self
            .blocking(move || verify_blocking(&stored, &value))
            .await;
        false
    }

    /// Drops the cached verification for an account (on delete or secret change).
    pub fn forget(&self, cache_key: &str) {
        if let Ok(mut cache) = self.cache.write() {
            cache.remove(cache_key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_verify_and_cache_invalidation() {
        let p = Passwords::new().unwrap();
        let old = p.hash(&Secret::new("first-secret")).await.unwrap();
        assert!(
            p.verify("client:a", &old, &Secret::new("first-secret"))
                .await
        );
        assert!(!p.verify("client:a", &old, &Secret::new("wrong")).await);
        // A new PHC string (the secret was changed) makes the cached entry inapplicable.
        let new = p.hash(&Secret::new("second-secret")).await.unwrap();
        assert!(
            !p.verify("client:a", &new, &Secret::new("first-secret"))
                .await
        );
        assert!(
            p.verify("client:a", &new, &Secret::new("second-secret"))
                .await
        );
        assert!(!p.verify_unknown(&Secret::new("x")).await);
    }
}
