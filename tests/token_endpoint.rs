//! `POST /auth/token`: every grant, and every RFC 6749 §5.2 error, with exact status, headers
//! and error JSON.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;
use common::*;

#[tokio::test]
async fn client_credentials_issues_an_rfc9068_jwt() {
    let h = harness().await;
    let r = h
        .token(
            ("service-client", "service-secret"),
            "grant_type=client_credentials&scope=patient.read",
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert_eq!(r.header("pragma"), Some("no-cache"));
    let body = r.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["scope"], "patient.read");
    assert!(
        body.get("refresh_token").is_none(),
        "RFC 6749 §4.4.3: no refresh token"
    );

    let jwt = body["access_token"].as_str().unwrap();
    let header = jsonwebtoken::decode_header(jwt).unwrap();
    assert_eq!(header.typ.as_deref(), Some("at+jwt"));
    assert_eq!(header.alg, jsonwebtoken::Algorithm::RS256);
    // Verify against the published JWKS, as any resource server would.
    let jwks: jsonwebtoken::jwk::JwkSet =
        serde_json::from_slice(&h.get("/.well-known/jwks.json", None).await.body).unwrap();
    let jwk = jwks.find(header.kid.as_deref().unwrap()).unwrap();
    let key = jsonwebtoken::DecodingKey::from_jwk(jwk).unwrap();
    let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    v.set_audience(&["http://sandbox.test/fhir"]);
    v.set_issuer(&[ISSUER]);
    v.validate_exp = false;
    let claims = jsonwebtoken::decode::<serde_json::Value>(jwt, &key, &v)
        .unwrap()
        .claims;
    for claim in [
        "iss",
        "sub",
        "aud",
        "client_id",
        "iat",
        "exp",
        "jti",
        "scope",
    ] {
        assert!(claims.get(claim).is_some(), "missing {claim}");
    }
    assert_eq!(claims["sub"], "service-client");
    assert_eq!(claims["client_id"], "service-client");
    assert_eq!(claims["iat"], T0);
    assert_eq!(claims["exp"], T0 + 3600);
}

