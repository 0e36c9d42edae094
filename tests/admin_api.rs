//! The admin REST API: CRUD, write-only secrets, validation that names the field, and
//! authentication.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;
use axum::body::Body;
use axum::http::Request;
use common::*;
use serde_json::json;

fn web_client() -> serde_json::Value {
    json!({
        "client_name": "My app",
        "grant_types": ["client_credentials"],
        "scope": "patient.read",
        "access_token_format": "opaque"
    })
}

#[tokio::test]
async fn create_shows_a_generated_secret_once_and_never_again() {
    let h = harness().await;
    let r = h.admin("PUT", "/Client/my-app", Some(web_client())).await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let secret = r.json()["client_secret"].as_str().unwrap().to_owned();
    assert_eq!(secret.len(), 43, "256-bit, base64url");
    assert_eq!(r.json()["has_secret"], true);

    let read = h.admin("GET", "/Client/my-app", None).await;
    assert_eq!(read.status, 200);
    assert!(!read.text().contains(&secret));
    assert!(read.json().get("client_secret").is_none());
    let list = h.admin("GET", "/Client", None).await;
    assert!(!list.text().contains(&secret));
    assert!(
        !list.text().contains("argon2"),
        "hashes never leave the server"
    );

    // Replacing without a secret keeps it; the response does not show it.
    let r = h.admin("PUT", "/Client/my-app", Some(web_client())).await;
    assert_eq!(r.status, 200);
    assert!(r.json().get("client_secret").is_none());
    let t = h
        .token(("my-app", &secret), "grant_type=client_credentials")
        .await;
    assert_eq!(t.status, 200, "{}", t.text());
}

#[tokio::test]
async fn changing_the_secret_kills_the_old_one_even_when_cached() {
    let h = harness().await;
    let mut body = web_client();
    body["client_secret"] = json!("first-secret-123");
    h.admin("PUT", "/Client/rot", Some(body.clone())).await;
    // Two requests: the second is served from the verified-secret cache.
    for _ in 0..2 {
        assert_eq!(
            h.token(("rot", "first-secret-123"), "grant_type=client_credentials")
                .await
                .status,
            200
        );
    }
    body["client_secret"] = json!("second-secret-456");
    assert_eq!(h.admin("PUT", "/Client/rot", Some(body)).await.status, 200);
    h.token(("rot", "first-secret-123"), "grant_type=client_credentials")
        .await
        .assert_error(401, "invalid_client");
    assert_eq!(
        h.token(
            ("rot", "second-secret-456"),
            "grant_type=client_credentials"
        )
        .await
        .status,
        200
    );
}

#[tokio::test]
async fn validation_errors_name_the_field() {
    let h = harness().await;
    let cases = [
        (
            json!({"client_name": "", "grant_types": ["password"]}),
            "client_name",
        ),
        (
            json!({"client_name": "x", "grant_types": ["authorization_code"], "redirect_uris": ["/cb"]}),
            "redirect_uris[0]",
        ),
        (
            json!({"client_name": "x", "grant_types": ["authorization_code"], "redirect_uris": ["https://a.example/cb#x"]}),
            "redirect_uris[0]",
        ),
        (
            json!({"client_name": "x".repeat(10_000), "grant_types": ["password"]}),
            "client_name",
        ),
        (
            json!({"client_id": "other", "client_name": "x", "grant_types": ["password"]}),
            "client_id",
        ),
    ];
    for (body, field) in cases {
        let r = h.admin("PUT", "/Client/c1", Some(body.clone())).await;
        assert_eq!(r.status, 400, "{body}");
        assert_eq!(r.json()["field"], field, "{}", r.text());
    }
    // Unknown grant and unknown field: the parse error names them.
    let r = h
        .admin(
            "PUT",
            "/Client/c1",
            Some(json!({"client_name": "x", "grant_types": ["magic"]})),
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap()
            .contains("grant_types[0]"),
        "{}",
        r.text()
    );
    let r = h
        .admin(
            "PUT",
            "/Client/c1",
            Some(json!({"client_name": "x", "grant_types": ["password"], "colour": 1})),
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.json()["message"].as_str().unwrap().contains("colour"));
    // Bad id in the path.
    let r = h.admin("PUT", "/Client/bad%20id", Some(web_client())).await;
    assert_eq!(r.json()["field"], "client_id");
    // Nothing was written.
    assert_eq!(h.admin("GET", "/Client/c1", None).await.status, 404);
}

