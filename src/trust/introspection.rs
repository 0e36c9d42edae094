//! Opaque tokens of trusted issuers, asked about at their RFC 7662 introspection endpoints.
//!
//! An opaque token this server does not know is sent to the introspection endpoint of each
//! trust that has one (an admin's trusts only: the token names no issuer, so every unknown token
//! goes there). The answer is kept for the trust's `introspection_cache_seconds`, never past the
//! token's `exp`, keyed by the token's SHA-256 digest; an inactive answer is kept too, so a
//! repeated bad token costs one request. Each caller address may cause only so many requests.

use super::Outside;
use crate::checks::check;
use crate::model::trusted_issuer::TrustedIssuer;
use crate::secret::digest;
use crate::state::AppState;
use base64::Engine;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::Mutex;

/// The most answers kept; past it, the cache starts again empty.
const MAX_KEPT: usize = 10_000;

#[derive(Clone, Debug)]
struct Kept {
    /// The trust that answered, and its answer; `None` when no trust said active.
    answer: Option<(String, Map<String, Value>)>,
    until: i64,
}

/// Introspection answers by token digest.
#[derive(Debug, Default)]
pub struct IntrospectionCache {
    kept: Mutex<HashMap<String, Kept>>,
    asked: std::sync::atomic::AtomicU64,
}

/// What the introspection trusts say about an opaque token.
#[derive(Debug)]
pub enum Answer {
    /// No trust introspects: the token is simply unknown.
    NoTrust,
    Active(Outside),
    /// Every trust that introspects said inactive, or could not be asked; why.
    Refused(String),
}

