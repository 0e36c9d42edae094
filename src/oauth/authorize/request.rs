//! Reading and checking an authorization request (RFC 6749 §4.1.1, §4.2.1; RFC 7636 §4.3;
//! OIDC Core §3.1.2.1), as an ordered list of checks.
//!
//! The order matters. RFC 6749 §4.1.2.1: "If the request fails due to a missing, invalid, or
//! mismatching redirection URI, or if the client identifier is missing or invalid, the
//! authorization server SHOULD inform the resource owner of the error and MUST NOT
//! automatically redirect the user-agent to the invalid redirection URI." So `client_id` and
//! `redirect_uri` are checked first and their failures become a [`Rejection::Page`]; every
//! later failure goes back to the now-verified redirect URI.

use crate::model::client::{Client, GrantType, is_loopback};
use crate::model::scope::Scope;
use crate::oauth::error::OAuthError;
use crate::oauth::grants::resolve_scope;
use crate::oauth::pkce;
use crate::state::AppState;
use std::collections::HashMap;
use std::sync::Arc;

/// The longest value any authorization request parameter may have.
const MAX_PARAM: usize = 4096;

/// `code` or `token`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ResponseType {
    /// RFC 6749 §4.1: the authorization code grant.
    Code,
    /// RFC 6749 §4.2: the implicit grant (legacy, RFC 9700 §2.1.2).
    Token,
    /// RFC 8628 §3.3: not a response_type on the wire; a person approving a device's user code
    /// on the verification page, through the same sign-in and consent.
    Device,
}

/// The device code a verification answers (RFC 8628 §3.3).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DeviceRequest {
    pub handle: String,
    /// As the device shows it: `WDJB-MJHT`.
    pub user_code: String,
}

/// OIDC Core §3.1.2.1 `prompt`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Prompt {
    pub none: bool,
    pub login: bool,
    pub consent: bool,
}

/// Where a response goes: the verified redirect URI, in the query or the fragment.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Target {
    pub redirect_uri: String,
    /// §4.2.2: the implicit grant answers in the fragment.
    pub fragment: bool,
    /// Echoed exactly as received.
    pub state: Option<String>,
}

/// A checked authorization request.
#[derive(Clone, Debug)]
pub struct AuthorizeRequest {
    pub client: Arc<Client>,
    pub response_type: ResponseType,
    pub target: Target,
    /// The redirect_uri exactly as sent (`None` when omitted), bound to the code.
    pub redirect_uri_sent: Option<String>,
    pub scope: Scope,
    pub nonce: Option<String>,
    pub challenge: Option<(String, pkce::Method)>,
    pub prompt: Prompt,
    pub max_age: Option<i64>,
    pub login_hint: Option<String>,
    /// The sandbox run recording this request's front channel, if any: its sign-in and
    /// consent pages then carry the sandbox banner.
    pub sandbox: Option<crate::sandbox::recorder::Trace>,
    /// For [`ResponseType::Device`]: the device code being approved.
    pub device: Option<DeviceRequest>,
    /// A SMART App Launch request: its launch context, and whether the person picks the patient.
    pub smart: Option<crate::smart::request::SmartRequest>,
    /// Extra claims a mock-mode test sign-in chose; the tokens of the grant carry them.
    pub claims: Option<serde_json::Map<String, serde_json::Value>>,
}

/// Why a request was refused.
#[derive(Debug)]
pub enum Rejection {
    /// Shown on the server's own page, never redirected.
    Page {
        message: String,
        field: Option<(String, String)>,
        registered: Vec<String>,
    },
    /// Sent back to the verified redirect URI of `client`.
    Redirect {
        target: Target,
        error: OAuthError,
        client: Arc<Client>,
    },
}

fn page(
    message: impl Into<String>,
    field: Option<(&str, &str)>,
    registered: &[String],
) -> Rejection {
    Rejection::Page {
        message: message.into(),
        field: field.map(|(n, v)| (n.to_owned(), v.to_owned())),
        registered: registered.to_vec(),
    }
}

/// Groups the parameters by name, dropping empty values (RFC 6749 §3.1).
pub fn group(pairs: impl IntoIterator<Item = (String, String)>) -> HashMap<String, Vec<String>> {
    let mut map: HashMap<String, Vec<String>> = HashMap::new();
    for (k, v) in pairs {
        if !v.is_empty() {
            map.entry(k).or_default().push(v);
        }
    }
    map
}

/// RFC 6749 §3.1.2.3 and RFC 9700 §4.1.3: redirect URIs are compared as exact strings, except
/// that a loopback redirect URI matches on any port (RFC 8252 §7.3: "The authorization server
/// MUST allow any port to be specified at the time of the request for loopback IP redirect
/// URIs").
pub fn redirect_matches(registered: &str, sent: &str) -> bool {
    if registered == sent {
        return true;
    }
    let (Ok(r), Ok(s)) = (url::Url::parse(registered), url::Url::parse(sent)) else {
        return false;
    };
    r.scheme() == "http"
        && s.scheme() == "http"
        && is_loopback(&r)
        && r.host() == s.host()
        && r.path() == s.path()
        && r.query() == s.query()
        && s.fragment().is_none()
        && s.username().is_empty()
        && s.password().is_none()
        && !sent.contains('#')
        // The string outside the port must be identical too, so no normalisation sneaks in.
        && strip_port(registered) == strip_port(sent)
}

