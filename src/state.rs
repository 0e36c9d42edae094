//! The state every handler shares.

use crate::cache::Cache;
use crate::clock::Clock;
use crate::oauth::keys::{KeyRing, SigningAlg};
use crate::password::Passwords;
use crate::storage::Db;
use crate::storage::token_writer::TokenWriter;
use leptos::config::LeptosOptions;
use std::ops::Deref;
use std::sync::Arc;

/// Shared state; cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState(Arc<Inner>);

/// What the state holds.
#[derive(Debug)]
pub struct Inner {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub keys: KeyRing,
    pub signing_alg: SigningAlg,
    pub passwords: Arc<Passwords>,
    pub cache: Cache,
    pub writer: TokenWriter,
    /// The issuer identifier, exactly as configured (RFC 8414 §2).
    pub issuer: String,
    /// Authorization requests waiting for sign-in or consent.
    pub pending: crate::oauth::authorize::pending::PendingStore,
    /// The one failure throttle every credential check goes through.
    pub throttle: crate::security::throttle::Throttle,
    /// The key the forms' CSRF tokens are made with.
    pub csrf: crate::security::csrf::CsrfKey,
    /// The one client for other servers (the sandbox's relay), under the address policy.
    pub outbound: crate::outbound::Outbound,
    /// The key sets of trusted issuers, fetched and kept.
    pub trust_keys: crate::trust::jwks::JwksCache,
    /// Trusted issuers' introspection answers, kept.
    pub introspected: crate::trust::introspection::IntrospectionCache,
    /// The sandbox's built-in test issuer.
    pub test_issuer: crate::trust::test_issuer::TestIssuer,
    /// The sandbox runs whose front channel is being recorded.
    pub watches: crate::sandbox::recorder::Watches,
    /// Mock mode's control state; `None` for a real server.
    pub mock: Option<Arc<crate::mock::Mock>>,
    /// How long a sandbox run is kept after its last step, in seconds.
    pub run_retention: i64,
    /// How long a learner workspace lives unless kept, in seconds.
    pub workspace_ttl: i64,
    /// Serve the site from this directory instead of the embedded copy (development).
    pub site_root: Option<String>,
    pub leptos: LeptosOptions,
}

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// Wraps the parts.
    pub fn new(inner: Inner) -> Self {
        Self(Arc::new(inner))
    }

    /// The absolute URL of an endpoint path.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.issuer.trim_end_matches('/'), path)
    }

    /// Every scope some client may ask for, sorted.
    pub async fn scopes_supported(&self) -> Vec<String> {
        let clients = crate::storage::clients::list(&self.db, None)
            .await
            .unwrap_or_default();
        let mut scopes: Vec<String> = clients.iter().flat_map(|c| c.scope.to_vec()).collect();
        scopes.sort();
        scopes.dedup();
        scopes
    }
}

impl axum::extract::FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}