impl IntrospectionCache {
    /// How many introspection requests went out since start.
    pub fn asked(&self) -> u64 {
        self.asked.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn get(&self, key: &str, now: i64) -> Option<Kept> {
        let kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        kept.get(key).filter(|k| now < k.until).cloned()
    }

    fn put(&self, key: String, value: Kept) {
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        if kept.len() >= MAX_KEPT {
            kept.clear();
        }
        kept.insert(key, value);
    }

    /// Drops every kept answer, after a trust changed.
    pub fn forget_all(&self) {
        self.kept.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}

/// Asks the introspection trusts about `token`, for a caller at `address`.
pub async fn introspect(state: &AppState, token: &str, address: &str) -> Answer {
    let trusts = match state.cache.trusts().await {
        Ok(t) => t,
        Err(e) => {
            tracing::error!(error = %e, "reading trusted issuers");
            return Answer::Refused("the trusted issuers could not be read".into());
        }
    };
    let asking: Vec<&TrustedIssuer> = trusts
        .iter()
        .filter(|t| t.introspection_endpoint.is_some() && t.owner.is_none())
        .collect();
    if asking.is_empty() {
        return Answer::NoTrust;
    }
    let now = state.clock.now();
    let key = digest(token);
    let kept = match state.introspected.get(&key, now) {
        Some(k) => k,
        None => {
            if let Err(t) = state.throttle.introspection(address).await {
                return Answer::Refused(format!(
                    "this address sent many unknown tokens lately; try again in {} s",
                    t.retry_after
                ));
            }
            let kept = ask_each(state, &asking, token, now).await;
            state.introspected.put(key, kept.clone());
            kept
        }
    };
    let Some((id, claims)) = kept.answer else {
        return Answer::Refused(
            "the token is not this server's, and no trusted issuer's introspection endpoint says it is active".into(),
        );
    };
    let Some(trust) = asking.iter().find(|t| t.id == id) else {
        return Answer::Refused("the trust that answered has changed; send the token again".into());
    };
    let text = |name: &str| claims.get(name).and_then(Value::as_str).map(str::to_owned);
    // RFC 7662 §2.2: "username" is the resource owner's name; a trust's user_claim may name
    // another member.
    let username = match trust.user_claim.as_str() {
        "sub" => text("username").or_else(|| text("sub")),
        other => text(other),
    };
    Answer::Active(Outside {
        issuer: trust.issuer.clone(),
        username,
        client_id: text(trust.client_claim.as_deref().unwrap_or("client_id")).unwrap_or_default(),
        scopes: super::scopes_of(&claims, trust.scope_claim.as_deref()),
        trusted_by: vec![trust.owner.clone()],
    })
}

/// Asks each trust in turn; the first that says active wins.
async fn ask_each(state: &AppState, trusts: &[&TrustedIssuer], token: &str, now: i64) -> Kept {
    let mut until = now + 60;
    for trust in trusts {
        until = until.min(now + trust.introspection_cache_seconds);
        match ask(state, trust, token).await {
            Ok(Some(claims)) if accepts(trust, &claims, now) => {
                let exp = claims
                    .get("exp")
                    .and_then(Value::as_i64)
                    .unwrap_or(i64::MAX);
                return Kept {
                    until: (now + trust.introspection_cache_seconds).min(exp),
                    answer: Some((trust.id.clone(), claims)),
                };
            }
            Ok(_) => {}
            Err(e) => {
                tracing::info!(trust = %trust.id, error = %e, "introspection failed");
                // A failure is not an answer: keep it only briefly.
                until = until.min(now + 5);
            }
        }
    }
    Kept {
        answer: None,
        until,
    }
}

/// RFC 7662 §2.2: "active" REQUIRED; the token must also be for this API (`aud`, when the
/// answer names one), of this issuer (`iss`, when named) and not expired.
fn accepts(trust: &TrustedIssuer, claims: &Map<String, Value>, now: i64) -> bool {
    let active = claims.get("active") == Some(&Value::Bool(true));
    if !check(
        "the issuer's introspection endpoint says active",
        "RFC 7662 §2.2",
        active,
    ) {
        return false;
    }
    let iss_ok = claims
        .get("iss")
        .and_then(Value::as_str)
        .is_none_or(|iss| iss == trust.issuer);
    let aud_ok = match claims.get("aud") {
        None => true,
        Some(Value::String(a)) => trust.audiences.contains(a),
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .any(|a| trust.audiences.iter().any(|t| t == a)),
        Some(_) => false,
    };
    let live = claims
        .get("exp")
        .and_then(Value::as_i64)
        .is_none_or(|exp| now < exp + trust.clock_skew_seconds);
    check(
        "the introspected token is of the trusted issuer, for this API, and live",
        "RFC 7662 §4",
        iss_ok && aud_ok && live,
    )
}

/// One RFC 7662 §2.1 request: `token` and the `access_token` hint, with this server's client
/// credentials in Basic (RFC 6749 §2.3.1 form-encoding).
async fn ask(
    state: &AppState,
    trust: &TrustedIssuer,
    token: &str,
) -> Result<Option<Map<String, Value>>, String> {
    let (Some(url), Some(id), Some(secret)) = (
        &trust.introspection_endpoint,
        &trust.introspection_client_id,
        &trust.introspection_client_secret,
    ) else {
        return Ok(None);
    };
    let encode = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let basic = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        encode(id),
        encode(secret)
    ));
    let request = crate::outbound::Request {
        method: "POST".into(),
        url: url.clone(),
        headers: vec![
            ("authorization".into(), format!("Basic {basic}")),
            (
                "content-type".into(),
                "application/x-www-form-urlencoded".into(),
            ),
        ],
        body: format!("token={}&token_type_hint=access_token", encode(token)),
    };
    state
        .introspected
        .asked
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let sent = state
        .outbound
        .send(&request)
        .await
        .map_err(|e| e.to_string())?;
    if sent.status != 200 {
        return Err(format!("{url} answered HTTP {}", sent.status));
    }
    serde_json::from_slice(&sent.body)
        .map(Some)
        .map_err(|e| format!("{url} did not answer JSON: {e}"))
}
