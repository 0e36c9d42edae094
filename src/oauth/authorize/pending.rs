//! Authorization requests waiting for the person to sign in or consent.
//!
//! They live in memory for ten minutes, keyed by a random id that the login and consent forms
//! carry. A restart forgets them; the person starts again from the client. Each form also
//! carries a CSRF token for that id ([`crate::security::csrf`]), so a form only works in the
//! browser it was shown in.

use super::request::AuthorizeRequest;
use crate::secret::{NoRandomness, random_token};
use std::collections::HashMap;
use std::sync::Mutex;

/// How long a pending request lives, in seconds.
pub const PENDING_TTL: i64 = 600;
/// At most this many pending requests are kept; the oldest go first.
const MAX_PENDING: usize = 10_000;

/// A request in progress.
#[derive(Clone, Debug)]
pub struct Pending {
    pub request: AuthorizeRequest,
    pub created_at: i64,
    /// Who signed in for it, and when they authenticated.
    pub user: Option<(String, i64)>,
}

/// The pending requests.
#[derive(Debug, Default)]
pub struct PendingStore {
    map: Mutex<HashMap<String, Pending>>,
}

impl PendingStore {
    /// Forgets every pending request (the mock mode's reset).
    pub fn clear(&self) {
        self.map.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    /// Keeps `pending`; returns its id.
    pub fn insert(&self, pending: Pending, now: i64) -> Result<String, NoRandomness> {
        let id = random_token(24)?;
        if let Ok(mut map) = self.map.lock() {
            // `get` ignores expired entries, so the sweep is needed only when the store is full.
            if map.len() >= MAX_PENDING {
                map.retain(|_, p| now - p.created_at < PENDING_TTL);
            }
            if map.len() >= MAX_PENDING
                && let Some(oldest) = map
                    .iter()
                    .min_by_key(|(_, p)| p.created_at)
                    .map(|(k, _)| k.clone())
            {
                map.remove(&oldest);
            }
            map.insert(id.clone(), pending);
        }
        Ok(id)
    }

    /// The pending request `id`, if it has not expired.
    pub fn get(&self, id: &str, now: i64) -> Option<Pending> {
        let map = self.map.lock().ok()?;
        map.get(id)
            .filter(|p| now - p.created_at < PENDING_TTL)
            .cloned()
    }

    /// Records who signed in for request `id`.
    pub fn sign_in(&self, id: &str, username: &str, auth_time: i64) {
        if let Ok(mut map) = self.map.lock()
            && let Some(p) = map.get_mut(id)
        {
            p.user = Some((username.to_owned(), auth_time));
        }
    }

    /// Replaces the request of pending `id` (the patient picker fills in the launch context).
    pub fn replace(&self, id: &str, request: AuthorizeRequest, now: i64) {
        if let Ok(mut map) = self.map.lock()
            && let Some(p) = map.get_mut(id)
            && now - p.created_at < PENDING_TTL
        {
            p.request = request;
        }
    }

    /// Removes and returns request `id`: a request completes once.
    pub fn take(&self, id: &str, now: i64) -> Option<Pending> {
        let mut map = self.map.lock().ok()?;
        map.remove(id).filter(|p| now - p.created_at < PENDING_TTL)
    }
}
