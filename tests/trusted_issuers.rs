//! Trusted outside issuers at the demo API: the TrustedIssuer resource, every key kind and
//! algorithm, the key set cache and its refetch on an unknown kid, the reasons in
//! `WWW-Authenticate`, and policies with and without `issuers`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;
use base64::Engine;
use common::signer::{HMAC_SECRET, Signer};
use common::*;
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

const IDP: &str = "https://idp.example";
const AUD: &str = "https://api.example/fhir";

fn claims(extra: Value) -> Value {
    let mut c = json!({
        "iss": IDP, "sub": "alice@idp", "aud": AUD, "azp": "outside-app",
        "scope": "patient.read", "iat": T0, "exp": T0 + 300,
    });
    for (k, v) in extra.as_object().unwrap() {
        c[k] = v.clone();
    }
    c
}

/// A key set server on a loopback port that counts its fetches.
struct KeyServer {
    url: String,
    set: Arc<Mutex<JwkSet>>,
    hits: Arc<AtomicUsize>,
}

async fn key_server(keys: Vec<Jwk>) -> KeyServer {
    let set = Arc::new(Mutex::new(JwkSet { keys }));
    let hits = Arc::new(AtomicUsize::new(0));
    let (s, n) = (set.clone(), hits.clone());
    let app = axum::Router::new().route(
        "/jwks",
        axum::routing::get(move || {
            let (s, n) = (s.clone(), n.clone());
            async move {
                n.fetch_add(1, Ordering::SeqCst);
                // A slow answer, so that concurrent misses overlap.
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                axum::Json(s.lock().unwrap().clone())
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/jwks", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    KeyServer { url, set, hits }
}

/// The admin's policy that lets tokens of `issuers` read the demo API.
async fn admit(h: &Harness, issuers: Value) {
    let r = h
        .admin(
            "PUT",
            "/AccessPolicy/outside-reads",
            Some(json!({"auth": "bearer", "methods": ["GET"], "path": "/fhir/**", "issuers": issuers})),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text());
}

/// This server's own token still reads the demo API.
async fn own_token_reads(h: &Harness) {
    let own = h.service_token().await;
    let r = h.get("/fhir/Patient", Some(&format!("Bearer {own}"))).await;
    assert_eq!(r.status, 200, "{}", r.text());
}

/// A developer account the admin made, with the password `developer-password`.
async fn developer(h: &Harness, name: &str) {
    let r = h
        .admin(
            "PUT",
            &format!("/User/{name}"),
            Some(json!({"password": "developer-password", "roles": ["developer"]})),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text());
}

async fn trust(h: &Harness, id: &str, body: Value) {
    let r = h
        .admin("PUT", &format!("/TrustedIssuer/{id}"), Some(body))
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
}

async fn call(h: &Harness, token: &str) -> Reply {
    h.get("/fhir/Patient", Some(&format!("Bearer {token}")))
        .await
}

/// The `error_description` of the Bearer challenge, checked against RFC 6750 §3's grammar.
fn refusal(r: &Reply) -> String {
    assert_eq!(r.status, 401, "{}", r.text());
    let challenge = r.header("www-authenticate").unwrap().to_owned();
    assert!(
        challenge.starts_with(
            "Bearer realm=\"oauth-sandbox\", error=\"invalid_token\", error_description=\""
        ),
        "{challenge}"
    );
    let description = challenge
        .split("error_description=\"")
        .nth(1)
        .unwrap()
        .trim_end_matches('"')
        .to_owned();
    // RFC 6750 §3: error-description = *( %x20-21 / %x23-5B / %x5D-7E )
    assert!(
        description
            .bytes()
            .all(|b| matches!(b, 0x20..=0x21 | 0x23..=0x5B | 0x5D..=0x7E)),
        "{description}"
    );
    assert_eq!(r.json()["error_description"], description.as_str());
    description
}

#[tokio::test]
async fn every_key_kind_and_algorithm_verifies() {
    let h = harness().await;
    admit(&h, json!([IDP])).await;
    let signers = [
        Signer::rsa(Algorithm::RS256),
        Signer::rsa(Algorithm::RS384),
        Signer::rsa(Algorithm::RS512),
        Signer::rsa(Algorithm::PS256),
        Signer::ec(Algorithm::ES256),
        Signer::ec(Algorithm::ES384),
        Signer::ed(),
        Signer::hmac(Algorithm::HS256),
        Signer::hmac(Algorithm::HS384),
        Signer::hmac(Algorithm::HS512),
    ];
    for signer in &signers {
        let alg = format!("{:?}", signer.alg);
        let kinds: Vec<(&str, Value)> = match (&signer.jwk, &signer.pem) {
            (Some(jwk), Some(pem)) => vec![
                ("jwks", json!({"jwks": {"keys": [jwk]}})),
                ("pem", json!({"pem": pem})),
                (
                    "jwks_uri",
                    json!({"jwks_uri": key_server(vec![jwk.clone()]).await.url}),
                ),
            ],
            _ => vec![("secret", json!({"secret": HMAC_SECRET}))],
        };
        for (kind, keys) in kinds {
            let mut body = json!({"issuer": IDP, "audiences": [AUD], "algorithms": [alg]});
            for (k, v) in keys.as_object().unwrap() {
                body[k] = v.clone();
            }
            let r = h.admin("PUT", "/TrustedIssuer/idp", Some(body)).await;
            assert!(r.status.is_success(), "{alg} {kind}: {}", r.text());
            let r = call(&h, &signer.sign(&claims(json!({})))).await;
            assert_eq!(r.status, 200, "{alg} with {kind}: {}", r.text());
            // A token of another algorithm than the trust allows is refused.
            let other = if signer.alg == Algorithm::HS256 {
                Signer::hmac(Algorithm::HS384)
            } else {
                Signer::hmac(Algorithm::HS256)
            };
            let why = refusal(&call(&h, &other.sign(&claims(json!({})))).await);
            assert!(
                why.contains("is not one this trust allows"),
                "{alg} {kind}: {why}"
            );
        }
    }
}

#[tokio::test]
async fn each_check_names_itself_in_the_challenge() {
    let h = harness().await;
    admit(&h, json!([IDP])).await;
    let rsa = Signer::rsa(Algorithm::RS256);
    trust(
        &h,
        "idp",
        json!({"issuer": IDP, "audiences": [AUD], "jwks": {"keys": [rsa.jwk]}, "algorithms": ["RS256"]}),
    )
    .await;
    let cases = [
        (
            rsa.sign(&claims(json!({"aud": "https://elsewhere.example"}))),
            "is not an audience this API accepts",
        ),
        (
            rsa.sign(&claims(json!({"exp": T0 - 61}))),
            "the token expired 61 s ago",
        ),
        (
            rsa.sign(&claims(json!({"nbf": T0 + 120}))),
            "is not valid for another 120 s",
        ),
        (
            rsa.sign_as(&claims(json!({})), Some("nobody-published-this")),
            "kid 'nobody-published-this' is not in",
        ),
        (
            rsa.sign(&claims(json!({"iss": "https://stranger.example"}))),
            "neither this server nor a trusted issuer",
        ),
        (
            Signer::rsa(Algorithm::RS256).sign(&claims(json!({}))),
            "the signature does not verify",
        ),
    ];
    for (token, want) in cases {
        let why = refusal(&call(&h, &token).await);
        assert!(why.contains(want), "want {want:?}, got {why:?}");
    }
    // Within the skew, an expired token still passes; a token without exp never does.
    assert_eq!(
        call(&h, &rsa.sign(&claims(json!({"exp": T0 - 59}))))
            .await
            .status,
        200
    );
    let mut no_exp = claims(json!({}));
    no_exp.as_object_mut().unwrap().remove("exp");
    assert!(refusal(&call(&h, &rsa.sign(&no_exp)).await).contains("no exp claim"));
    // alg none: an unsecured JWS (RFC 7515 Appendix A.5).
    let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let none = format!(
        "{}.{}.",
        b64(&json!({"alg": "none"})),
        b64(&claims(json!({})))
    );
    assert!(refusal(&call(&h, &none).await).contains("alg none is never accepted"));
    // The HMAC/RSA confusion: HS256 keyed by the trust's own public key.
    let mut header = Header::new(Algorithm::HS256);
    header.kid = rsa.kid();
    let pem = rsa.pem.clone().unwrap();
    let forged = jsonwebtoken::encode(
        &header,
        &claims(json!({})),
        &EncodingKey::from_secret(pem.as_bytes()),
    )
    .unwrap();
    assert!(refusal(&call(&h, &forged).await).contains("HS256 is not one this trust allows"));
    // Even a trust that lists HS256 never uses its public key as the secret.
    let r = h
        .admin(
            "PUT",
            "/TrustedIssuer/idp",
            Some(json!({"issuer": IDP, "audiences": [AUD], "pem": pem, "algorithms": ["RS256", "HS256"]})),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(r.json()["field"], "algorithms[1]");
}

#[tokio::test]
async fn an_unknown_kid_refetches_the_key_set_once_and_concurrent_misses_share_it() {
    let h = harness().await;
    admit(&h, json!([IDP])).await;
    let old = Signer::rsa(Algorithm::RS256);
    let mut new = Signer::rsa(Algorithm::RS256);
    new.jwk.as_mut().unwrap().common.key_id = Some("rotated-in".into());
    let server = key_server(vec![old.jwk.clone().unwrap()]).await;
    trust(
        &h,
        "idp",
        json!({"issuer": IDP, "audiences": [AUD], "jwks_uri": server.url, "cache_ttl_seconds": 300}),
    )
    .await;
    let token = old.sign(&claims(json!({})));
    for _ in 0..5 {
        assert_eq!(call(&h, &token).await.status, 200);
    }
    assert_eq!(server.hits.load(Ordering::SeqCst), 1, "the set is kept");
    // The issuer rotates: the new kid is not in the kept set, so it is fetched again, once,
    // for eight requests at the same moment.
    server
        .set
        .lock()
        .unwrap()
        .keys
        .push(new.jwk.clone().unwrap());
    let rotated = new.sign(&claims(json!({})));
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let router = h.router.clone();
        let request = axum::http::Request::get("/fhir/Patient")
            .header("authorization", format!("Bearer {rotated}"))
            .body(axum::body::Body::empty())
            .unwrap();
        calls.spawn(async move {
            tower::ServiceExt::oneshot(router, request)
                .await
                .unwrap()
                .status()
        });
    }
    while let Some(status) = calls.join_next().await {
        assert_eq!(status.unwrap(), 200);
    }
    assert_eq!(server.hits.load(Ordering::SeqCst), 2);
    // Made-up kids cost at most one fetch per interval.
    for i in 0..5 {
        let why = refusal(
            &call(
                &h,
                &old.sign_as(&claims(json!({})), Some(&format!("made-up-{i}"))),
            )
            .await,
        );
        assert!(why.contains("is not in the issuer's key set"), "{why}");
    }
    assert_eq!(
        server.hits.load(Ordering::SeqCst),
        2,
        "within the interval, no refetch"
    );
    h.clock.advance(31);
    refusal(
        &call(
            &h,
            &old.sign_as(&claims(json!({"exp": T0 + 400})), Some("made-up-later")),
        )
        .await,
    );
    assert_eq!(server.hits.load(Ordering::SeqCst), 3);
    // After the cache lifetime the set is fetched again even for a known kid.
    h.clock.advance(300);
    let fresh = old.sign(&claims(json!({"exp": T0 + 1000})));
    assert_eq!(call(&h, &fresh).await.status, 200);
    assert_eq!(server.hits.load(Ordering::SeqCst), 4);
    assert_eq!(h.state.trust_keys.fetches(), 4);
}

#[tokio::test]
async fn policies_without_issuers_never_admit_outside_tokens() {
    let h = harness().await;
    let rsa = Signer::rsa(Algorithm::RS256);
    trust(
        &h,
        "idp",
        json!({"issuer": IDP, "audiences": [AUD], "jwks": {"keys": [rsa.jwk]}}),
    )
    .await;
    // The demo data's policies predate trusts: a verified outside token gets 403, with the
    // issuers line in the trace.
    let token = rsa.sign(&claims(json!({})));
    let r = call(&h, &token).await;
    assert_eq!(r.status, 403, "{}", r.text());
    assert_eq!(r.json()["error"], "insufficient_scope");
    let trace = r.json()["policies"].to_string();
    assert!(
        trace.contains("admits only this server's own tokens"),
        "{trace}"
    );
    // A policy naming the issuer, and matching the mapped claims.
    let r = h
        .admin(
            "PUT",
            "/AccessPolicy/outside-alice",
            Some(json!({"issuers": [IDP], "usernames": ["alice@idp"], "client_ids": ["outside-app"], "scopes": ["patient.read"]})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(call(&h, &token).await.status, 200);
    assert_eq!(
        call(&h, &rsa.sign(&claims(json!({"sub": "bob@idp"}))))
            .await
            .status,
        403
    );
    assert_eq!(
        call(&h, &rsa.sign(&claims(json!({"scope": "other"}))))
            .await
            .status,
        403
    );
    // scp as an array, and client_id when there is no azp.
    let mut c = claims(json!({"scp": ["patient.read"], "client_id": "outside-app"}));
    c.as_object_mut().unwrap().remove("scope");
    c.as_object_mut().unwrap().remove("azp");
    assert_eq!(call(&h, &rsa.sign(&c)).await.status, 200);
    // Claim mapping: the user in "email".
    let r = h
        .admin(
            "PUT",
            "/TrustedIssuer/idp",
            Some(json!({"issuer": IDP, "audiences": [AUD], "jwks": {"keys": [rsa.jwk]}, "user_claim": "email"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        call(&h, &token).await.status,
        403,
        "sub no longer names the user"
    );
    assert_eq!(
        call(&h, &rsa.sign(&claims(json!({"email": "alice@idp"}))))
            .await
            .status,
        200
    );
    // Own tokens are untouched by a policy that names only outside issuers.
    own_token_reads(&h).await;
    // Deleting the trust stops its tokens at once.
    assert_eq!(
        h.admin("DELETE", "/TrustedIssuer/idp", None).await.status,
        204
    );
    assert!(refusal(&call(&h, &token).await).contains("neither this server nor a trusted issuer"));
}

#[tokio::test]
async fn the_resource_keeps_its_secret_and_its_owner() {
    let h = harness().await;
    let r = h
        .admin(
            "PUT",
            "/TrustedIssuer/hs",
            Some(json!({"issuer": IDP, "audiences": [AUD], "secret": HMAC_SECRET, "algorithms": ["HS256"]})),
        )
        .await;
    assert_eq!(r.status, 201);
    assert!(!r.text().contains(HMAC_SECRET));
    assert_eq!(r.json()["has_secret"], true);
    assert_eq!(r.json()["clock_skew_seconds"], 60);
    assert_eq!(r.json()["cache_ttl_seconds"], 300);
    let listed = h.admin("GET", "/TrustedIssuer", None).await;
    assert!(!listed.text().contains(HMAC_SECRET));
    assert_eq!(listed.json()[0]["id"], "hs");
    // A replace without the secret keeps it.
    let r = h
        .admin(
            "PUT",
            "/TrustedIssuer/hs",
            Some(json!({"issuer": IDP, "audiences": [AUD], "algorithms": ["HS256"], "description": "renamed"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    admit(&h, json!([IDP])).await;
    assert_eq!(
        call(&h, &Signer::hmac(Algorithm::HS256).sign(&claims(json!({}))))
            .await
            .status,
        200
    );
    // Bad input names the field; nothing is written.
    for (body, field) in [
        (
            json!({"issuer": IDP, "audiences": [AUD], "secret": "short", "algorithms": ["HS256"]}),
            "secret",
        ),
        (
            json!({"issuer": ISSUER, "audiences": [AUD], "secret": HMAC_SECRET}),
            "issuer",
        ),
        (
            json!({"issuer": IDP, "audiences": [], "secret": HMAC_SECRET}),
            "audiences",
        ),
        (
            json!({"issuer": IDP, "audiences": [AUD], "secret": HMAC_SECRET, "algorithms": ["none"]}),
            "algorithms[0]",
        ),
    ] {
        let r = h.admin("PUT", "/TrustedIssuer/bad", Some(body)).await;
        assert_eq!(r.status, 400, "{}", r.text());
        assert_eq!(r.json()["field"], field, "{}", r.text());
    }
    assert_eq!(h.admin("GET", "/TrustedIssuer/bad", None).await.status, 404);

    // A developer sees only their own, and their policy may name only their own trusts.
    for dev in ["dev-a", "dev-b"] {
        developer(&h, dev).await;
    }
    let as_dev = |dev: &str, method: &str, path: &str, body: Option<Value>| {
        h.send(json_request(
            method,
            path,
            &basic(dev, "developer-password"),
            body,
        ))
    };
    let dev_trust =
        json!({"issuer": "https://dev-a-idp.example", "audiences": [AUD], "secret": HMAC_SECRET});
    assert_eq!(
        as_dev(
            "dev-a",
            "PUT",
            "/TrustedIssuer/a-idp",
            Some(dev_trust.clone())
        )
        .await
        .status,
        201
    );
    assert_eq!(
        as_dev("dev-b", "GET", "/TrustedIssuer/a-idp", None)
            .await
            .status,
        404
    );
    assert_eq!(
        as_dev("dev-b", "PUT", "/TrustedIssuer/a-idp", Some(dev_trust))
            .await
            .status,
        404
    );
    assert_eq!(
        as_dev("dev-b", "DELETE", "/TrustedIssuer/a-idp", None)
            .await
            .status,
        404
    );
    assert_eq!(
        as_dev("dev-b", "GET", "/TrustedIssuer", None).await.json(),
        json!([])
    );
    assert_eq!(
        as_dev("dev-a", "GET", "/TrustedIssuer", None).await.json()[0]["id"],
        "a-idp"
    );
    let r = as_dev(
        "dev-b",
        "PUT",
        "/AccessPolicy/b-outside",
        Some(json!({"issuers": ["https://dev-a-idp.example"]})),
    )
    .await;
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(r.json()["field"], "issuers[0]");
    let r = as_dev(
        "dev-a",
        "PUT",
        "/AccessPolicy/a-outside",
        Some(json!({"issuers": ["https://dev-a-idp.example"], "path": "/fhir/**"})),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let a_token =
        Signer::hmac(Algorithm::HS256).sign(&claims(json!({"iss": "https://dev-a-idp.example"})));
    assert_eq!(call(&h, &a_token).await.status, 200);
    // dev-b trusts the same iss with a key of their own choosing: dev-b's tokens do not reach
    // dev-a's policy, whose trust does not verify them.
    let b_secret = "dev-b-chose-this-secret-which-is-long-enough-0123456789";
    let r = as_dev(
        "dev-b",
        "PUT",
        "/TrustedIssuer/b-idp",
        Some(
            json!({"issuer": "https://dev-a-idp.example", "audiences": [AUD], "secret": b_secret}),
        ),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let forged = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims(json!({"iss": "https://dev-a-idp.example"})),
        &EncodingKey::from_secret(b_secret.as_bytes()),
    )
    .unwrap();
    let r = call(&h, &forged).await;
    assert_eq!(r.status, 403, "{}", r.text());
    let trace = r.json()["policies"].to_string();
    assert!(
        !trace.contains("a-outside"),
        "dev-a's policy is not dev-b's business: {trace}"
    );
}

#[tokio::test]
async fn a_seed_file_carries_trusted_issuers() {
    let dir = tempfile::tempdir().unwrap();
    let seed = dir.path().join("seed.json");
    std::fs::write(
        &seed,
        json!({
            "trusted_issuers": [{"id": "seeded", "issuer": IDP, "audiences": [AUD], "secret": HMAC_SECRET}],
            "policies": [{"id": "seeded-reads", "issuers": [IDP], "path": "/fhir/**"}],
        })
        .to_string(),
    )
    .unwrap();
    let h = harness_with(&["--seed", seed.to_str().unwrap()]).await;
    assert_eq!(
        call(&h, &Signer::hmac(Algorithm::HS256).sign(&claims(json!({}))))
            .await
            .status,
        200
    );
    std::fs::write(
        &seed,
        json!({"trusted_issuers": [{"id": "bad", "issuer": IDP, "audiences": [AUD], "algorithms": ["none"], "secret": HMAC_SECRET}]}).to_string(),
    )
    .unwrap();
    let dir2 = tempfile::tempdir().unwrap();
    let err = oauth_sandbox::build_state(
        &config(dir2.path(), &["--seed", seed.to_str().unwrap()]),
        oauth_sandbox::clock::ManualClock::new(T0),
    )
    .await
    .err()
    .unwrap()
    .to_string();
    assert!(
        err.contains("trusted_issuers[0] (\"bad\"): algorithms[0]"),
        "{err}"
    );
}

#[tokio::test]
async fn the_test_issuer_mints_what_a_trust_in_it_accepts() {
    let h = harness().await;
    let test_iss = format!("{ISSUER}/sandbox/test-issuer");
    trust(
        &h,
        "test",
        json!({"issuer": test_iss, "audiences": [AUD], "jwks_uri": format!("{test_iss}/jwks.json"), "algorithms": ["RS256"]}),
    )
    .await;
    admit(&h, json!([test_iss])).await;
    let mint = |signing: &str, claims: Value| {
        h.send(json_request(
            "POST",
            "/sandbox/test-issuer/token",
            "Bearer unused",
            Some(json!({"claims": claims, "signing": signing})),
        ))
    };
    let r = mint("rs256", json!({"sub": "learner", "aud": AUD})).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["claims"]["iss"], test_iss.as_str());
    assert_eq!(r.json()["claims"]["exp"], T0 + 300);
    let token = r.json()["access_token"].as_str().unwrap().to_owned();
    assert_eq!(call(&h, &token).await.status, 200);
    for (signing, want) in [
        ("none", "alg none is never accepted"),
        ("unknown-kid", "is not in the issuer's key set"),
        ("hs256-public-key", "HS256 is not one this trust allows"),
    ] {
        let r = mint(signing, json!({"aud": AUD})).await;
        let token = r.json()["access_token"].as_str().unwrap().to_owned();
        let why = refusal(&call(&h, &token).await);
        assert!(why.contains(want), "{signing}: {why}");
    }
    let jwks = h.get("/sandbox/test-issuer/jwks.json", None).await;
    assert_eq!(jwks.json()["keys"][0]["kty"], "RSA");
    let r = mint("rs256", json!({"aud": AUD, "junk": "x".repeat(9000)})).await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn the_console_manages_trusts_and_never_shows_the_secret() {
    let h = harness().await;
    let mut a = common::browser::Browser::new(&h);
    assert_eq!(
        a.signup("console-dev", "console-password").await.status,
        303
    );
    let form = json!({
        "id": "console-idp", "description": "", "issuer": IDP, "audiences": [AUD],
        "jwks_uri": "", "jwks": "", "pem": "", "secret": HMAC_SECRET, "has_secret": false,
        "algorithms": ["HS256"], "clock_skew_seconds": 30, "cache_ttl_seconds": 300,
        "user_claim": "sub", "client_claim": "", "scope_claim": "",
    });
    let saved = a
        .call("/api/console/save-trust", json!({"form": form}))
        .await;
    assert_eq!(saved.status, 200, "{}", saved.text());
    assert_eq!(saved.json()["has_secret"], true);
    assert_eq!(saved.json()["secret"], "");
    assert_eq!(saved.json()["clock_skew_seconds"], 30);
    let listed = a.call_form("/api/console/trusts", &[]).await;
    assert!(!listed.text().contains(HMAC_SECRET));
    assert_eq!(listed.json()[0]["id"], "console-idp");
    // A policy for the trust's tokens, from the console too.
    let policy = json!({"form": {"id": "console-reads", "description": "", "methods": ["GET"], "path": "/fhir/**",
        "client_ids": [], "usernames": [], "scopes": [], "auth": "bearer", "issuers": [IDP]}});
    let r = a.call("/api/console/save-policy", policy).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        call(&h, &Signer::hmac(Algorithm::HS256).sign(&claims(json!({}))))
            .await
            .status,
        200
    );
    // Another developer neither sees nor deletes it.
    let mut b = common::browser::Browser::new(&h);
    assert_eq!(b.signup("other-dev", "console-password").await.status, 303);
    assert_eq!(
        b.call_form("/api/console/trusts", &[]).await.json(),
        json!([])
    );
    let r = b
        .call_form("/api/console/delete-trust", &[("id", "console-idp")])
        .await;
    assert_eq!(r.status, 404, "{}", r.text());
    assert_eq!(
        a.call_form("/api/console/delete-trust", &[("id", "console-idp")])
            .await
            .status,
        200
    );
    assert!(
        refusal(&call(&h, &Signer::hmac(Algorithm::HS256).sign(&claims(json!({})))).await)
            .contains("neither this server")
    );
}

/// An RFC 7662 endpoint on a loopback port: `outside-opaque-1` is active, anything else not;
/// it counts its requests and refuses a wrong client secret.
async fn introspection_server() -> (String, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let n = hits.clone();
    let app = axum::Router::new().route(
        "/introspect",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
            let n = n.clone();
            async move {
                n.fetch_add(1, Ordering::SeqCst);
                let want = basic("sandbox-rs", "introspection-secret");
                if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(want.as_str())
                {
                    return (
                        axum::http::StatusCode::UNAUTHORIZED,
                        axum::Json(json!({"error": "invalid_client"})),
                    );
                }
                let active = body.contains("token=outside-opaque-1&token_type_hint=access_token");
                let answer = match active {
                    true => json!({"active": true, "iss": IDP, "aud": AUD, "username": "carol@idp",
                        "client_id": "outside-app", "scope": "patient.read", "exp": T0 + 3600}),
                    false => json!({"active": false}),
                };
                (axum::http::StatusCode::OK, axum::Json(answer))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/introspect", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, hits)
}

#[tokio::test]
async fn opaque_tokens_of_a_trusted_issuer_are_introspected_and_the_answer_kept() {
    let h = harness().await;
    let (url, hits) = introspection_server().await;
    let r = h
        .admin(
            "PUT",
            "/TrustedIssuer/opaque-idp",
            Some(json!({"issuer": IDP, "audiences": [AUD], "introspection_endpoint": url,
                "introspection_client_id": "sandbox-rs", "introspection_client_secret": "introspection-secret"})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert!(!r.text().contains("introspection-secret"));
    assert_eq!(r.json()["has_introspection_secret"], true);
    let r = h
        .admin(
            "PUT",
            "/AccessPolicy/opaque-reads",
            Some(json!({"issuers": [IDP], "usernames": ["carol@idp"], "scopes": ["patient.read"]})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(call(&h, "outside-opaque-1").await.status, 200);
    assert_eq!(call(&h, "outside-opaque-1").await.status, 200);
    assert_eq!(hits.load(Ordering::SeqCst), 1, "the answer is kept");
    let why = refusal(&call(&h, "not-active-anywhere").await);
    assert!(
        why.contains("no trusted issuer's introspection endpoint says it is active"),
        "{why}"
    );
    refusal(&call(&h, "not-active-anywhere").await);
    assert_eq!(
        hits.load(Ordering::SeqCst),
        2,
        "an inactive answer is kept too"
    );
    // This server's own shape is never sent anywhere.
    refusal(&call(&h, &format!("{}.secret", "0".repeat(32))).await);
    assert_eq!(hits.load(Ordering::SeqCst), 2);
    // Past the answer's lifetime (60 s by default), it is asked again.
    h.clock.advance(61);
    assert_eq!(call(&h, "outside-opaque-1").await.status, 200);
    assert_eq!(hits.load(Ordering::SeqCst), 3);
    // Own tokens never reach it.
    own_token_reads(&h).await;
    assert_eq!(hits.load(Ordering::SeqCst), 3);
    // Only an admin may point the API at an introspection endpoint.
    developer(&h, "intro-dev").await;
    let r = h
        .send(json_request(
            "PUT",
            "/TrustedIssuer/dev-opaque",
            &basic("intro-dev", "developer-password"),
            Some(json!({"issuer": "https://dev.example", "audiences": [AUD], "introspection_endpoint": "http://127.0.0.1:9/x",
                "introspection_client_id": "a", "introspection_client_secret": "b"})),
        ))
        .await;
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(r.json()["field"], "introspection_endpoint");
}
