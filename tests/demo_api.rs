//! The demo protected API: Basic and Bearer, access policies, and the exact RFC 6750 / RFC 7617
//! challenges.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;
use common::*;

#[tokio::test]
async fn no_credentials_gets_both_challenges_without_error_code() {
    let h = harness().await;
    let r = h.get("/fhir/Patient", None).await;
    assert_eq!(r.status, 401);
    let challenges = r.headers_all("www-authenticate");
    assert_eq!(
        challenges,
        vec![
            "Bearer realm=\"oauth-sandbox\"".to_owned(),
            "Basic realm=\"oauth-sandbox\", charset=\"UTF-8\"".to_owned()
        ]
    );
}

#[tokio::test]
async fn bearer_token_reads_patients() {
    let h = harness().await;
    let token = h.service_token().await;
    let r = h
        .get("/fhir/Patient", Some(&format!("Bearer {token}")))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let body = r.json();
    assert_eq!(body["resourceType"], "Bundle");
    assert_eq!(body["total"], 3);
    let r = h
        .get("/fhir/Patient/pat-2", Some(&format!("Bearer {token}")))
        .await;
    assert_eq!(r.json()["id"], "pat-2");
    let r = h
        .get("/fhir/Patient/nope", Some(&format!("Bearer {token}")))
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["resourceType"], "OperationOutcome");
}

#[tokio::test]
async fn invalid_expired_and_tampered_tokens_get_invalid_token() {
    let h = harness().await;
    let token = h.service_token().await;
    let mut tampered = token.clone();
    tampered.pop();
    tampered.push(if token.ends_with('A') { 'B' } else { 'A' });
    for bad in ["not-a-token", tampered.as_str()] {
        let r = h.get("/fhir/Patient", Some(&format!("Bearer {bad}"))).await;
        assert_eq!(r.status, 401);
        let challenge = r.header("www-authenticate").unwrap();
        assert!(
            challenge.starts_with("Bearer realm=\"oauth-sandbox\", error=\"invalid_token\""),
            "{challenge}"
        );
    }
    h.clock.advance(3600);
    let r = h
        .get("/fhir/Patient", Some(&format!("Bearer {token}")))
        .await;
    assert_eq!(r.status, 401);
    assert!(r.header("www-authenticate").unwrap().contains("expired"));
}

#[tokio::test]
async fn malformed_bearer_is_invalid_request() {
    let h = harness().await;
    let r = h.get("/fhir/Patient", Some("Bearer a b")).await;
    assert_eq!(r.status, 400);
    assert!(
        r.header("www-authenticate")
            .unwrap()
            .contains("error=\"invalid_request\"")
    );
}

#[tokio::test]
async fn basic_needs_the_basic_grant_and_the_right_secret() {
    let h = harness().await;
    let r = h
        .get(
            "/fhir/Patient",
            Some(&basic("basic-client", "basic-secret")),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    for (id, secret) in [
        ("basic-client", "wrong"),
        ("service-client", "service-secret"),
        ("nobody", "x"),
    ] {
        let r = h.get("/fhir/Patient", Some(&basic(id, secret))).await;
        assert_eq!(r.status, 401, "{id}");
        assert_eq!(
            r.header("www-authenticate"),
            Some("Basic realm=\"oauth-sandbox\", charset=\"UTF-8\"")
        );
    }
}

#[tokio::test]
async fn policies_deny_by_default_and_explain() {
    let h = harness().await;
    // Without the scope the bearer policy asks for, no policy allows the call: 403.
    h.admin(
        "PUT",
        "/Client/noscope",
        Some(
            serde_json::json!({"client_name": "No scope", "client_secret": "noscope-secret",
            "grant_types": ["client_credentials"], "scope": "other"}),
        ),
    )
    .await;
    let r = h
        .token(
            ("noscope", "noscope-secret"),
            "grant_type=client_credentials",
        )
        .await;
    let token = r.json()["access_token"].as_str().unwrap().to_owned();
    let r = h
        .get("/fhir/Patient", Some(&format!("Bearer {token}")))
        .await;
    assert_eq!(r.status, 403);
    let challenge = r.header("www-authenticate").unwrap();
    assert!(
        challenge.starts_with("Bearer realm=\"oauth-sandbox\", error=\"insufficient_scope\""),
        "{challenge}"
    );
    let trace = r.json()["policies"].as_array().unwrap().clone();
    assert_eq!(trace.len(), 2);
    assert!(trace.iter().all(|t| t["allowed"] == false));

    // Add a policy for this client, and it is allowed at once.
    let r = h
        .admin(
            "PUT",
            "/AccessPolicy/noscope-may-read",
            Some(serde_json::json!({"client_ids": ["noscope"], "methods": ["GET"], "path": "/fhir/*"})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(
        h.get("/fhir/Patient", Some(&format!("Bearer {token}")))
            .await
            .status,
        200
    );
    // `*` stays within one segment.
    assert_eq!(
        h.get("/fhir/Patient/pat-1", Some(&format!("Bearer {token}")))
            .await
            .status,
        403
    );

    // Delete every policy: everything is denied.
    for id in [
        "noscope-may-read",
        "basic-client-reads-patients",
        "bearer-with-patient-read",
    ] {
        assert_eq!(
            h.admin("DELETE", &format!("/AccessPolicy/{id}"), None)
                .await
                .status,
            204
        );
    }
    let svc = h.service_token().await;
    assert_eq!(
        h.get("/fhir/Patient", Some(&format!("Bearer {svc}")))
            .await
            .status,
        403
    );
    let r = h
        .get(
            "/fhir/Patient",
            Some(&basic("basic-client", "basic-secret")),
        )
        .await;
    assert_eq!(r.status, 403);
    assert!(r.header("www-authenticate").is_none());
}

#[tokio::test]
async fn deleting_a_client_kills_its_tokens() {
    let h = harness().await;
    let token = h.service_token().await;
    assert_eq!(
        h.admin("DELETE", "/Client/service-client", None)
            .await
            .status,
        204
    );
    assert_eq!(
        h.get("/fhir/Patient", Some(&format!("Bearer {token}")))
            .await
            .status,
        401
    );
}
