//! The requests the sandbox sends, built where the person can see them.

use super::wire::Outgoing;
use crate::endpoints as ep;
use base64::Engine;

/// How the client authenticates at the token endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientAuth {
    /// `client_secret_basic`: an Authorization: Basic header (RFC 6749 §2.3.1).
    Basic,
    /// `client_secret_post`: client_id and client_secret in the body.
    Post,
    /// `none`: a public client sends only its client_id.
    None,
}

fn form(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs.iter().filter(|(_, v)| !v.is_empty()))
        .finish()
}

/// RFC 6749 §2.3.1: both parts are form-urlencoded, then joined with ":" and base64-encoded.
pub fn basic(client_id: &str, secret: &str) -> String {
    let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let raw = format!("{}:{}", enc(client_id), enc(secret));
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}

/// A POST with a form body, authenticated as the client.
pub fn client_post(
    path: &str,
    auth: ClientAuth,
    client_id: &str,
    secret: &str,
    params: &[(&str, &str)],
) -> Outgoing {
    let mut headers = vec![(
        "content-type".to_owned(),
        "application/x-www-form-urlencoded".to_owned(),
    )];
    let mut pairs: Vec<(&str, &str)> = params.to_vec();
    match auth {
        ClientAuth::Basic => headers.push(("authorization".to_owned(), basic(client_id, secret))),
        ClientAuth::Post => {
            pairs.push(("client_id", client_id));
            pairs.push(("client_secret", secret));
        }
        ClientAuth::None => pairs.push(("client_id", client_id)),
    }
    Outgoing {
        method: "POST".into(),
        path: path.into(),
        headers,
        body: form(&pairs),
    }
}

/// `grant_type=client_credentials` (RFC 6749 §4.4.2).
pub fn client_credentials(
    auth: ClientAuth,
    client_id: &str,
    secret: &str,
    scope: &str,
) -> Outgoing {
    client_post(
        ep::TOKEN,
        auth,
        client_id,
        secret,
        &[("grant_type", "client_credentials"), ("scope", scope)],
    )
}

/// RFC 7523 §2.2 with SMART Backend Services: `client_credentials`, the client authenticated by
/// a JWT it signed (`private_key_jwt`), no secret at all.
pub fn client_credentials_with_assertion(scope: &str, assertion: &str) -> Outgoing {
    client_post(
        ep::TOKEN,
        ClientAuth::None,
        "",
        "",
        &[
            ("grant_type", "client_credentials"),
            ("scope", scope),
            ("client_assertion_type", ASSERTION_TYPE),
            ("client_assertion", assertion),
        ],
    )
}

/// RFC 7523 §2.2: the `client_assertion_type` of a JWT client assertion.
pub const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// A GET of the demo FHIR API at `path` (with its query) with a bearer token.
pub fn fhir_get(path: &str, token: &str) -> Outgoing {
    Outgoing {
        method: "GET".into(),
        path: path.into(),
        headers: vec![
            ("authorization".into(), format!("Bearer {token}")),
            ("accept".into(), "application/fhir+json".into()),
        ],
        body: String::new(),
    }
}

/// A POST of `json` to the admin REST API at `path`, as the account `username` (HTTP Basic).
pub fn admin_post(
    path: &str,
    username: &str,
    password: &str,
    json: &serde_json::Value,
) -> Outgoing {
    Outgoing {
        method: "POST".into(),
        ..admin_put(path, username, password, json)
    }
}

/// A GET of the demo API's patient list with this Authorization header.
fn api_get(authorization: String) -> Outgoing {
    Outgoing {
        method: "GET".into(),
        path: ep::PATIENTS.into(),
        headers: vec![("authorization".into(), authorization)],
        body: String::new(),
    }
}

/// A call to the demo API with a Bearer token (RFC 6750 §2.1).
pub fn api_call(token: &str) -> Outgoing {
    api_get(format!("Bearer {token}"))
}

/// OpenID Connect Core §5.3.1: "The Client sends the UserInfo Request using either HTTP GET or
/// HTTP POST. The Access Token obtained from an OpenID Connect Authentication Request MUST be
/// sent as a Bearer Token".
pub fn userinfo(token: &str) -> Outgoing {
    Outgoing {
        method: "GET".into(),
        path: ep::USERINFO.into(),
        headers: vec![("authorization".into(), format!("Bearer {token}"))],
        body: String::new(),
    }
}

/// A call to the demo API with the token in the URI query (RFC 6750 §2.3), which the RFC says
/// SHOULD NOT be used.
pub fn api_call_query(token: &str) -> Outgoing {
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("access_token", token)
        .finish();
    Outgoing {
        method: "GET".into(),
        path: format!("{}?{query}", ep::PATIENTS),
        headers: vec![],
        body: String::new(),
    }
}

/// Introspection of `token` (RFC 7662 §2.1).
pub fn introspect(auth: ClientAuth, client_id: &str, secret: &str, token: &str) -> Outgoing {
    client_post(ep::INTROSPECT, auth, client_id, secret, &[("token", token)])
}