fn strip_port(uri: &str) -> String {
    url::Url::parse(uri)
        .map(|mut u| {
            let _ = u.set_port(None);
            u.to_string()
        })
        .unwrap_or_default()
}

/// Reads and checks an authorization request.
pub async fn parse(
    state: &AppState,
    params: HashMap<String, Vec<String>>,
) -> Result<AuthorizeRequest, Rejection> {
    let single = |name: &str| -> Result<Option<&str>, &'static str> {
        match params.get(name).map(Vec::as_slice) {
            None | Some([]) => Ok(None),
            Some([one]) => Ok(Some(one.as_str())),
            Some(_) => Err("repeated"),
        }
    };

    // 1. client_id: present once, known.
    let client_id = match single("client_id") {
        Ok(Some(id)) => id,
        Ok(None) => {
            return Err(page(
                "The request has no client_id, so it cannot be answered.",
                None,
                &[],
            ));
        }
        Err(_) => {
            return Err(page(
                "The request repeats client_id (RFC 6749 §3.1).",
                None,
                &[],
            ));
        }
    };
    let client = state
        .cache
        .client(client_id)
        .await
        .map_err(|e| {
            page(
                format!("The server could not read the client ({e})."),
                None,
                &[],
            )
        })?
        .ok_or_else(|| {
            page(
                "No client with this client_id is registered.",
                Some(("client_id", client_id)),
                &[],
            )
        })?;

    // 2. redirect_uri: exactly a registered one, or omitted when only one is registered.
    let registered = &client.redirect_uris;
    let (redirect_uri, redirect_uri_sent) = match single("redirect_uri") {
        Err(_) => {
            return Err(page(
                "The request repeats redirect_uri (RFC 6749 §3.1).",
                None,
                registered,
            ));
        }
        Ok(Some(sent)) => {
            if !registered.iter().any(|r| redirect_matches(r, sent)) {
                return Err(page(
                    "This redirect_uri is not registered for the client. Redirect URIs must match exactly \
                     (RFC 9700 §4.1.3); only a loopback address may differ in its port (RFC 8252 §7.3).",
                    Some(("redirect_uri", sent)),
                    registered,
                ));
            }
            (sent.to_owned(), Some(sent.to_owned()))
        }
        Ok(None) => match registered.as_slice() {
            [only] => (only.clone(), None),
            [] => {
                return Err(page(
                    "The client has no registered redirect URI.",
                    Some(("client_id", client_id)),
                    &[],
                ));
            }
            _ => {
                return Err(page(
                    "The request has no redirect_uri, and the client registered more than one, so it must say which \
                     (RFC 6749 §3.1.2.3).",
                    None,
                    registered,
                ));
            }
        },
    };

    // From here on, errors go back to the client. The response type decides query or fragment.
    let response_type = single("response_type").ok().flatten();
    let mut target = Target {
        redirect_uri,
        fragment: response_type == Some("token"),
        state: single("state").ok().flatten().map(str::to_owned),
    };
    let fail = |target: &Target, error: OAuthError| Rejection::Redirect {
        target: target.clone(),
        error,
        client: client.clone(),
    };

    // 3. No parameter twice, none absurdly long.
    if let Some((name, _)) = params.iter().find(|(_, v)| v.len() > 1) {
        return Err(fail(
            &target,
            OAuthError::invalid_request(format!("parameter {name:?} is repeated (RFC 6749 §3.1)")),
        ));
    }
    if let Some((name, _)) = params
        .iter()
        .find(|(_, v)| v.iter().any(|x| x.len() > MAX_PARAM))
    {
        target.state = target.state.filter(|s| s.len() <= MAX_PARAM);
        return Err(fail(
            &target,
            OAuthError::invalid_request(format!(
                "parameter {name:?} is longer than {MAX_PARAM} bytes"
            )),
        ));
    }

    // 4. response_type: supported, and allowed for this client.
    let response_type = match response_type {
        None => {
            return Err(fail(
                &target,
                OAuthError::invalid_request("the response_type parameter is missing"),
            ));
        }
        Some("code") => ResponseType::Code,
        Some("token") => ResponseType::Token,
        Some(other) => {
            return Err(fail(
                &target,
                OAuthError::UnsupportedResponseType(
                    format!("response_type {other:?} is not supported; use code (or token)").into(),
                ),
            ));
        }
    };
    let grant = match response_type {
        ResponseType::Code => GrantType::AuthorizationCode,
        ResponseType::Token => GrantType::Implicit,
        ResponseType::Device => GrantType::DeviceCode,
    };
    if !client.allows(grant) {
        return Err(fail(
            &target,
            OAuthError::unauthorized_client(format!(
                "the client is not registered for the {} grant",
                grant.as_str()
            )),
        ));
    }

    // 5. scope.
    let scope = resolve_scope(single("scope").ok().flatten(), &client.scope)
        .map_err(|e| fail(&target, e))?;

    // 6. PKCE (RFC 7636 §4.3), for the code flow.
    let challenge = match (response_type, single("code_challenge").ok().flatten()) {
        (ResponseType::Token | ResponseType::Device, _) => None,
        (ResponseType::Code, None) if client.require_pkce => {
            return Err(fail(
                &target,
                OAuthError::invalid_request(
                    "this client must use PKCE: send code_challenge and code_challenge_method=S256",
                ),
            ));
        }
        (ResponseType::Code, None) => None,
        (ResponseType::Code, Some(challenge)) => {
            let method = pkce::Method::parse(single("code_challenge_method").ok().flatten())
                .ok_or_else(|| {
                    fail(
                        &target,
                        OAuthError::invalid_request(
                            "code_challenge_method must be S256 (RFC 7636 §4.3)",
                        ),
                    )
                })?;
            if method == pkce::Method::Plain && !client.allow_plain_pkce {
                return Err(fail(
                    &target,
                    OAuthError::invalid_request(
                        "code_challenge_method plain is not allowed for this client; use S256",
                    ),
                ));
            }
            if !pkce::is_well_formed(challenge) {
                return Err(fail(
                    &target,
                    OAuthError::invalid_request(
                        "code_challenge must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~",
                    ),
                ));
            }
            Some((challenge.to_owned(), method))
        }
    };

    // 7. prompt, max_age, nonce, login_hint (OIDC Core §3.1.2.1).
    let mut prompt = Prompt::default();
    for value in single("prompt")
        .ok()
        .flatten()
        .unwrap_or("")
        .split(' ')
        .filter(|p| !p.is_empty())
    {
        match value {
            "none" => prompt.none = true,
            "login" => prompt.login = true,
            "consent" => prompt.consent = true,
            "select_account" => {}
            other => {
                return Err(fail(
                    &target,
                    OAuthError::invalid_request(format!("prompt value {other:?} is not supported")),
                ));
            }
        }
    }
    if prompt.none && (prompt.login || prompt.consent) {
        return Err(fail(
            &target,
            OAuthError::invalid_request("prompt=none cannot be combined with other values"),
        ));
    }
    let max_age = match single("max_age").ok().flatten() {
        None => None,
        Some(v) => Some(v.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
            fail(
                &target,
                OAuthError::invalid_request("max_age must be a non-negative number of seconds"),
            )
        })?),
    };
    // 8. SMART App Launch (last: a launch value is spent by this check, so every other check
    // has passed first).
    let aud = single("aud").ok().flatten();
    let launch = single("launch").ok().flatten();
    if response_type == ResponseType::Token
        && crate::smart::request::is_smart_request(&scope, aud, launch)
    {
        return Err(fail(
            &target,
            OAuthError::UnsupportedResponseType(
                "SMART App Launch uses the authorization code flow: use response_type=code".into(),
            ),
        ));
    }
    let smart = crate::smart::request::check_request(state, &client, &scope, aud, launch)
        .await
        .map_err(|e| fail(&target, e))?;
    Ok(AuthorizeRequest {
        client,
        response_type,
        target,
        redirect_uri_sent,
        scope,
        nonce: single("nonce").ok().flatten().map(str::to_owned),
        challenge,
        prompt,
        max_age,
        login_hint: single("login_hint").ok().flatten().map(str::to_owned),
        sandbox: None,
        device: None,
        smart,
        claims: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_matching_table() {
        let cases = [
            ("https://app.example/cb", "https://app.example/cb", true),
            ("https://app.example/cb", "https://app.example/cb/", false),
            (
                "https://app.example/cb",
                "https://app.example/cb?x=1",
                false,
            ),
            ("https://app.example/cb", "https://app.example/cbx", false),
            ("https://app.example/cb", "https://APP.example/cb", false),
            (
                "https://app.example/cb",
                "https://app.example:443/cb",
                false,
            ),
            ("https://app.example/cb", "https://app.example/cb#f", false),
            (
                "https://app.example:8443/cb",
                "https://app.example:9443/cb",
                false,
            ),
            ("http://127.0.0.1/cb", "http://127.0.0.1:51234/cb", true),
            ("http://127.0.0.1:8080/cb", "http://127.0.0.1:9090/cb", true),
            ("http://[::1]/cb", "http://[::1]:4000/cb", true),
            ("http://localhost/cb", "http://localhost:4000/cb", true),
            ("http://127.0.0.1/cb", "http://127.0.0.1:5000/cb/x", false),
            ("http://127.0.0.1/cb", "http://127.0.0.2:5000/cb", false),
            ("http://127.0.0.1/cb", "http://evil.example:5000/cb", false),
            ("http://127.0.0.1/cb", "http://u@127.0.0.1:5000/cb", false),
            ("http://127.0.0.1/cb", "http://127.0.0.1:5000/cb#x", false),
        ];
        for (registered, sent, want) in cases {
            assert_eq!(
                redirect_matches(registered, sent),
                want,
                "{registered} vs {sent}"
            );
        }
    }
}
