//! Token preview, the console's "Evaluate": the tokens one of the caller's clients would get
//! through a grant for a user and a scope, decoded, with the checks the server runs first, what
//! introspection would say of each token, and the userinfo answer. Nothing is issued.
//!
//! It goes through the grants' own pieces, so it cannot drift from them: the grant and scope
//! checks ([`require_grant_type`], [`resolve_scope`]), [`tokens::mint`] and [`id_token::sign`]
//! (the very claims, signed with the active key), the introspection answer
//! ([`introspect::answer`]) and the userinfo claims ([`userinfo::claims`]). The minted rows are
//! never stored, and no token value leaves this module: the page gets each token decoded, not
//! the signed string, so a preview is never a credential.

use super::Caller;
use super::{clients, users};
use crate::checks::{check, traced};
use crate::model::client::{Client, GrantType};
use crate::model::scope::Scope;
use crate::model::smart_scope::{FHIR_USER, LAUNCH, LAUNCH_PATIENT};
use crate::model::user::User;
use crate::oauth::endpoints::{introspect, userinfo};
use crate::oauth::error::{OAuthError, no_store};
use crate::oauth::grants::client_credentials::require_confidential;
use crate::oauth::grants::{require_grant_type, resolve_scope};
use crate::oauth::id_token::{self, IdFacts};
use crate::oauth::tokens::{self, Grant, Minted};
use crate::sandbox::claims::{claim_lines, decode_jwt};
use crate::smart::context::LaunchContext;
use crate::state::AppState;
use crate::storage::tokens::NewToken;
use app::console::wire::{Failure, PreviewRequest, PreviewToken, TokenPreview};
use axum::response::IntoResponse;
use serde_json::{Value, json};

/// What a grant hands out, as its handler in `oauth::grants` (or the authorization endpoint,
/// for the implicit grant) does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Issues {
    /// It needs a resource owner.
    user: bool,
    /// A refresh token, when the client also holds `refresh_token`.
    refresh: bool,
    /// An ID token, for the `openid` scope.
    id_token: bool,
}

/// The grants a preview can stand for, and what each issues; `None` for a grant type that
/// issues no first tokens (`basic`, `refresh_token`).
fn issues(grant: GrantType) -> Option<Issues> {
    let (user, refresh, id_token) = match grant {
        // authorization_code.rs and device_code.rs: refresh for a client holding
        // refresh_token, an ID token for openid.
        GrantType::AuthorizationCode | GrantType::DeviceCode => (true, true, true),
        // password.rs: a refresh token, no ID token.
        GrantType::Password => (true, true, false),
        // RFC 6749 §4.2.2: "The authorization server MUST NOT issue a refresh token."
        GrantType::Implicit => (true, false, false),
        // §4.4.3: "A refresh token SHOULD NOT be included."
        GrantType::ClientCredentials => (false, false, false),
        GrantType::Basic | GrantType::RefreshToken => return None,
    };
    Some(Issues {
        user,
        refresh,
        id_token,
    })
}

/// The grant types a preview can stand for, as the page offers them.
pub const PREVIEW_GRANTS: [GrantType; 5] = [
    GrantType::AuthorizationCode,
    GrantType::DeviceCode,
    GrantType::Password,
    GrantType::Implicit,
    GrantType::ClientCredentials,
];

/// The preview of `request`, for `caller`: the client and the user must be the caller's to see
/// (404 otherwise, as everywhere in the console).
pub async fn preview(
    state: &AppState,
    caller: &Caller,
    request: PreviewRequest,
) -> Result<TokenPreview, Failure> {
    let (grant, issues) = serde_json::from_value::<GrantType>(json!(request.grant.trim()))
        .ok()
        .and_then(|g| issues(g).map(|i| (g, i)))
        .ok_or_else(|| {
            Failure::bad(format!(
                "grant: {:?} is not a grant that issues tokens; use one of {}",
                request.grant,
                PREVIEW_GRANTS.map(GrantType::as_str).join(", ")
            ))
        })?;
    let client = clients::get(state, caller, request.client_id.trim())
        .await
        .map_err(super::backend::message)?;
    let username = request.username.trim();
    let user = match (issues.user, username.is_empty()) {
        (true, true) => {
            return Err(Failure::bad(format!(
                "username: the {} grant issues tokens for a user; choose one",
                grant.as_str()
            )));
        }
        (true, false) => Some(
            users::get(state, caller, username)
                .await
                .map_err(super::backend::message)?,
        ),
        (false, true) => None,
        (false, false) => {
            return Err(Failure::bad(
                "username: the client_credentials grant issues tokens for the client itself, not for a user",
            ));
        }
    };
    let scope = Some(request.scope.trim()).filter(|s| !s.is_empty());
    let (outcome, checks) = traced(evaluate(
        state,
        &client,
        grant,
        issues,
        user.as_ref(),
        scope,
    ))
    .await;
    let mut preview = TokenPreview {
        grant: grant.as_str().to_owned(),
        checks: checks.into_iter().map(Into::into).collect(),
        ..TokenPreview::default()
    };
    match outcome {
        Ok(found) => fill(state, &mut preview, &client, grant, user.as_ref(), found).await,
        Err(Refusal::Endpoint(error)) => {
            preview.refusal = Some(wire_text(error.into_response()).await)
        }
        Err(Refusal::SignIn(words)) => preview.refusal = Some(words.to_owned()),
    }
    Ok(preview)
}

