//! Mock mode's control API (`--mock`): each control end to end, its admin guard, and its
//! absence (404, not 401) from a server not in mock mode.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;
use common::*;
use serde_json::{Value, json};

/// The routes mock mode adds, with a method each answers.
const CONTROLS: &[(&str, &str)] = &[
    ("POST", "/mock/token"),
    ("GET", "/mock/faults"),
    ("POST", "/mock/faults"),
    ("DELETE", "/mock/faults"),
    ("GET", "/mock/requests"),
    ("DELETE", "/mock/requests"),
    ("GET", "/mock/clock"),
    ("POST", "/mock/clock"),
    ("POST", "/mock/reset"),
];

async fn mock() -> Harness {
    harness_with(&["--mock"]).await
}

fn claims_of(jwt: &str) -> Value {
    jwt_part(jwt, 1)
}

async fn mint(h: &Harness, body: Value) -> Value {
    let r = h.admin("POST", "/mock/token", Some(body)).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("cache-control"), Some("no-store"));
    r.json()
}

async fn introspect(h: &Harness, token: &str) -> Value {
    let r = h
        .post_form(
            "/auth/introspect",
            Some(&basic("service-client", "service-secret")),
            &format!("token={token}"),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
}

#[tokio::test]
async fn none_of_the_controls_exists_without_mock_mode() {
    let h = harness().await;
    for (method, path) in CONTROLS {
        let with_admin = h.admin(method, path, Some(json!({}))).await;
        assert_eq!(
            with_admin.status, 404,
            "{method} {path} with the admin's credentials"
        );
        let anonymous = h
            .send(
                axum::http::Request::builder()
                    .method(*method)
                    .uri(*path)
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(anonymous.status, 404, "{method} {path} without credentials");
    }
    // And tokens do not say "mock".
    let token = h.service_token().await;
    assert!(claims_of(&token).get("mock").is_none());
}

#[tokio::test]
async fn every_control_needs_the_admin_credentials() {
    let h = mock().await;
    let wrong = h
        .send(json_request(
            "POST",
            "/mock/reset",
            &basic("admin", "wrong"),
            None,
        ))
        .await;
    assert_eq!(wrong.status, 401, "a wrong password");
    for (method, path) in CONTROLS {
        let r = h
            .send(
                axum::http::Request::builder()
                    .method(*method)
                    .uri(*path)
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, 401, "{method} {path}");
        assert!(r.header("www-authenticate").is_some());
        let r = h
            .send(json_request(
                method,
                path,
                &basic("alice", "alice-password"),
                Some(json!({})),
            ))
            .await;
        assert_eq!(
            r.status, 403,
            "{method} {path} as a user who is not an admin"
        );
    }
}

#[tokio::test]
async fn a_minted_access_token_is_real_to_introspection_the_api_and_revocation() {
    let h = mock().await;
    let minted = mint(
        &h,
        json!({"client_id": "service-client", "sub": "alice", "scope": "patient.read",
               "claims": {"tenant": "acme", "roles": ["a", "b"]}, "expires_in": 120}),
    )
    .await;
    assert_eq!(minted["kind"], "access");
    assert_eq!(minted["token_type"], "Bearer");
    assert_eq!(minted["expires_in"], 120);
    let token = minted["access_token"].as_str().unwrap();
    assert_eq!(minted["token"], token);
    let claims = claims_of(token);
    assert_eq!(claims["sub"], "alice");
    assert_eq!(claims["tenant"], "acme");
    assert_eq!(claims["roles"], json!(["a", "b"]));
    assert_eq!(claims["mock"], true, "every token says it is a mock's");
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        120
    );

    let facts = introspect(&h, token).await;
    assert_eq!(facts["active"], true);
    assert_eq!(facts["username"], "alice");
    assert_eq!(facts["tenant"], "acme");
    assert_eq!(facts["mock"], true);
    let api = h
        .get("/fhir/Patient", Some(&format!("Bearer {token}")))
        .await;
    assert_eq!(api.status, 200, "{}", api.text());

    let r = h
        .post_form(
            "/auth/revoke",
            Some(&basic("service-client", "service-secret")),
            &format!("token={token}"),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(introspect(&h, token).await, json!({"active": false}));
    let api = h
        .get("/fhir/Patient", Some(&format!("Bearer {token}")))
        .await;
    assert_eq!(api.status, 401);
}

#[tokio::test]
async fn an_opaque_token_keeps_its_claims_for_introspection() {
    let h = mock().await;
    let minted = mint(
        &h,
        json!({"client_id": "service-client-opaque", "claims": {"tenant": "acme"}}),
    )
    .await;
    let token = minted["access_token"].as_str().unwrap();
    assert_eq!(token.matches('.').count(), 1, "opaque: <handle>.<secret>");
    assert_eq!(
        minted["scope"], "patient.read",
        "the client's registered scope by default"
    );
    assert_eq!(minted["sub"], "service-client-opaque");
    let r = h
        .post_form(
            "/auth/introspect",
            Some(&basic("service-client-opaque", "service-secret")),
            &format!("token={token}"),
        )
        .await;
    let facts = r.json();
    assert_eq!(facts["active"], true);
    assert_eq!(facts["tenant"], "acme");
    assert_eq!(facts["mock"], true);
    assert_eq!(facts["sub"], "service-client-opaque");
}

#[tokio::test]
async fn a_minted_refresh_token_works_at_the_token_endpoint() {
    let h = mock().await;
    let minted = mint(
        &h,
        json!({"client_id": "web-client", "sub": "alice", "scope": "openid patient.read",
               "kind": "refresh", "claims": {"tenant": "acme"}}),
    )
    .await;
    assert_eq!(minted["kind"], "refresh");
    let refresh = minted["refresh_token"].as_str().unwrap();
    let r = h
        .token(
            ("web-client", "web-secret"),
            &format!("grant_type=refresh_token&refresh_token={refresh}"),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["scope"], "openid patient.read");
    assert_eq!(
        claims_of(r.json()["access_token"].as_str().unwrap())["sub"],
        "alice"
    );
}

#[tokio::test]
async fn a_minted_id_token_is_signed_by_a_published_key_for_any_subject() {
    let h = mock().await;
    let minted = mint(
        &h,
        json!({"client_id": "web-client", "sub": "someone-not-seeded", "kind": "id",
               "nonce": "n-1", "claims": {"email": "x@example.test"}}),
    )
    .await;
    let token = minted["id_token"].as_str().unwrap();
    let claims = claims_of(token);
    assert_eq!(claims["sub"], "someone-not-seeded");
    assert_eq!(claims["aud"], "web-client");
    assert_eq!(claims["iss"], ISSUER);
    assert_eq!(claims["nonce"], "n-1");
    assert_eq!(claims["email"], "x@example.test");
    assert_eq!(claims["mock"], true);
    assert!(
        claims.get("at_hash").is_none(),
        "no access token came with it"
    );
    let header = jwt_part(token, 0);
    let jwks = h.get("/.well-known/jwks.json", None).await.json();
    assert!(
        jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k["kid"] == header["kid"])
    );
}

#[tokio::test]
async fn a_bad_mint_request_is_refused_naming_its_field() {
    let h = mock().await;
    for (body, field) in [
        (json!({"client_id": "nobody"}), "client_id"),
        (
            json!({"client_id": "service-client", "sub": "nobody"}),
            "sub",
        ),
        (
            json!({"client_id": "service-client", "kind": "code"}),
            "kind",
        ),
        (
            json!({"client_id": "service-client", "expires_in": 0}),
            "expires_in",
        ),
        (
            json!({"client_id": "service-client", "scope": "a\"b"}),
            "scope",
        ),
        (
            json!({"client_id": "service-client", "claims": {"iss": "x"}}),
            "claims",
        ),
        (
            json!({"client_id": "service-client", "claims": {"mock": false}}),
            "claims",
        ),
        (json!({"client_id": "web-client", "kind": "id"}), "sub"),
    ] {
        let r = h.admin("POST", "/mock/token", Some(body.clone())).await;
        r.assert_error(400, "invalid_request");
        let d = r.json()["error_description"].as_str().unwrap().to_owned();
        assert!(d.starts_with(field), "{body}: {d}");
        assert!(
            d.bytes()
                .all(|b| matches!(b, 0x20..=0x21 | 0x23..=0x5B | 0x5D..=0x7E)),
            "RFC 6749 §5.2 character set: {d}"
        );
    }
    let r = h
        .admin(
            "POST",
            "/mock/token",
            Some(json!({"client_id": "service-client", "sbu": "x"})),
        )
        .await;
    assert_eq!(r.status, 400, "a misspelt field is refused, not ignored");
}

#[tokio::test]
async fn a_fault_answers_the_next_requests_then_goes() {
    let h = mock().await;
    let r = h
        .admin(
            "POST",
            "/mock/faults",
            Some(json!({"endpoint": "/auth/token", "status": 503,
                        "error": "temporarily_unavailable", "count": 2, "delay_ms": 0})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let id = r.json()["id"].as_u64().unwrap();
    let listed = h.admin("GET", "/mock/faults", None).await.json();
    assert_eq!(listed["faults"][0]["count"], 2);
    for left in [1, 0] {
        let r = h
            .token(
                ("service-client", "service-secret"),
                "grant_type=client_credentials",
            )
            .await;
        r.assert_error(503, "temporarily_unavailable");
        assert_eq!(r.header("x-mock-fault"), Some(id.to_string().as_str()));
        assert_eq!(r.header("cache-control"), Some("no-store"));
        let listed = h.admin("GET", "/mock/faults", None).await.json();
        assert_eq!(listed["faults"].as_array().unwrap().len(), left);
    }
    let r = h
        .token(
            ("service-client", "service-secret"),
            "grant_type=client_credentials",
        )
        .await;
    assert_eq!(r.status, 200, "the fault is spent");

    // invalid_client defaults to 401 with a Basic challenge; a bare status has no body.
    h.admin(
        "POST",
        "/mock/faults",
        Some(json!({"endpoint": "/auth/token", "error": "invalid_client"})),
    )
    .await;
    h.admin(
        "POST",
        "/mock/faults",
        Some(json!({"endpoint": "/fhir/Patient", "status": 502})),
    )
    .await;
    let r = h
        .token(
            ("service-client", "service-secret"),
            "grant_type=client_credentials",
        )
        .await;
    r.assert_error(401, "invalid_client");
    assert!(r.header("www-authenticate").unwrap().starts_with("Basic"));
    let r = h.get("/fhir/Patient", None).await;
    assert_eq!((r.status.as_u16(), r.body.len()), (502, 0));

    // A delay alone lets the request through after it; DELETE clears what is left.
    h.admin(
        "POST",
        "/mock/faults",
        Some(json!({"endpoint": "/readyz", "delay_ms": 20})),
    )
    .await;
    let started = std::time::Instant::now();
    assert_eq!(h.get("/readyz", None).await.status, 200);
    assert!(started.elapsed() >= std::time::Duration::from_millis(20));
    h.admin(
        "POST",
        "/mock/faults",
        Some(json!({"endpoint": "/readyz", "status": 500, "count": 9})),
    )
    .await;
    assert_eq!(h.admin("DELETE", "/mock/faults", None).await.status, 204);
    assert_eq!(h.get("/readyz", None).await.status, 200);
    let r = h
        .admin(
            "POST",
            "/mock/faults",
            Some(json!({"endpoint": "/auth/token", "status": 200})),
        )
        .await;
    r.assert_error(400, "invalid_request");
}

#[tokio::test]
async fn the_journal_shows_each_request_with_its_secrets_masked() {
    let h = mock().await;
    h.token(
        ("service-client", "service-secret"),
        "grant_type=client_credentials",
    )
    .await;
    let r = h
        .post_form(
            "/auth/token",
            Some(&basic("password-client", "password-secret")),
            "grant_type=password&username=alice&password=alice-password&scope=patient.read",
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let token = r.json()["access_token"].as_str().unwrap().to_owned();
    h.get("/fhir/Patient", Some(&format!("Bearer {token}")))
        .await;
    h.admin(
        "POST",
        "/mock/faults",
        Some(json!({"endpoint": "/auth/introspect", "error": "server_error"})),
    )
    .await;
    h.post_form(
        "/auth/introspect",
        Some(&basic("service-client", "service-secret")),
        &format!("token={token}"),
    )
    .await;

    let all = h.admin("GET", "/mock/requests", None).await;
    assert_eq!(all.status, 200);
    let text = all.text();
    for secret in [
        "service-secret",
        "password-secret",
        "alice-password",
        token.as_str(),
    ] {
        assert!(!text.contains(secret), "the journal never shows {secret}");
    }
    assert!(!text.contains("/mock/"), "the control API is not journaled");
    let all = all.json();
    assert_eq!(all["requests"].as_array().unwrap().len(), 4);

    let r = h
        .admin(
            "GET",
            "/mock/requests?endpoint=/auth/token&client_id=password-client",
            None,
        )
        .await
        .json();
    let entries = r["requests"].as_array().unwrap();
    assert_eq!(entries.len(), 1);
    let e = &entries[0];
    assert_eq!(e["method"], "POST");
    assert_eq!(e["status"], 200);
    assert_eq!(e["authorization"], "Basic ***");
    assert_eq!(e["body"]["grant_type"], "password");
    assert_eq!(e["body"]["username"], "alice");
    assert_eq!(e["body"]["password"], "***");
    assert_eq!(e["at"], T0);

    let faulted = h
        .admin("GET", "/mock/requests?endpoint=/auth/introspect", None)
        .await
        .json();
    assert_eq!(faulted["requests"][0]["status"], 500);
    assert!(faulted["requests"][0]["fault"].is_u64());
    let api = h
        .admin("GET", "/mock/requests?endpoint=/fhir/Patient", None)
        .await
        .json();
    assert_eq!(api["requests"][0]["authorization"], "Bearer ***");

    let last = entries[0]["id"].as_u64().unwrap();
    let since = h
        .admin("GET", &format!("/mock/requests?since={last}"), None)
        .await
        .json();
    assert_eq!(since["requests"].as_array().unwrap().len(), 2);
    h.admin("GET", "/mock/requests?bogus=1", None)
        .await
        .assert_error(400, "invalid_request");
    assert_eq!(h.admin("DELETE", "/mock/requests", None).await.status, 204);
    let empty = h.admin("GET", "/mock/requests", None).await.json();
    assert_eq!(empty["requests"], json!([]));
}

#[tokio::test]
async fn the_clock_moves_forward_or_stops_and_tokens_expire_on_command() {
    let h = mock().await;
    let minted = mint(&h, json!({"client_id": "service-client", "expires_in": 60})).await;
    let token = minted["access_token"].as_str().unwrap().to_owned();
    assert_eq!(introspect(&h, &token).await["active"], true);

    let r = h
        .admin("POST", "/mock/clock", Some(json!({"advance_seconds": 61})))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.json(),
        json!({"now": T0 + 61, "frozen": false, "offset_seconds": 61})
    );
    assert_eq!(introspect(&h, &token).await, json!({"active": false}));
    let api = h
        .get("/fhir/Patient", Some(&format!("Bearer {token}")))
        .await;
    assert_eq!(api.status, 401);
    assert!(
        api.header("www-authenticate")
            .unwrap()
            .contains("invalid_token")
    );

    // Frozen, the clock stands while the server's own time goes on.
    let r = h
        .admin("POST", "/mock/clock", Some(json!({"freeze": true})))
        .await;
    assert_eq!(r.json()["frozen"], true);
    h.clock.advance(100);
    assert_eq!(
        h.admin("GET", "/mock/clock", None).await.json()["now"],
        T0 + 61
    );
    let r = h
        .admin(
            "POST",
            "/mock/clock",
            Some(json!({"freeze": false, "advance_seconds": 9})),
        )
        .await;
    assert_eq!(
        r.json(),
        json!({"now": T0 + 70, "frozen": false, "offset_seconds": -30})
    );

    for bad in [
        json!({}),
        json!({"advance_seconds": -1}),
        json!({"rewind": 5}),
    ] {
        h.admin("POST", "/mock/clock", Some(bad))
            .await
            .assert_error(400, "invalid_request");
    }
}

#[tokio::test]
async fn reset_returns_to_the_seed_state() {
    let h = mock().await;
    let r = h
        .admin(
            "PUT",
            "/Client/made-in-a-test",
            Some(json!({"client_name": "Made in a test", "client_secret": "s3cret-s3cret-s3cret", "grant_types": ["client_credentials"], "scope": "patient.read"})),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    let token = mint(&h, json!({"client_id": "service-client"})).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    h.admin(
        "POST",
        "/mock/faults",
        Some(json!({"endpoint": "/auth/token", "status": 503})),
    )
    .await;
    h.admin(
        "POST",
        "/mock/clock",
        Some(json!({"advance_seconds": 5, "freeze": true})),
    )
    .await;

    let r = h.admin("POST", "/mock/reset", None).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["seeded"][0]["source"], "demo data");
    assert_eq!(
        h.admin("GET", "/Client/made-in-a-test", None).await.status,
        404
    );
    assert_eq!(h.admin("GET", "/Client/web-client", None).await.status, 200);
    assert_eq!(introspect(&h, &token).await, json!({"active": false}));
    assert_eq!(
        h.admin("GET", "/mock/faults", None).await.json()["faults"],
        json!([])
    );
    assert_eq!(
        h.admin("GET", "/mock/clock", None).await.json(),
        json!({"now": T0, "frozen": false, "offset_seconds": 0})
    );
    let r = h
        .token(
            ("service-client", "service-secret"),
            "grant_type=client_credentials",
        )
        .await;
    assert_eq!(r.status, 200, "demo clients work after a reset");
    // The journal starts over: of the token requests, only the one after the reset.
    let journal = h
        .admin("GET", "/mock/requests?endpoint=/auth/token", None)
        .await
        .json();
    assert_eq!(journal["requests"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn reset_restores_the_seeded_keys_after_a_rotation() {
    let seed = format!(
        "{}/tests/fixtures/seed-keys.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let h = harness_with(&["--mock", "--seed", &seed]).await;
    let kids = |jwks: Value| -> Vec<String> {
        let mut k: Vec<String> = jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["kid"].as_str().unwrap().to_owned())
            .collect();
        k.sort();
        k
    };
    let seeded = kids(h.get("/.well-known/jwks.json", None).await.json());
    assert_eq!(seeded, ["ci-ec-1", "ci-rsa-1"]);
    assert_eq!(h.admin("POST", "/Key/$rotate", None).await.status, 201);
    assert_eq!(
        kids(h.get("/.well-known/jwks.json", None).await.json()).len(),
        3
    );
    assert_eq!(h.admin("POST", "/mock/reset", None).await.status, 200);
    assert_eq!(
        kids(h.get("/.well-known/jwks.json", None).await.json()),
        seeded
    );
    let token = mint(&h, json!({"client_id": "service-client"})).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let header = jwt_part(&token, 0);
    assert_eq!(header["kid"], "ci-rsa-1");
}

#[tokio::test]
async fn every_page_carries_the_banner_in_mock_mode_only() {
    let real = harness().await;
    let h = mock().await;
    for path in ["/", "/sandbox/client-credentials", "/no-such-page"] {
        let page = h.get(path, None).await;
        assert!(page.text().contains("class=\"mock-banner\""), "{path}");
        assert!(page.text().contains("Mock mode."), "{path}");
        let body_end = page.text().rfind("</body>").unwrap();
        assert!(page.text().rfind("mock-banner").unwrap() < body_end);
        assert!(
            !real.get(path, None).await.text().contains("mock-banner"),
            "{path}"
        );
    }
    // The authorization server's own sign-in page too.
    let authorize = "/auth/authorize?response_type=code&client_id=web-client\
        &redirect_uri=http%3A%2F%2F127.0.0.1%2Fcallback&scope=openid&state=s\
        &code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256";
    let page = h.get(authorize, None).await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert!(page.text().contains("Mock mode."));
    // JSON answers are left alone.
    assert!(!h.get("/readyz", None).await.text().contains("mock-banner"));
}
