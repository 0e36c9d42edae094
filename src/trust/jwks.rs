//! The key sets of trusted issuers, fetched through the outbound client and kept for each
//! trust's `cache_ttl_seconds`.
//!
//! A `kid` the kept set does not hold refetches the set once: an issuer that rotated its keys is
//! followed at once. Refetches of one URL happen at most every [`REFETCH_EVERY`] seconds, so a
//! stream of tokens naming made-up key ids costs the issuer one request per interval, and every
//! request that misses at the same moment waits on the same fetch (one lock per URL, held
//! across the fetch). A failed fetch keeps the set it had.

use crate::state::AppState;
use app::endpoints as ep;
use jsonwebtoken::jwk::JwkSet;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The shortest time between two fetches of one key set, in seconds, once it has been fetched.
pub const REFETCH_EVERY: i64 = 30;

/// The most key set URLs kept; past it, the cache starts again empty.
const MAX_URLS: usize = 1024;

#[derive(Debug, Default)]
struct Slot {
    keys: Option<Arc<JwkSet>>,
    fetched_at: i64,
    tried_at: Option<i64>,
    /// The last refetch for a kid the kept set lacked.
    missed_at: Option<i64>,
    last_error: Option<String>,
}

/// Key sets by URL.
#[derive(Debug, Default)]
pub struct JwksCache {
    slots: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Slot>>>>,
    fetches: std::sync::atomic::AtomicU64,
}

/// What the cache answered, and whether it fetched to answer.
#[derive(Debug)]
pub struct Keys {
    pub set: Arc<JwkSet>,
    pub fetched: bool,
}

impl JwksCache {
    /// How many fetches went out since start (for tests and the benchmarks).
    pub fn fetches(&self) -> u64 {
        self.fetches.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn slot(&self, url: &str) -> Arc<tokio::sync::Mutex<Slot>> {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        if slots.len() >= MAX_URLS && !slots.contains_key(url) {
            slots.clear();
        }
        slots.entry(url.to_owned()).or_default().clone()
    }

    /// Drops the kept set of `url`, after the trust that names it changed.
    pub fn forget(&self, url: &str) {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        slots.remove(url);
    }

    /// The key set at `url`, fresh within `ttl` seconds, refetched once when it lacks `kid`.
    pub async fn keys(
        &self,
        state: &AppState,
        url: &str,
        ttl: i64,
        kid: Option<&str>,
    ) -> Result<Keys, String> {
        let slot = self.slot(url);
        let mut slot = slot.lock().await;
        let now = state.clock.now();
        let fresh = slot.keys.is_some() && now < slot.fetched_at + ttl;
        let holds = |set: &JwkSet| kid.is_none_or(|k| set.find(k).is_some());
        if let Some(set) = &slot.keys
            && fresh
            && holds(set)
        {
            return Ok(Keys {
                set: set.clone(),
                fetched: false,
            });
        }
        let waited = |at: Option<i64>| at.is_none_or(|t| now - t >= REFETCH_EVERY);
        // A stale set is fetched when asked for, a fresh one that lacks the kid once per
        // interval; after a failed fetch, the next waits an interval too.
        let failed = slot.last_error.is_some();
        let may_fetch = match (&slot.keys, fresh) {
            (Some(_), true) => waited(slot.missed_at),
            _ if failed => waited(slot.tried_at),
            _ => true,
        };
        if may_fetch && fresh {
            slot.missed_at = Some(now);
        }
        if !may_fetch {
            return match &slot.keys {
                Some(set) => Ok(Keys {
                    set: set.clone(),
                    fetched: false,
                }),
                None => Err(slot
                    .last_error
                    .clone()
                    .unwrap_or_else(|| "the key set could not be fetched".into())),
            };
        }
        slot.tried_at = Some(now);
        self.fetches
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        match fetch(state, url).await {
            Ok(set) => {
                let set = Arc::new(set);
                slot.keys = Some(set.clone());
                slot.fetched_at = now;
                slot.last_error = None;
                Ok(Keys { set, fetched: true })
            }
            Err(e) => {
                tracing::info!(url, error = %e, "a trusted issuer's key set could not be fetched");
                slot.last_error = Some(e.clone());
                match &slot.keys {
                    Some(set) => Ok(Keys {
                        set: set.clone(),
                        fetched: false,
                    }),
                    None => Err(e),
                }
            }
        }
    }
}

/// Reads the key set at `url`. This server's own key sets (its JWKS and the sandbox's test
/// issuer's) are read in process: the server need not reach its own public address.
async fn fetch(state: &AppState, url: &str) -> Result<JwkSet, String> {
    if url == state.url(ep::JWKS) {
        return Ok(state.keys.current().jwks());
    }
    if url == state.url(ep::TEST_ISSUER_JWKS) {
        return Ok(super::test_issuer::key_set(state.test_issuer.key().await?));
    }
    let request = crate::outbound::Request {
        method: "GET".into(),
        url: url.to_owned(),
        headers: vec![(
            "accept".into(),
            "application/jwk-set+json, application/json".into(),
        )],
        body: String::new(),
    };
    let sent = state
        .outbound
        .send(&request)
        .await
        .map_err(|e| format!("the key set at {url} could not be fetched: {e}"))?;
    if sent.status != 200 {
        return Err(format!(
            "the key set at {url} answered HTTP {}, not 200",
            sent.status
        ));
    }
    serde_json::from_slice(&sent.body)
        .map_err(|e| format!("the answer of {url} is not a JWK Set (RFC 7517 section 5): {e}"))
}
