//! Who is calling the demo API, and may they?
//!
//! The checks, in order: read the one `Authorization` header; Basic → the client exists, holds
//! the `basic` grant and its secret verifies; Bearer → a JWT of a trusted outside issuer is
//! verified by its trust (`crate::trust`), any other token must be this server's own: known,
//! active and not revoked; then the access policies decide (deny by default).

use super::smart;
use crate::checks::{check, record};
use crate::model::client::GrantType;
use crate::model::policy::{AuthKind, Decision, RequestFacts, evaluate};
use crate::oauth::client_auth::{decode_basic_rfc7617, verify_client_secret};
use crate::oauth::error::{OAuthError, basic_challenge, bearer_challenge, no_store};
use crate::oauth::tokens::lookup;
use crate::smart::context::LaunchContext;
use crate::state::AppState;
use crate::trust::{Verdict, introspection};
use axum::Json;
use axum::extract::FromRequestParts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Response};
use std::borrow::Cow;

/// A caller the policies, or its SMART scopes, allowed.
#[derive(Debug, Clone)]
pub struct Allowed {
    pub facts: RequestFacts,
    pub decision: Decision,
    /// The only patient whose data a `patient/` SMART scope reaches; `None`: no such limit.
    pub compartment: Option<String>,
}

/// Why the demo API refused a request.
#[derive(Debug)]
pub enum Refusal {
    /// No credentials: 401 with both challenges and no error code (RFC 6750 §3.1: "If the
    /// request lacks any authentication information […] the resource server SHOULD NOT include
    /// an error code or other error information").
    NoCredentials,
    /// Bad Basic credentials: 401 with a Basic challenge.
    BadBasic(&'static str),
    /// A malformed request (RFC 6750 §3.1 `invalid_request`): 400.
    BadRequest(&'static str),
    /// A bad Bearer token: 401 with a Bearer `invalid_token` challenge whose
    /// `error_description` names the check that failed (RFC 6750 §3).
    BadToken(Cow<'static, str>),
    /// Authenticated, but no policy allows it: 403.
    Denied(AuthKind, Box<Decision>),
    /// The token's SMART scopes do not reach it: 403 `insufficient_scope` (RFC 6750 §3.1).
    Scope(String),
    /// Too many wrong Basic secrets: 429 with `Retry-After`.
    Throttled(u64),
    /// Storage failed.
    Internal,
}

/// 403 with a Bearer `insufficient_scope` challenge whose description is `why`.
fn insufficient_scope(why: String) -> (StatusCode, Vec<String>, &'static str, String) {
    let e = OAuthError::InsufficientScope(why.clone().into());
    (
        StatusCode::FORBIDDEN,
        vec![bearer_challenge(Some(&e))],
        e.code(),
        why,
    )
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let (status, challenges, code, description): (StatusCode, Vec<String>, &str, String) =
            match &self {
                Refusal::NoCredentials => (
                    StatusCode::UNAUTHORIZED,
                    vec![bearer_challenge(None), basic_challenge()],
                    "unauthorized",
                    "send Authorization: Bearer <token> or Basic <client_id:client_secret>".into(),
                ),
                Refusal::BadBasic(why) => (
                    StatusCode::UNAUTHORIZED,
                    vec![basic_challenge()],
                    "invalid_client",
                    (*why).into(),
                ),
                Refusal::BadRequest(why) => {
                    let e = OAuthError::invalid_request(*why);
                    (
                        StatusCode::BAD_REQUEST,
                        vec![bearer_challenge(Some(&e))],
                        e.code(),
                        (*why).into(),
                    )
                }
                Refusal::BadToken(why) => {
                    let e = OAuthError::invalid_token(why.to_string());
                    (
                        StatusCode::UNAUTHORIZED,
                        vec![bearer_challenge(Some(&e))],
                        e.code(),
                        why.to_string(),
                    )
                }
                Refusal::Denied(auth, decision) => {
                    let why = format!(
                        "no access policy allows this request ({} policies checked)",
                        decision.trace.len()
                    );
                    match auth {
                        // RFC 6750 §3.1 insufficient_scope: "The request requires higher privileges
                        // than provided by the access token. The resource server SHOULD respond
                        // with the HTTP 403 (Forbidden) status code".
                        AuthKind::Bearer => insufficient_scope(why),
                        AuthKind::Basic => (StatusCode::FORBIDDEN, vec![], "access_denied", why),
                    }
                }
                Refusal::Scope(why) => insufficient_scope(why.clone()),
                Refusal::Throttled(_) => (
                    StatusCode::TOO_MANY_REQUESTS,
                    vec![],
                    "temporarily_unavailable",
                    "too many failed attempts with these credentials; wait as Retry-After says"
                        .into(),
                ),
                Refusal::Internal => (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    vec![],
                    "server_error",
                    "the server could not complete the request".into(),
                ),
            };
        let description = crate::oauth::error::Text::from(description);
        let mut body =
            serde_json::json!({ "error": code, "error_description": description.as_str() });
        if let Refusal::Denied(_, decision) = &self {
            body["policies"] = serde_json::to_value(&decision.trace).unwrap_or_default();
        }
        let mut response = (status, Json(body)).into_response();
        let headers = response.headers_mut();
        no_store(headers);
        if let Refusal::Throttled(seconds) = self {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        for c in challenges {
            if let Ok(v) = HeaderValue::from_str(&c) {
                headers.append(header::WWW_AUTHENTICATE, v);
            }
        }
        response
    }
}

impl FromRequestParts<AppState> for Allowed {
    type Rejection = Refusal;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let address = crate::security::PeerAddress::of(&parts.extensions);
        decide(
            state,
            parts.method.as_str(),
            parts.uri.path(),
            &parts.headers,
            &address.0,
        )
        .await
    }
}

/// What the resource server decides about `method path` with these request headers: the
/// credentials checked, then every access policy asked. The demo API and the console's
/// policy debugger both ask here, so the debugger cannot disagree with the API.
pub async fn decide(
    state: &AppState,
    method: &str,
    path: &str,
    headers: &HeaderMap,
    address: &str,
) -> Result<Allowed, Refusal> {
    let mut values = headers.get_all(header::AUTHORIZATION).iter();
    let (Some(value), None) = (values.next(), values.next()) else {
        return Err(if headers.contains_key(header::AUTHORIZATION) {
            Refusal::BadRequest("more than one Authorization header")
        } else {
            Refusal::NoCredentials
        });
    };
    let value = value
        .to_str()
        .map_err(|_| Refusal::BadRequest("the Authorization header is not ASCII"))?;
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    let facts = if scheme.eq_ignore_ascii_case("bearer") {
        bearer_facts(state, rest.trim(), address).await?
    } else if scheme.eq_ignore_ascii_case("basic") {
        basic_facts(state, value, address).await?
    } else {
        return Err(Refusal::NoCredentials);
    };
    let facts = RequestFacts {
        method: method.to_owned(),
        path: path.to_owned(),
        ..facts
    };
    // This server's own tokens with SMART scopes are judged by those scopes alone; an outside
    // issuer's tokens always need a policy of the trust's owner.
    if facts.auth == AuthKind::Bearer && !facts.outside {
        // A token's patient/ scopes reach the patient of its launch context only.
        match super::smart::decide(
            facts.scopes.iter().map(String::as_str),
            facts.patient.as_deref(),
            method,
            path,
        ) {
            smart::Verdict::NotSmart => {}
            smart::Verdict::Refused(why) => {
                record(
                    "a SMART scope of the token grants this request",
                    "SMART App Launch 2.x",
                    false,
                );
                return Err(Refusal::Scope(why));
            }
            smart::Verdict::Allowed { scope, compartment } => {
                record(
                    format!("SMART scope {scope} grants {} {}", facts.method, facts.path),
                    "SMART App Launch 2.x",
                    true,
                );
                let decision = Decision {
                    allowed: true,
                    allowed_by: Some(scope),
                    trace: vec![],
                };
                return Ok(Allowed {
                    facts,
                    decision,
                    compartment,
                });
            }
        }
    }
    let policies = state.cache.policies().await.map_err(|e| {
        tracing::error!(error = %e, "reading policies");
        Refusal::Internal
    })?;
    let decision = evaluate(&policies, &facts);
    let name = match &decision.allowed_by {
        Some(id) => format!(
            "access policy {id:?} allows {} {}",
            facts.method, facts.path
        ),
        None => format!(
            "no access policy allows {} {} (deny by default)",
            facts.method, facts.path
        ),
    };
    record(name, "SPEC AccessPolicy", decision.allowed);
    if decision.allowed {
        return Ok(Allowed {
            facts,
            decision,
            compartment: None,
        });
    }
    // The "why denied" trace names only the policies of the calling client's owner (the
    // system's own for a demo client): other developers' policies, with their client ids and
    // usernames, are none of the caller's business.
    // For an outside token, the owners of the trusts that verified it stand in for the client's.
    let owners = match facts.outside {
        true => facts.trusted_by.clone(),
        false => vec![
            state
                .cache
                .client(&facts.client_id)
                .await
                .ok()
                .flatten()
                .and_then(|c| c.owner.clone()),
        ],
    };
    let mut decision = decision;
    decision.trace.retain(|t| {
        policies
            .iter()
            .any(|p| p.id == t.policy_id && owners.contains(&p.owner))
    });
    Err(Refusal::Denied(facts.auth, Box::new(decision)))
}

fn blank_facts(state: &AppState, auth: AuthKind, client_id: String) -> RequestFacts {
    RequestFacts {
        method: String::new(),
        path: String::new(),
        auth,
        client_id,
        username: None,
        scopes: vec![],
        issuer: state.issuer.clone(),
        outside: false,
        trusted_by: vec![],
        patient: None,
    }
}

/// The facts of a token a trusted issuer vouched for.
fn outside_facts(state: &AppState, outside: crate::trust::Outside) -> RequestFacts {
    let mut facts = blank_facts(state, AuthKind::Bearer, outside.client_id);
    facts.username = outside.username;
    facts.scopes = outside.scopes;
    facts.issuer = outside.issuer;
    facts.outside = true;
    facts.trusted_by = outside.trusted_by;
    facts
}

async fn basic_facts(
    state: &AppState,
    header_value: &str,
    address: &str,
) -> Result<RequestFacts, Refusal> {
    // RFC 7617 §2: the user-id and password exactly as sent (no form-decoding here: that is
    // RFC 6749 §2.3.1's rule for the OAuth endpoints only).
    let (client_id, secret) = decode_basic_rfc7617(header_value)
        .ok_or(Refusal::BadBasic("the Basic credentials are malformed"))?;
    let client = state
        .cache
        .client(&client_id)
        .await
        .map_err(|_| Refusal::Internal)?;
    let verified = verify_client_secret(state, &client_id, client.as_deref(), [&secret], address)
        .await
        .map_err(|t| Refusal::Throttled(t.retry_after))?;
    if !check(
        "the client secret matches its argon2 hash",
        "RFC 7617 §2",
        verified,
    ) {
        return Err(Refusal::BadBasic("unknown client or wrong secret"));
    }
    let Some(client) = client else {
        return Err(Refusal::BadBasic("unknown client or wrong secret"));
    };
    if !check(
        "the client is registered for the basic grant",
        "RFC 7617 §2",
        client.allows(GrantType::Basic),
    ) {
        return Err(Refusal::BadBasic(
            "this client is not registered for the basic grant",
        ));
    }
    let mut facts = blank_facts(state, AuthKind::Basic, client.client_id.clone());
    facts.scopes = client.scope.to_vec();
    Ok(facts)
}

async fn bearer_facts(
    state: &AppState,
    token: &str,
    address: &str,
) -> Result<RequestFacts, Refusal> {
    // RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
    let well_formed = !token.is_empty()
        && token.trim_end_matches('=').bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
        });
    if !well_formed {
        return Err(Refusal::BadRequest(
            "the Bearer token is missing or malformed",
        ));
    }
    match crate::trust::verify(state, token).await {
        Verdict::NotOutside => {}
        Verdict::Refused(why) => return Err(Refusal::BadToken(why.into())),
        Verdict::Verified(outside) => return Ok(outside_facts(state, outside)),
    }
    let known = lookup(state, token).await.map_err(|_| Refusal::Internal)?;
    // An opaque token this server does not know may be a trusted issuer's (RFC 7662). One of
    // this server's own shape (`<handle>.<secret>`, expired and collected, or forged) is never
    // sent anywhere.
    let own_shape = token
        .split_once('.')
        .is_some_and(|(handle, _)| handle.len() == 32);
    if known.is_none() && !own_shape && token.bytes().filter(|b| *b == b'.').count() != 2 {
        match introspection::introspect(state, token, address).await {
            introspection::Answer::NoTrust => {}
            introspection::Answer::Refused(why) => return Err(Refusal::BadToken(why.into())),
            introspection::Answer::Active(outside) => return Ok(outside_facts(state, outside)),
        }
    }
    if !check(
        "the token is known: signature (JWT) or digest (opaque) verified",
        "RFC 6750 §3.1, RFC 9068 §4",
        known.is_some(),
    ) {
        return Err(Refusal::BadToken(Cow::Borrowed(
            "the access token is invalid",
        )));
    }
    let Some(known) = known else {
        return Err(Refusal::BadToken(Cow::Borrowed(
            "the access token is invalid",
        )));
    };
    let record = &known.record;
    if !check(
        "it is an access token, not a refresh token",
        "RFC 6750 §1.2",
        !record.is_refresh(),
    ) {
        return Err(Refusal::BadToken(Cow::Borrowed(
            "a refresh token is not an access token",
        )));
    }
    if !check(
        "the token has not been revoked",
        "RFC 7009 §2",
        record.revoked_at.is_none(),
    ) {
        return Err(Refusal::BadToken(Cow::Borrowed(
            "the access token has been revoked",
        )));
    }
    if !check(
        "the token has not expired",
        "RFC 6750 §3.1",
        state.clock.now() < record.expires_at,
    ) {
        return Err(Refusal::BadToken(Cow::Borrowed(
            "the access token has expired",
        )));
    }
    let mut facts = blank_facts(state, AuthKind::Bearer, record.client_id.clone());
    facts.username = record.username.clone();
    facts.scopes = record
        .scope
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    facts.patient = LaunchContext::parse(record.context.as_deref()).and_then(|c| c.patient);
    Ok(facts)
}