/// Revocation of `token` (RFC 7009 §2.1).
pub fn revoke(auth: ClientAuth, client_id: &str, secret: &str, token: &str) -> Outgoing {
    client_post(
        ep::REVOKE,
        auth,
        client_id,
        secret,
        &[("token", token), ("token_type_hint", "access_token")],
    )
}

/// A string field of a JSON response body, if any.
pub fn field_of(body: &str, name: &str) -> Option<String> {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()?
        .get(name)?
        .as_str()
        .map(str::to_owned)
}

/// The `access_token` of a token response body, if any.
pub fn access_token_of(body: &str) -> Option<String> {
    field_of(body, "access_token")
}

/// A `PUT` to the admin REST API of `json` at `path`, as the account `username`: HTTP Basic as
/// RFC 7617 has it, the password exactly as it is (the admin API does not form-decode).
pub fn admin_put(path: &str, username: &str, password: &str, json: &serde_json::Value) -> Outgoing {
    let pair = format!("{username}:{password}");
    Outgoing {
        method: "PUT".into(),
        path: path.into(),
        headers: vec![
            (
                "authorization".into(),
                format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(pair)
                ),
            ),
            ("content-type".into(), "application/json".into()),
        ],
        body: serde_json::to_string_pretty(json).unwrap_or_default(),
    }
}

/// A call to the demo API with HTTP Basic client credentials (RFC 7617), the `basic` grant.
pub fn api_call_basic(client_id: &str, secret: &str) -> Outgoing {
    api_get(basic(client_id, secret))
}

/// `grant_type=password` (RFC 6749 §4.3.2).
pub fn password(
    auth: ClientAuth,
    client_id: &str,
    secret: &str,
    username: &str,
    password: &str,
    scope: &str,
) -> Outgoing {
    client_post(
        ep::TOKEN,
        auth,
        client_id,
        secret,
        &[
            ("grant_type", "password"),
            ("username", username),
            ("password", password),
            ("scope", scope),
        ],
    )
}

/// `grant_type=authorization_code` (RFC 6749 §4.1.3, RFC 7636 §4.5).
pub fn code_exchange(
    auth: ClientAuth,
    client_id: &str,
    secret: &str,
    code: &str,
    redirect_uri: &str,
    verifier: &str,
) -> Outgoing {
    client_post(
        ep::TOKEN,
        auth,
        client_id,
        secret,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("code_verifier", verifier),
        ],
    )
}

/// `grant_type=refresh_token` (RFC 6749 §6).
/// A GET of a JSON document (metadata, a key set) at an absolute URL.
pub fn get_json(url: &str) -> Outgoing {
    Outgoing {
        method: "GET".into(),
        path: url.into(),
        headers: vec![("accept".into(), "application/json".into())],
        body: String::new(),
    }
}

/// RFC 8628 §3.1: the device authorization request.
pub fn device_authorization(
    auth: ClientAuth,
    client_id: &str,
    secret: &str,
    scope: &str,
) -> Outgoing {
    client_post(
        ep::DEVICE_AUTHORIZATION,
        auth,
        client_id,
        secret,
        &[("scope", scope)],
    )
}

/// RFC 8628 §3.4: the device's poll of the token endpoint.
pub fn device_poll(auth: ClientAuth, client_id: &str, secret: &str, device_code: &str) -> Outgoing {
    client_post(
        ep::TOKEN,
        auth,
        client_id,
        secret,
        &[
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("device_code", device_code),
        ],
    )
}

pub fn refresh(auth: ClientAuth, client_id: &str, secret: &str, refresh_token: &str) -> Outgoing {
    client_post(
        ep::TOKEN,
        auth,
        client_id,
        secret,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ],
    )
}

/// Asks the sandbox's test issuer to sign `claims` (`signing`: `rs256`, `none`, `unknown-kid`
/// or `hs256-public-key`), the token living `expires_in` seconds from now.
pub fn mint(claims: &serde_json::Value, signing: &str, expires_in: i64) -> Outgoing {
    Outgoing {
        method: "POST".into(),
        path: crate::endpoints::TEST_ISSUER_TOKEN.into(),
        headers: vec![("content-type".into(), "application/json".into())],
        body: serde_json::to_string_pretty(&serde_json::json!({
            "claims": claims,
            "signing": signing,
            "expires_in": expires_in,
        }))
        .unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_is_form_encoded_first() {
        // "a b:c" → "a+b:c" before base64 (RFC 6749 §2.3.1).
        assert_eq!(
            basic("a b", "c"),
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode("a+b:c")
            )
        );
    }

    #[test]
    fn post_auth_puts_credentials_in_the_body() {
        let r = client_credentials(ClientAuth::Post, "id", "s&t", "");
        assert_eq!(
            r.body,
            "grant_type=client_credentials&client_id=id&client_secret=s%26t"
        );
        assert!(r.headers.iter().all(|(k, _)| k != "authorization"));
    }
}