/// Why the server would issue nothing.
enum Refusal {
    /// The token endpoint's error answer (or the authorization endpoint's, for implicit).
    Endpoint(OAuthError),
    /// The sign-in page would not let the user in.
    SignIn(&'static str),
}

/// What the checks let through: the tokens, minted and not stored.
struct Evaluated {
    scope: Scope,
    minted: Minted,
    id_token: Option<String>,
    context: Option<LaunchContext>,
}

/// Runs the grant's checks in its order and mints what it would.
async fn evaluate(
    state: &AppState,
    client: &Client,
    grant: GrantType,
    issues: Issues,
    user: Option<&User>,
    requested: Option<&str>,
) -> Result<Evaluated, Refusal> {
    require_grant_type(client, grant).map_err(Refusal::Endpoint)?;
    if grant == GrantType::ClientCredentials {
        require_confidential(client).map_err(Refusal::Endpoint)?;
    }
    if let Some(user) = user
        && !check(
            "the user's account is enabled, so they can sign in",
            "RFC 6749 §3.1",
            !user.disabled,
        )
    {
        return Err(match grant {
            // password.rs answers a disabled account as a wrong password: nothing is told.
            GrantType::Password => Refusal::Endpoint(OAuthError::invalid_grant(
                "the username or password is wrong",
            )),
            _ => Refusal::SignIn("The sign-in page refuses this account: it is disabled."),
        });
    }
    let scope = resolve_scope(requested, &client.scope).map_err(Refusal::Endpoint)?;
    // The SMART fhirUser scope puts the user's FHIR resource in the grant's launch context; only
    // the authorization endpoint builds one (smart::request::grant_context).
    let context = (grant == GrantType::AuthorizationCode && scope.contains(FHIR_USER))
        .then(|| LaunchContext {
            fhir_user: user.and_then(|u| crate::smart::request::fhir_user_url(state, u)),
            ..LaunchContext::default()
        })
        .filter(|c| !c.is_empty());
    let username = user.map(|u| u.username.as_str());
    let family_id = tokens::new_family().map_err(Refusal::Endpoint)?;
    let refresh = (issues.refresh && client.allows(GrantType::RefreshToken)).then_some(None);
    let minted = tokens::mint(
        state,
        Grant {
            client,
            username,
            scope: &scope,
            granted: &scope,
            family_id,
            refresh,
            context: context.as_ref(),
        },
    )
    .map_err(Refusal::Endpoint)?;
    let id_token = match username {
        Some(username) if issues.id_token && scope.contains("openid") => Some(
            id_token::sign(
                state,
                IdFacts {
                    client_id: &client.client_id,
                    username,
                    auth_time: state.clock.now(),
                    nonce: None,
                    access_token: Some(&minted.response.access_token),
                    ttl: client.access_token_ttl,
                    fhir_user: context.as_ref().and_then(|c| c.fhir_user.as_deref()),
                    claims: None,
                },
            )
            .map_err(Refusal::Endpoint)?,
        ),
        _ => None,
    };
    Ok(Evaluated {
        scope,
        minted,
        id_token,
        context,
    })
}

/// Sets the preview's tokens, answers and notes from what was minted.
async fn fill(
    state: &AppState,
    preview: &mut TokenPreview,
    client: &Client,
    grant: GrantType,
    user: Option<&User>,
    found: Evaluated,
) {
    let Evaluated {
        scope,
        minted,
        id_token,
        context,
    } = found;
    preview.scope = scope.to_string();
    let (access_row, refresh_row) = split_rows(&minted.rows);
    let access_jwt = &minted.response.access_token;
    preview.access_token = access_row.map(|row| decoded(state, Some(access_jwt), row));
    preview.refresh_token = refresh_row.map(|row| decoded(state, None, row));
    // An ID token is never introspected: its introspection stays empty.
    preview.id_token = id_token.as_deref().map(decoded_jwt);
    preview.response = response_text(grant, &minted, id_token.is_some()).await;
    preview.userinfo = userinfo_text(&scope, user, context.as_ref()).await;
    preview.notes = notes(client, grant, &scope, user, &preview.id_token);
}

/// The access and refresh rows of a mint.
fn split_rows(rows: &[NewToken]) -> (Option<&NewToken>, Option<&NewToken>) {
    use crate::storage::tokens::TokenKind;
    (
        rows.iter().find(|r| r.kind == TokenKind::Access),
        rows.iter().find(|r| r.kind == TokenKind::Refresh),
    )
}

/// A token as the page shows it: a JWT decoded (`value` is the signed string, read here and
/// dropped), and what introspection would answer of its row.
fn decoded(state: &AppState, value: Option<&String>, row: &NewToken) -> PreviewToken {
    let jwt = value.filter(|_| row.secret_hash.is_none());
    let jti = jwt.map(|_| row.handle.clone());
    let introspection = introspect::answer(state, row.record(), jti);
    let mut token = jwt.map(|v| decoded_jwt(v)).unwrap_or_default();
    token.introspection = serde_json::to_string_pretty(&introspection).unwrap_or_default();
    token
}

fn decoded_jwt(value: &str) -> PreviewToken {
    match decode_jwt(value) {
        Some((header, claims)) => PreviewToken {
            is_jwt: true,
            header: claim_lines(&header),
            claims: claim_lines(&claims),
            introspection: String::new(),
        },
        None => PreviewToken::default(),
    }
}

/// The token response (RFC 6749 §5.1), or the implicit grant's redirect parameters (§4.2.2),
/// with each token's value replaced by what it stands for.
async fn response_text(grant: GrantType, minted: &Minted, id_token: bool) -> String {
    let mut body = serde_json::to_value(&minted.response).unwrap_or_default();
    if let Some(map) = body.as_object_mut() {
        map.insert("access_token".into(), json!("(the access token below)"));
        if map.contains_key("refresh_token") {
            map.insert("refresh_token".into(), json!("(the refresh token below)"));
        }
        if id_token {
            map.insert("id_token".into(), json!("(the ID token below)"));
        }
    }
    if grant == GrantType::Implicit {
        return format!(
            "The redirect back carries these in its fragment (RFC 6749 §4.2.2), with state and iss:\n{}",
            serde_json::to_string_pretty(&body).unwrap_or_default()
        );
    }
    let mut response = axum::Json(body).into_response();
    no_store(response.headers_mut());
    wire_text(response).await
}

/// What `GET /auth/userinfo` would answer to the access token.
async fn userinfo_text(
    scope: &Scope,
    user: Option<&User>,
    context: Option<&LaunchContext>,
) -> String {
    let names: Vec<&str> = scope.iter().collect();
    let response = match user.filter(|_| scope.contains("openid")) {
        Some(user) => {
            let fhir_user = context.and_then(|c| c.fhir_user.as_deref());
            let mut response =
                axum::Json(userinfo::claims(user, &names, fhir_user)).into_response();
            no_store(response.headers_mut());
            response
        }
        // endpoints/userinfo.rs: a token without openid, or without a user, is refused.
        None => OAuthError::InsufficientScope(
            "the access token was not issued with the openid scope for a user".into(),
        )
        .into_response(),
    };
    wire_text(response).await
}

/// What the page should know beyond the tokens.
fn notes(
    client: &Client,
    grant: GrantType,
    scope: &Scope,
    user: Option<&User>,
    id_token: &Option<PreviewToken>,
) -> Vec<String> {
    let mut notes = vec![
        "Nothing was issued or stored: these tokens do not exist, and the values are not shown. Times and ids are those a token made now would carry.".to_owned(),
    ];
    if id_token.is_none() && scope.contains("openid") {
        notes.push(match grant {
            GrantType::Password => {
                "No ID token: the password grant issues none here, even for openid.".into()
            }
            GrantType::Implicit => {
                "No ID token: response_type=token returns an access token only.".into()
            }
            _ => "No ID token: there is no user.".into(),
        });
    } else if id_token.is_none() && user.is_some() {
        notes.push("No ID token: the scope does not hold openid.".into());
    }
    if issues(grant).is_some_and(|i| i.refresh) && !client.allows(GrantType::RefreshToken) {
        notes.push(
            "No refresh token: the client is not registered for the refresh_token grant.".into(),
        );
    }
    if scope.contains(LAUNCH_PATIENT) || scope.contains(LAUNCH) {
        notes.push("A SMART launch adds the patient (picked at sign-in, or the EHR's), need_patient_banner and smart_style_url to the token response; the preview cannot know them. The authorization request must also carry aud, the FHIR base.".into());
    }
    notes
}

/// A response as it would cross the wire: status line, headers, blank line, body.
async fn wire_text(response: axum::response::Response) -> String {
    let mut text = crate::sandbox::backend::status_line(response.status());
    for (name, value) in response.headers() {
        text.push_str(&format!("\n{name}: {}", value.to_str().unwrap_or("")));
    }
    let body = axum::body::to_bytes(response.into_body(), 64 * 1024)
        .await
        .map(|b| match serde_json::from_slice::<Value>(&b) {
            Ok(json) => serde_json::to_string_pretty(&json).unwrap_or_default(),
            Err(_) => String::from_utf8_lossy(&b).into_owned(),
        })
        .unwrap_or_default();
    if !body.is_empty() {
        text.push_str("\n\n");
        text.push_str(&body);
    }
    text
}