#[tokio::test]
async fn client_credentials_opaque_and_client_secret_post() {
    let h = harness().await;
    let r = h
        .post_form(
            "/auth/token",
            None,
            "grant_type=client_credentials&client_id=service-client-opaque&client_secret=service-secret",
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let token = r.json()["access_token"].as_str().unwrap().to_owned();
    // "<handle>.<secret>": a 32-hex-digit handle, a 256-bit base64url secret.
    let (handle, secret) = token.split_once('.').unwrap();
    assert_eq!(handle.len(), 32);
    assert_eq!(secret.len(), 43);
}

#[tokio::test]
async fn default_scope_is_everything_allowed_and_scope_is_returned() {
    let h = harness().await;
    let r = h
        .token(
            ("password-client", "password-secret"),
            "grant_type=password&username=alice&password=alice-password",
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["scope"], "offline_access patient.read");
}

#[tokio::test]
async fn password_grant_issues_refresh_token_and_refresh_rotates() {
    let h = harness().await;
    let client = ("password-client", "password-secret");
    let r = h
        .token(
            client,
            "grant_type=password&username=alice&password=alice-password&scope=patient.read",
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let first = r.json()["refresh_token"].as_str().unwrap().to_owned();

    // Narrowing on refresh is allowed; widening never.
    let r = h
        .token(
            client,
            &format!("grant_type=refresh_token&refresh_token={first}&scope=offline_access"),
        )
        .await;
    r.assert_error(400, "invalid_scope");

    let r = h
        .token(
            client,
            &format!("grant_type=refresh_token&refresh_token={first}"),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let second = r.json()["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(first, second, "the demo password client rotates");
    let access_from_second = r.json()["access_token"].as_str().unwrap().to_owned();

    // Reuse of the rotated-away token revokes the whole family, the new tokens included.
    let r = h
        .token(
            client,
            &format!("grant_type=refresh_token&refresh_token={first}"),
        )
        .await;
    r.assert_error(400, "invalid_grant");
    let r = h
        .token(
            client,
            &format!("grant_type=refresh_token&refresh_token={second}"),
        )
        .await;
    r.assert_error(400, "invalid_grant");
    let r = h
        .get(
            "/fhir/Patient",
            Some(&format!("Bearer {access_from_second}")),
        )
        .await;
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn refresh_without_rotation_keeps_the_token_and_expires_by_clock() {
    let h = harness().await;
    h.admin(
        "PUT",
        "/Client/steady",
        Some(serde_json::json!({
            "client_name": "Steady", "client_secret": "steady-secret-1",
            "grant_types": ["password", "refresh_token"], "scope": "patient.read",
            "refresh_token_ttl": 100, "rotate_refresh_tokens": false
        })),
    )
    .await;
    let client = ("steady", "steady-secret-1");
    let r = h
        .token(
            client,
            "grant_type=password&username=bob&password=bob-password",
        )
        .await;
    let refresh = r.json()["refresh_token"].as_str().unwrap().to_owned();
    let r = h
        .token(
            client,
            &format!("grant_type=refresh_token&refresh_token={refresh}"),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["refresh_token"], refresh.as_str());
    h.clock.advance(100);
    let r = h
        .token(
            client,
            &format!("grant_type=refresh_token&refresh_token={refresh}"),
        )
        .await;
    r.assert_error(400, "invalid_grant");
    assert!(
        r.json()["error_description"]
            .as_str()
            .unwrap()
            .contains("expired")
    );
}

#[tokio::test]
async fn refresh_token_of_another_client_is_invalid_grant() {
    let h = harness().await;
    h.admin(
        "PUT",
        "/Client/other",
        Some(serde_json::json!({
            "client_name": "Other", "client_secret": "other-secret-1",
            "grant_types": ["password", "refresh_token"], "scope": "patient.read offline_access"
        })),
    )
    .await;
    let r = h
        .token(
            ("password-client", "password-secret"),
            "grant_type=password&username=alice&password=alice-password",
        )
        .await;
    let refresh = r.json()["refresh_token"].as_str().unwrap().to_owned();
    let r = h
        .token(
            ("other", "other-secret-1"),
            &format!("grant_type=refresh_token&refresh_token={refresh}"),
        )
        .await;
    r.assert_error(400, "invalid_grant");
}

#[tokio::test]
async fn section_5_2_errors() {
    let h = harness().await;
    let svc = ("service-client", "service-secret");
    // invalid_request: missing grant_type, repeated parameter, wrong content type, secret in URL
    h.token(svc, "scope=patient.read")
        .await
        .assert_error(400, "invalid_request");
    let r = h
        .token(
            svc,
            "grant_type=client_credentials&grant_type=client_credentials",
        )
        .await;
    r.assert_error(400, "invalid_request");
    assert!(
        r.json()["error_description"]
            .as_str()
            .unwrap()
            .contains("grant_type")
    );
    let r = h
        .send(
            axum::http::Request::post("/auth/token")
                .header("content-type", "application/json")
                .header("authorization", basic("service-client", "service-secret"))
                .body(axum::body::Body::from(
                    "{\"grant_type\":\"client_credentials\"}",
                ))
                .unwrap(),
        )
        .await;
    r.assert_error(400, "invalid_request");
    h.post_form(
        "/auth/token?client_secret=x",
        Some(&basic(svc.0, svc.1)),
        "grant_type=client_credentials",
    )
    .await
    .assert_error(400, "invalid_request");
    // two authentication methods at once
    h.token(
        svc,
        "grant_type=client_credentials&client_secret=service-secret",
    )
    .await
    .assert_error(400, "invalid_request");

    // invalid_client: wrong secret with Basic → 401 + Basic challenge
    let r = h
        .token(("service-client", "wrong"), "grant_type=client_credentials")
        .await;
    r.assert_error(401, "invalid_client");
    assert!(
        r.header("www-authenticate")
            .unwrap()
            .starts_with("Basic realm=")
    );
    // unknown client, via the body
    let r = h
        .post_form(
            "/auth/token",
            None,
            "grant_type=client_credentials&client_id=nobody&client_secret=x",
        )
        .await;
    r.assert_error(401, "invalid_client");
    // no authentication at all
    h.post_form("/auth/token", None, "grant_type=client_credentials")
        .await
        .assert_error(401, "invalid_client");
    // malformed Basic header
    h.post_form(
        "/auth/token",
        Some("Basic !!!"),
        "grant_type=client_credentials",
    )
    .await
    .assert_error(401, "invalid_client");

    // unauthorized_client: the client lacks the grant
    h.token(
        svc,
        "grant_type=password&username=alice&password=alice-password",
    )
    .await
    .assert_error(400, "unauthorized_client");
    // invalid_grant: wrong password, unknown user, unknown refresh token
    let pw = ("password-client", "password-secret");
    h.token(pw, "grant_type=password&username=alice&password=nope")
        .await
        .assert_error(400, "invalid_grant");
    h.token(pw, "grant_type=password&username=nobody&password=nope")
        .await
        .assert_error(400, "invalid_grant");
    h.token(pw, "grant_type=refresh_token&refresh_token=garbage")
        .await
        .assert_error(400, "invalid_grant");
    // missing parameter of a grant
    h.token(pw, "grant_type=password&username=alice")
        .await
        .assert_error(400, "invalid_request");
    // unsupported_grant_type
    h.token(
        svc,
        "grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer",
    )
    .await
    .assert_error(400, "unsupported_grant_type");
    // unauthorized_client: a grant this server has, but not this client
    h.token(
        svc,
        "grant_type=urn:ietf:params:oauth:grant-type:device_code&device_code=x.y",
    )
    .await
    .assert_error(400, "unauthorized_client");
    // invalid_scope: outside what the client may ask, or malformed
    h.token(svc, "grant_type=client_credentials&scope=admin")
        .await
        .assert_error(400, "invalid_scope");
    h.token(svc, "grant_type=client_credentials&scope=%22quoted%22")
        .await
        .assert_error(400, "invalid_scope");
}

#[tokio::test]
async fn empty_values_count_as_omitted() {
    let h = harness().await;
    // RFC 6749 §3.1: "Parameters sent without a value MUST be treated as if they were omitted".
    let r = h
        .token(
            ("service-client", "service-secret"),
            "grant_type=client_credentials&scope=&scope=",
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
}

#[tokio::test]
async fn oversized_and_garbage_bodies_never_500() {
    let h = harness().await;
    let big = format!("grant_type=client_credentials&pad={}", "a".repeat(200_000));
    h.token(("service-client", "service-secret"), &big)
        .await
        .assert_error(413, "invalid_request");
    let garbage =
        String::from_utf8_lossy(&[0xff, 0xfe, 0x00, b'=', b'&', b'%', b'z', b'z']).into_owned();
    let r = h
        .token(("service-client", "service-secret"), &garbage)
        .await;
    assert!(r.status.is_client_error(), "{}", r.status);
    let r = h.get("/auth/token", None).await;
    assert_eq!(r.status, 405);
}

#[tokio::test]
async fn public_clients_authenticate_with_client_id_only() {
    let h = harness().await;
    let r = h
        .admin(
            "PUT",
            "/Client/cli",
            Some(serde_json::json!({
                "client_name": "CLI", "token_endpoint_auth_method": "none",
                "grant_types": ["password", "refresh_token"], "scope": "patient.read"
            })),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert!(r.json().get("client_secret").is_none());
    let r = h
        .post_form(
            "/auth/token",
            None,
            "grant_type=password&client_id=cli&username=alice&password=alice-password",
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    // A secret sent for a public client is refused.
    h.post_form(
        "/auth/token",
        Some(&basic("cli", "whatever")),
        "grant_type=password&username=alice&password=alice-password",
    )
    .await
    .assert_error(401, "invalid_client");
    // A confidential client cannot skip its secret.
    h.post_form(
        "/auth/token",
        None,
        "grant_type=client_credentials&client_id=service-client",
    )
    .await
    .assert_error(401, "invalid_client");
}

#[tokio::test]
async fn basic_credentials_are_form_urlencoded() {
    let h = harness().await;
    h.admin(
        "PUT",
        "/Client/odd.client",
        Some(serde_json::json!({
            "client_name": "Odd", "client_secret": "p@ss:w rd+%",
            "grant_types": ["client_credentials"], "scope": "patient.read"
        })),
    )
    .await;
    // RFC 6749 §2.3.1: each part is form-urlencoded before Basic encoding.
    let encoded_secret = "p%40ss%3Aw+rd%2B%25";
    let r = h
        .token(
            ("odd.client", encoded_secret),
            "grant_type=client_credentials",
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
}

#[tokio::test]
async fn browser_clients_on_other_origins_get_cors_but_the_admin_api_does_not() {
    let h = harness().await;
    let preflight = |path: &str| {
        axum::http::Request::builder()
            .method("OPTIONS")
            .uri(path)
            .header("origin", "https://spa.example")
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization, content-type",
            )
            .body(axum::body::Body::empty())
            .unwrap()
    };
    for path in [
        "/auth/token",
        "/auth/revoke",
        "/auth/userinfo",
        "/fhir/Patient",
        "/.well-known/jwks.json",
    ] {
        let r = h.send(preflight(path)).await;
        assert!(r.status.is_success(), "{path}: {}", r.status);
        assert_eq!(r.header("access-control-allow-origin"), Some("*"), "{path}");
        assert!(r.header("access-control-allow-credentials").is_none());
    }
    let r = h.send(preflight("/Client")).await;
    assert!(
        r.header("access-control-allow-origin").is_none(),
        "the admin API is not for other origins"
    );
    let r = h.send(preflight("/auth/login")).await;
    assert!(r.header("access-control-allow-origin").is_none());
}
