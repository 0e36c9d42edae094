//! SMART Backend Services: `private_key_jwt` client authentication (RFC 7523 §2.2, §3) with
//! `client_credentials` and `system/` scopes. Every rule of the assertion is refused by name:
//! the algorithm, the key, the signature, `iss`/`sub`, `aud`, the five-minute lifetime, `exp`,
//! and a `jti` used twice; and the client registers its keys through the admin API, the
//! console's rules and RFC 7591.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;
use common::browser::Browser;
use common::signer::Signer;
use common::*;
use jsonwebtoken::Algorithm;
use serde_json::{Value, json};

const TOKEN_URL: &str = "http://sandbox.test/auth/token";
const TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Registers `id` as a backend service keyed by `signers`.
async fn register(h: &Harness, id: &str, signers: &[&Signer]) {
    let keys: Vec<Value> = signers
        .iter()
        .map(|s| serde_json::to_value(s.jwk.as_ref().unwrap()).unwrap())
        .collect();
    let r = h
        .admin(
            "PUT",
            &format!("/Client/{id}"),
            Some(json!({
                "client_name": "Backend", "token_endpoint_auth_method": "private_key_jwt",
                "grant_types": ["client_credentials"], "scope": "system/*.rs",
                "jwks": {"keys": keys}
            })),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert!(
        r.json().get("client_secret").is_none(),
        "no secret for a keyed client"
    );
}

fn claims(id: &str, now: i64, jti: &str) -> Value {
    json!({"iss": id, "sub": id, "aud": TOKEN_URL, "exp": now + 240, "iat": now, "jti": jti})
}

async fn token(h: &Harness, assertion: &str) -> Reply {
    let body = format!(
        "grant_type=client_credentials&scope={}&client_assertion_type={}&client_assertion={}",
        enc("system/*.rs"),
        enc(TYPE),
        enc(assertion)
    );
    h.post_form("/auth/token", None, &body).await
}

fn refusal(r: &Reply) -> String {
    r.assert_error(401, "invalid_client");
    r.json()["error_description"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn rs384_and_es384_assertions_get_system_tokens() {
    let h = harness().await;
    let rsa = Signer::rsa(Algorithm::RS384);
    let ec = Signer::ec(Algorithm::ES384);
    register(&h, "backend", &[&rsa, &ec]).await;
    for (n, signer) in [&rsa, &ec].into_iter().enumerate() {
        let assertion = signer.sign(&claims("backend", T0, &format!("jti-{n}")));
        let r = token(&h, &assertion).await;
        assert_eq!(r.status, 200, "{:?}: {}", signer.alg, r.text());
        let t = r.json();
        assert_eq!(t["scope"], "system/*.rs");
        assert!(t.get("refresh_token").is_none());
        let bearer = format!("Bearer {}", t["access_token"].as_str().unwrap());
        let all = h.get("/fhir/Patient", Some(&bearer)).await;
        assert_eq!(all.status, 200, "{}", all.text());
        assert_eq!(all.json()["total"], 3, "system scopes reach every patient");
        // Introspection authenticates the same way.
        let again = signer.sign(&claims("backend", T0, &format!("jti-i{n}")));
        let body = format!(
            "token={}&client_assertion_type={}&client_assertion={}",
            enc(t["access_token"].as_str().unwrap()),
            enc(TYPE),
            enc(&again)
        );
        let i = h.post_form("/auth/introspect", None, &body).await;
        assert_eq!(i.json()["active"], true, "{}", i.text());
    }
}

#[tokio::test]
async fn each_rule_of_the_assertion_is_refused_by_name() {
    let h = harness().await;
    let key = Signer::rsa(Algorithm::RS384);
    let stranger = Signer::rsa(Algorithm::RS384);
    // One client per case: each refusal counts in the credential throttle.
    let with = |id: &str, patch: Value| {
        let mut c = claims(id, T0, "j");
        for (k, v) in patch.as_object().unwrap() {
            if v.is_null() {
                c.as_object_mut().unwrap().remove(k);
            } else {
                c[k] = v.clone();
            }
        }
        c
    };
    type Case<'a> = Box<dyn Fn(&str) -> String + 'a>;
    let cases: Vec<(Case, &str)> = vec![
        (
            Box::new(|id| key.sign(&with(id, json!({"aud": "https://other.example/token"})))),
            "aud must be the token endpoint",
        ),
        (
            Box::new(|id| key.sign(&with(id, json!({"iss": "someone-else"})))),
            "iss and sub must both be",
        ),
        (
            Box::new(|id| key.sign(&with(id, json!({"exp": T0 + 600})))),
            "at most 300 s",
        ),
        (
            Box::new(|id| key.sign(&with(id, json!({"exp": T0 - 60, "iat": T0 - 120})))),
            "expired",
        ),
        (
            Box::new(|id| key.sign(&with(id, json!({"exp": null})))),
            "no exp",
        ),
        (
            Box::new(|id| key.sign(&with(id, json!({"jti": null})))),
            "no jti",
        ),
        (
            Box::new(|id| key.sign_as(&with(id, json!({})), Some("not-a-kid"))),
            "kid 'not-a-kid' is not in",
        ),
        // The stranger's key, under the registered key's id: the signature fails.
        (
            Box::new(|id| stranger.sign_as(&with(id, json!({})), key.kid().as_deref())),
            "signature does not verify",
        ),
        (
            Box::new(|id| Signer::hmac(Algorithm::HS256).sign(&with(id, json!({})))),
            "alg 'HS256' is not accepted",
        ),
        (
            Box::new(|id| {
                format!(
                    "{}.{}.",
                    base64_url(r#"{"alg":"none"}"#),
                    base64_url(&with(id, json!({})).to_string())
                )
            }),
            "alg 'none' is not accepted",
        ),
    ];
    for (n, (make, reason)) in cases.iter().enumerate() {
        let id = format!("backend-{n}");
        register(&h, &id, &[&key]).await;
        let r = token(&h, &make(&id)).await;
        let why = refusal(&r);
        assert!(why.contains(reason), "{reason:?} in {why:?}");
        // RFC 6749 §5.2 error text.
        assert!(
            why.bytes()
                .all(|b| (0x20..=0x7e).contains(&b) && b != b'"' && b != b'\\'),
            "{why}"
        );
    }
    let r = h
        .post_form(
            "/auth/token",
            None,
            &format!("grant_type=client_credentials&client_id=backend-0&client_assertion_type={}&client_assertion=not-a-jwt", enc(TYPE)),
        )
        .await;
    assert!(refusal(&r).contains("not a JWT"));
    register(&h, "backend", &[&key]).await;
    let base = claims("backend", T0, "j");
    let with = |patch: Value| {
        let mut c = base.clone();
        for (k, v) in patch.as_object().unwrap() {
            c[k] = v.clone();
        }
        c
    };
    // A good one works once; the replay is refused.
    let good = key.sign(&with(json!({"jti": "once"})));
    assert_eq!(token(&h, &good).await.status, 200);
    assert!(refusal(&token(&h, &good).await).contains("already used"));
}

fn base64_url(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
}

#[tokio::test]
async fn the_method_is_the_registered_one_and_failures_are_throttled() {
    let h = harness().await;
    let key = Signer::ec(Algorithm::ES384);
    register(&h, "backend", &[&key]).await;
    // No assertion: a keyed client is not a public one.
    let r = h
        .post_form(
            "/auth/token",
            None,
            "grant_type=client_credentials&client_id=backend",
        )
        .await;
    assert!(refusal(&r).contains("private_key_jwt"));
    let r = h
        .token(("backend", "guess"), "grant_type=client_credentials")
        .await;
    assert!(refusal(&r).contains("private_key_jwt"));
    // A secret client cannot switch to an assertion.
    let secret_client = key.sign(&claims("service-client", T0, "x1"));
    assert!(
        refusal(&token(&h, &secret_client).await).contains("not registered for private_key_jwt")
    );
    // Two methods at once, and a wrong assertion type.
    let body = format!(
        "grant_type=client_credentials&client_assertion_type={}&client_assertion={}&client_secret=x",
        enc(TYPE),
        enc(&key.sign(&claims("backend", T0, "x2")))
    );
    h.post_form("/auth/token", None, &body)
        .await
        .assert_error(400, "invalid_request");
    let body = format!(
        "grant_type=client_credentials&client_assertion_type=urn%3Aother&client_assertion={}",
        enc(&key.sign(&claims("backend", T0, "x3")))
    );
    h.post_form("/auth/token", None, &body)
        .await
        .assert_error(400, "invalid_request");
    // Failures count like wrong secrets: after five, the client is throttled.
    let bad = |n: usize| {
        key.sign(&json!({"iss": "backend", "sub": "backend", "aud": "nope", "exp": T0 + 60, "jti": format!("t{n}")}))
    };
    let mut throttled = false;
    for n in 0..8 {
        let r = token(&h, &bad(n)).await;
        if r.status == 429 {
            assert!(r.header("retry-after").is_some());
            throttled = true;
            break;
        }
    }
    assert!(throttled, "bad assertions are throttled");
}

#[tokio::test]
async fn the_demo_backend_service_signs_with_the_sandbox_key() {
    let h = harness().await;
    let minted = h
        .send(json_request(
            "POST",
            "/sandbox/test-issuer/token",
            "",
            Some(json!({"claims": {"iss": "backend-service", "sub": "backend-service", "aud": TOKEN_URL}, "expires_in": 300})),
        ))
        .await;
    assert_eq!(minted.status, 200, "{}", minted.text());
    let assertion = minted.json()["access_token"].as_str().unwrap().to_owned();
    let r = token(&h, &assertion).await;
    assert_eq!(r.status, 200, "{}", r.text());
    // The test issuer's key set is for the demo client only: a developer may not register it.
    let mut dev = Browser::new(&h);
    dev.signup("dora", "dora-password").await;
    let r = h
        .send(json_request(
            "PUT",
            "/Client/dora-backend",
            &basic("dora", "dora-password"),
            Some(
                json!({"client_name": "x", "token_endpoint_auth_method": "private_key_jwt",
                        "grant_types": ["client_credentials"],
                        "jwks_uri": "http://sandbox.test/sandbox/test-issuer/jwks.json"}),
            ),
        ))
        .await;
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(r.json()["field"], "jwks_uri");
}

#[tokio::test]
async fn keys_are_validated_and_registered_through_rfc7591() {
    let h = harness().await;
    let key = Signer::rsa(Algorithm::RS384);
    let jwk = serde_json::to_value(key.jwk.as_ref().unwrap()).unwrap();
    let put = |body: Value| h.admin("PUT", "/Client/k", Some(body));
    let base = json!({"client_name": "k", "grant_types": ["client_credentials"]});
    let with = |extra: Value| {
        let mut b = base.clone();
        for (k, v) in extra.as_object().unwrap() {
            b[k] = v.clone();
        }
        b
    };
    for (body, field) in [
        (
            with(json!({"token_endpoint_auth_method": "private_key_jwt"})),
            "jwks",
        ),
        (
            with(
                json!({"token_endpoint_auth_method": "private_key_jwt", "client_secret": "a-secret-123"}),
            ),
            "client_secret",
        ),
        (
            with(json!({"token_endpoint_auth_method": "private_key_jwt", "jwks": {"keys": []}})),
            "jwks",
        ),
        (
            with(
                json!({"token_endpoint_auth_method": "private_key_jwt", "jwks": {"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}}),
            ),
            "jwks.keys[0]",
        ),
        (
            with(
                json!({"token_endpoint_auth_method": "private_key_jwt", "jwks": {"keys": [{"kty": "RSA", "n": "AQAB", "e": "AQAB", "d": "AQAB"}]}}),
            ),
            "jwks.keys[0]",
        ),
        (
            with(
                json!({"token_endpoint_auth_method": "private_key_jwt", "jwks": {"keys": [jwk.clone()]}, "jwks_uri": "https://x.example/jwks"}),
            ),
            "jwks_uri",
        ),
        (
            with(json!({"jwks": {"keys": [jwk.clone()]}})),
            "token_endpoint_auth_method",
        ),
        (
            with(
                json!({"token_endpoint_auth_method": "private_key_jwt", "jwks_uri": "ftp://x.example/jwks"}),
            ),
            "jwks_uri",
        ),
    ] {
        let r = put(body.clone()).await;
        assert_eq!(r.status, 400, "{body}: {}", r.text());
        assert_eq!(r.json()["field"], field, "{body}");
    }
    // RFC 7591: a developer registers a keyed client with its jwks; no secret comes back.
    let mut b = Browser::new(&h);
    b.signup("dev", "dev-password-1").await;
    let iat = b
        .call_form("/api/console/initial-token", &[])
        .await
        .json()
        .as_str()
        .unwrap()
        .to_owned();
    let req = axum::http::Request::post("/auth/register")
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {iat}"))
        .body(axum::body::Body::from(
            json!({"client_name": "svc", "token_endpoint_auth_method": "private_key_jwt",
                   "grant_types": ["client_credentials"], "scope": "system/*.rs",
                   "jwks": {"keys": [jwk]}})
            .to_string(),
        ))
        .unwrap();
    let r = h.send(req).await;
    assert_eq!(r.status, 201, "{}", r.text());
    let reg = r.json();
    assert_eq!(reg["token_endpoint_auth_method"], "private_key_jwt");
    assert!(reg.get("client_secret").is_none());
    assert_eq!(reg["jwks"]["keys"][0]["kid"], key.kid().unwrap());
    let id = reg["client_id"].as_str().unwrap();
    let assertion = key.sign(&claims(id, T0, "dcr-1"));
    assert_eq!(token(&h, &assertion).await.status, 200);
}

#[tokio::test]
async fn the_console_saves_a_keyed_client_and_its_launch_url_and_keeps_them() {
    let h = harness().await;
    let key = Signer::ec(Algorithm::ES384);
    let jwks = json!({"keys": [key.jwk.as_ref().unwrap()]}).to_string();
    let mut b = Browser::new(&h);
    assert_eq!(b.signup("kim", "kim-password").await.status, 303);
    let form = json!({
        "client_id": "kim-svc", "client_name": "Kim's service",
        "token_endpoint_auth_method": "private_key_jwt",
        "grant_types": ["client_credentials", "authorization_code"],
        "redirect_uris": ["https://kim.example/cb"],
        "scope": "system/*.rs launch patient/*.rs", "first_party": false, "access_token_format": "jwt",
        "access_token_ttl": 300, "refresh_token_ttl": 86400,
        "require_pkce": true, "allow_plain_pkce": false, "rotate_refresh_tokens": true,
        "jwks": jwks, "jwks_uri": "", "launch_uri": "https://kim.example/launch"
    });
    let saved = b
        .call(
            "/api/console/save-client",
            json!({"form": form, "create": true}),
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.text());
    assert!(
        saved.json()["secret"].is_null(),
        "a keyed client gets no secret"
    );
    // The stored client has the keys and the launch URL, and an assertion works.
    let view = h.admin("GET", "/Client/kim-svc", None).await.json();
    assert_eq!(view["token_endpoint_auth_method"], "private_key_jwt");
    assert_eq!(view["jwks"]["keys"][0]["kid"], key.kid().unwrap());
    assert_eq!(view["launch_uri"], "https://kim.example/launch");
    assert_eq!(
        token(&h, &key.sign(&claims("kim-svc", T0, "c1")))
            .await
            .status,
        200
    );
    // Saved again from the form the console shows, nothing is lost.
    let listed = b.call("/api/console/clients", json!({})).await;
    assert_eq!(listed.status, 200, "{}", listed.text());
    let shown = listed
        .json()
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["form"]["client_id"] == "kim-svc")
        .unwrap()["form"]
        .clone();
    let again = b
        .call(
            "/api/console/save-client",
            json!({"form": shown, "create": false}),
        )
        .await;
    assert_eq!(again.status, 200, "{}", again.text());
    let view = h.admin("GET", "/Client/kim-svc", None).await.json();
    assert_eq!(view["launch_uri"], "https://kim.example/launch");
    assert_eq!(view["jwks"]["keys"][0]["kid"], key.kid().unwrap());
}
