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

#[tokio::test]
async fn observations_and_encounters_search_by_patient() {
    let h = harness().await;
    let token = h.service_token().await;
    let bearer = format!("Bearer {token}");
    for (path, want) in [
        ("/fhir/Observation?patient=pat-2", 3),
        ("/fhir/Observation?patient=Patient/pat-2", 3),
        ("/fhir/Observation?subject=Patient/pat-3", 3),
        ("/fhir/Observation", 9),
        ("/fhir/Encounter?patient=pat-1", 1),
        ("/fhir/Encounter?patient=nobody", 0),
        ("/fhir/Patient?_id=pat-3", 1),
    ] {
        let r = h.get(path, Some(&bearer)).await;
        assert_eq!(r.status, 200, "{path}: {}", r.text());
        let body = r.json();
        assert_eq!(body["resourceType"], "Bundle");
        assert_eq!(body["type"], "searchset");
        assert_eq!(body["total"], want, "{path}");
        for e in body["entry"].as_array().unwrap() {
            let resource = &e["resource"];
            let url = format!(
                "{ISSUER}/fhir/{}/{}",
                resource["resourceType"].as_str().unwrap(),
                resource["id"].as_str().unwrap()
            );
            assert_eq!(e["fullUrl"], url.as_str());
            if path.contains("pat-2") {
                assert_eq!(resource["subject"]["reference"], "Patient/pat-2");
            }
        }
    }
    let r = h.get("/fhir/Encounter/enc-3", Some(&bearer)).await;
    assert_eq!(r.json()["class"]["code"], "EMER");
    let r = h.get("/fhir/Observation/obs-1-1", Some(&bearer)).await;
    assert_eq!(r.json()["code"]["coding"][0]["system"], "http://loinc.org");
    assert_eq!(
        h.get("/fhir/Observation/nope", Some(&bearer)).await.status,
        404
    );
    // The same guard: no credentials, no data.
    assert_eq!(
        h.get("/fhir/Observation?patient=pat-1", None).await.status,
        401
    );
}

#[tokio::test]
async fn the_capability_statement_is_public_and_names_the_oauth_endpoints() {
    let h = harness().await;
    let req = axum::http::Request::get("/fhir/metadata")
        .header("origin", "https://app.example")
        .body(axum::body::Body::empty())
        .unwrap();
    let r = h.send(req).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    let body = r.json();
    assert_eq!(body["resourceType"], "CapabilityStatement");
    assert_eq!(body["fhirVersion"], "4.0.1");
    let oauth = &body["rest"][0]["security"]["extension"][0];
    assert_eq!(
        oauth["url"],
        "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris"
    );
    let uri = |name: &str| {
        oauth["extension"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["url"] == name)
            .map(|e| e["valueUri"].clone())
    };
    assert_eq!(
        uri("authorize"),
        Some(format!("{ISSUER}/auth/authorize").into())
    );
    assert_eq!(uri("token"), Some(format!("{ISSUER}/auth/token").into()));
    let types: Vec<&str> = body["rest"][0]["resource"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        ["Patient", "Observation", "Encounter", "Practitioner"]
    );
}
