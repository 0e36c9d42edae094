//! RFC 7662 introspection and RFC 7009 revocation, for JWT and opaque tokens alike.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;
use common::*;

const SVC: (&str, &str) = ("service-client", "service-secret");

async fn introspect(h: &Harness, client: (&str, &str), token: &str) -> serde_json::Value {
    let r = h
        .post_form(
            "/auth/introspect",
            Some(&basic(client.0, client.1)),
            &format!("token={token}"),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("cache-control"), Some("no-store"));
    r.json()
}

async fn revoke(h: &Harness, client: (&str, &str), body: &str) -> Reply {
    h.post_form("/auth/revoke", Some(&basic(client.0, client.1)), body)
        .await
}

#[tokio::test]
async fn introspect_active_jwt_and_opaque() {
    let h = harness().await;
    let jwt = h.service_token().await;
    let body = introspect(&h, SVC, &jwt).await;
    assert_eq!(body["active"], true);
    assert_eq!(body["client_id"], "service-client");
    assert_eq!(body["scope"], "patient.read");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["exp"], T0 + 3600);
    assert_eq!(body["iat"], T0);
    assert_eq!(body["iss"], ISSUER);
    assert!(body["jti"].is_string());

    let opaque_client = ("service-client-opaque", "service-secret");
    let r = h
        .token(opaque_client, "grant_type=client_credentials")
        .await;
    let opaque = r.json()["access_token"].as_str().unwrap().to_owned();
    let body = introspect(&h, opaque_client, &opaque).await;
    assert_eq!(body["active"], true);
    assert_eq!(body["client_id"], "service-client-opaque");
}

#[tokio::test]
async fn garbage_expired_and_foreign_tokens_are_inactive() {
    let h = harness().await;
    for garbage in ["garbage", "a.b.c", "eyJhbGciOiJub25lIn0.e30.", "%00%ff"] {
        let body = introspect(&h, SVC, garbage).await;
        assert_eq!(body, serde_json::json!({"active": false}), "{garbage}");
    }
    let jwt = h.service_token().await;
    // Another client learns nothing about it.
    let body = introspect(&h, ("service-client-opaque", "service-secret"), &jwt).await;
    assert_eq!(body, serde_json::json!({"active": false}));
    // Expiry follows the server's clock.
    h.clock.advance(3600);
    assert_eq!(
        introspect(&h, SVC, &jwt).await,
        serde_json::json!({"active": false})
    );
}

#[tokio::test]
async fn introspection_needs_client_authentication() {
    let h = harness().await;
    let r = h.post_form("/auth/introspect", None, "token=x").await;
    r.assert_error(401, "invalid_client");
    let r = h
        .post_form(
            "/auth/introspect",
            Some(&basic("service-client", "nope")),
            "token=x",
        )
        .await;
    r.assert_error(401, "invalid_client");
    assert!(r.header("www-authenticate").unwrap().starts_with("Basic"));
    let r = h
        .post_form("/auth/introspect", Some(&basic(SVC.0, SVC.1)), "")
        .await;
    r.assert_error(400, "invalid_request");
}

#[tokio::test]
async fn revoke_access_token_jwt_by_jti() {
    let h = harness().await;
    let jwt = h.service_token().await;
    let r = revoke(
        &h,
        SVC,
        &format!("token={jwt}&token_type_hint=access_token"),
    )
    .await;
    assert_eq!(r.status, 200);
    assert!(r.body.is_empty());
    assert_eq!(introspect(&h, SVC, &jwt).await["active"], false);
    assert_eq!(
        h.get("/fhir/Patient", Some(&format!("Bearer {jwt}")))
            .await
            .status,
        401
    );
    // Revoking twice is fine.
    assert_eq!(revoke(&h, SVC, &format!("token={jwt}")).await.status, 200);
}

#[tokio::test]
async fn unknown_token_gets_200_and_bad_hint_is_ignored() {
    let h = harness().await;
    assert_eq!(revoke(&h, SVC, "token=never-issued").await.status, 200);
    assert_eq!(
        revoke(&h, SVC, "token=never-issued&token_type_hint=bogus")
            .await
            .status,
        200
    );
    revoke(&h, SVC, "")
        .await
        .assert_error(400, "invalid_request");
    revoke(&h, ("service-client", "nope"), "token=x")
        .await
        .assert_error(401, "invalid_client");
}

#[tokio::test]
async fn revoking_a_refresh_token_revokes_its_access_tokens() {
    let h = harness().await;
    let pw = ("password-client", "password-secret");
    let r = h
        .token(
            pw,
            "grant_type=password&username=alice&password=alice-password",
        )
        .await;
    let access = r.json()["access_token"].as_str().unwrap().to_owned();
    let refresh = r.json()["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(
        introspect(&h, pw, &refresh).await["token_type"],
        "refresh_token"
    );
    assert_eq!(
        revoke(
            &h,
            pw,
            &format!("token={refresh}&token_type_hint=refresh_token")
        )
        .await
        .status,
        200
    );
    assert_eq!(introspect(&h, pw, &access).await["active"], false);
    h.token(
        pw,
        &format!("grant_type=refresh_token&refresh_token={refresh}"),
    )
    .await
    .assert_error(400, "invalid_grant");
}

#[tokio::test]
async fn a_client_cannot_revoke_another_clients_token() {
    let h = harness().await;
    let jwt = h.service_token().await;
    let r = revoke(
        &h,
        ("service-client-opaque", "service-secret"),
        &format!("token={jwt}"),
    )
    .await;
    r.assert_error(400, "invalid_request");
    assert_eq!(introspect(&h, SVC, &jwt).await["active"], true);
}

#[tokio::test]
async fn a_known_handle_with_a_wrong_secret_is_nothing() {
    let h = harness().await;
    let client = ("service-client-opaque", "service-secret");
    let r = h.token(client, "grant_type=client_credentials").await;
    let token = r.json()["access_token"].as_str().unwrap().to_owned();
    let (handle, secret) = token.split_once('.').unwrap();
    let forged = format!("{handle}.{}", secret.chars().rev().collect::<String>());
    assert_eq!(
        introspect(&h, client, &forged).await,
        serde_json::json!({"active": false})
    );
    assert_eq!(
        introspect(&h, client, handle).await,
        serde_json::json!({"active": false})
    );
    assert_eq!(
        h.get("/fhir/Patient", Some(&format!("Bearer {forged}")))
            .await
            .status,
        401
    );
    // Revoking the forged value does nothing to the real token.
    assert_eq!(
        revoke(&h, client, &format!("token={forged}")).await.status,
        200
    );
    assert_eq!(introspect(&h, client, &token).await["active"], true);
}