#[tokio::test]
async fn bodies_are_checked_before_parsing() {
    let h = harness().await;
    let auth = basic("admin", ADMIN_PASSWORD);
    let send = |ct: &'static str, body: Vec<u8>| {
        Request::put("/Client/x")
            .header("authorization", auth.clone())
            .header("content-type", ct)
            .body(Body::from(body))
            .unwrap()
    };
    assert_eq!(h.send(send("text/plain", b"{}".to_vec())).await.status, 415);
    assert_eq!(
        h.send(send("application/json", b"{not json".to_vec()))
            .await
            .status,
        400
    );
    assert_eq!(
        h.send(send("application/json", vec![b' '; 11 * 1024 * 1024]))
            .await
            .status,
        413
    );
    assert_eq!(
        h.send(send("application/json", b"[]".to_vec()))
            .await
            .status,
        400
    );
}

#[tokio::test]
async fn admin_api_needs_admin_credentials() {
    let h = harness().await;
    let r = h.get("/Client", None).await;
    assert_eq!(r.status, 401);
    assert!(r.header("www-authenticate").unwrap().starts_with("Basic"));
    assert_eq!(
        h.get("/Client", Some(&basic("admin", "wrong")))
            .await
            .status,
        401
    );
    // A plain user is authenticated but not allowed.
    assert_eq!(
        h.get("/Client", Some(&basic("alice", "alice-password")))
            .await
            .status,
        403
    );
}

#[tokio::test]
async fn users_crud_with_write_only_password() {
    let h = harness().await;
    let r = h.admin("PUT", "/User/carol", Some(json!({"password": "carol-password", "name": "Carol", "email": "carol@example.org"}))).await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert!(!r.text().contains("carol-password"));
    assert!(r.json().get("password").is_none());
    let r = h
        .admin("PUT", "/User/dave", Some(json!({"name": "Dave"})))
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["field"], "password");
    let pw = ("password-client", "password-secret");
    assert_eq!(
        h.token(
            pw,
            "grant_type=password&username=carol&password=carol-password"
        )
        .await
        .status,
        200
    );
    // Replace without a password keeps it.
    assert_eq!(
        h.admin("PUT", "/User/carol", Some(json!({"name": "Carol C."})))
            .await
            .status,
        200
    );
    assert_eq!(
        h.token(
            pw,
            "grant_type=password&username=carol&password=carol-password"
        )
        .await
        .status,
        200
    );
    assert_eq!(h.admin("DELETE", "/User/carol", None).await.status, 204);
    assert_eq!(h.admin("DELETE", "/User/carol", None).await.status, 404);
    h.token(
        pw,
        "grant_type=password&username=carol&password=carol-password",
    )
    .await
    .assert_error(400, "invalid_grant");
}

#[tokio::test]
async fn policies_crud() {
    let h = harness().await;
    let r = h
        .admin(
            "PUT",
            "/AccessPolicy/p1",
            Some(json!({"methods": ["get"], "path": "/fhir/**", "auth": "bearer"})),
        )
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(r.json()["methods"], json!(["GET"]));
    assert_eq!(
        h.admin("GET", "/AccessPolicy/p1", None).await.json()["path"],
        "/fhir/**"
    );
    let r = h
        .admin("PUT", "/AccessPolicy/p1", Some(json!({"path": "fhir"})))
        .await;
    assert_eq!(r.json()["field"], "path");
    assert_eq!(
        h.admin("GET", "/AccessPolicy", None)
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        3
    );
}
