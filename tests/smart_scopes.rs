//! SMART resource scopes at the demo FHIR API: a token of this server with SMART scopes is
//! allowed exactly what they grant, without a policy; tokens without them stay with the
//! policies; an outside issuer's token never skips a policy by carrying SMART scopes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;
use common::*;
use serde_json::json;

async fn token_with(h: &Harness, scope: &str) -> String {
    let r = h
        .admin(
            "PUT",
            "/Client/smart-service",
            Some(
                json!({"client_name": "SMART service", "client_secret": "smart-service-secret",
                "grant_types": ["client_credentials"],
                "scope": "system/*.rs system/Patient.rs user/Patient.r patient/*.rs patient.read"}),
            ),
        )
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    let r = h
        .token(
            ("smart-service", "smart-service-secret"),
            &format!(
                "grant_type=client_credentials&scope={}",
                scope.replace(' ', "%20")
            ),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["access_token"].as_str().unwrap().to_owned()
}

async fn get(h: &Harness, token: &str, path: &str) -> Reply {
    h.get(path, Some(&format!("Bearer {token}"))).await
}

fn insufficient(r: &Reply) -> String {
    assert_eq!(r.status, 403, "{}", r.text());
    let challenge = r.header("www-authenticate").unwrap().to_owned();
    assert!(
        challenge.contains("error=\"insufficient_scope\""),
        "{challenge}"
    );
    r.json()["error_description"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn smart_scopes_grant_exactly_their_types_and_interactions() {
    let h = harness().await;
    // No access policy names this client: system/*.rs alone opens every type for reading.
    let all = token_with(&h, "system/*.rs").await;
    assert_eq!(
        get(&h, &all, "/fhir/Observation?patient=pat-2")
            .await
            .status,
        200
    );
    assert_eq!(get(&h, &all, "/fhir/Encounter/enc-1").await.status, 200);
    // system/Patient.rs: patients only.
    let patients = token_with(&h, "system/Patient.rs").await;
    assert_eq!(get(&h, &patients, "/fhir/Patient").await.status, 200);
    let why = insufficient(&get(&h, &patients, "/fhir/Observation").await);
    assert!(why.contains("grants Search on Observation"), "{why}");
    // user/Patient.r: a read, not a search.
    let read_only = token_with(&h, "user/Patient.r").await;
    assert_eq!(get(&h, &read_only, "/fhir/Patient/pat-3").await.status, 200);
    insufficient(&get(&h, &read_only, "/fhir/Patient").await);
    // patient/ scopes with no patient in context reach nothing.
    let patient = token_with(&h, "patient/*.rs").await;
    let why = insufficient(&get(&h, &patient, "/fhir/Patient/pat-1").await);
    assert!(why.contains("launch context"), "{why}");
    // A token without SMART scopes: the policies decide, as before.
    let plain = token_with(&h, "patient.read").await;
    assert_eq!(get(&h, &plain, "/fhir/Observation").await.status, 200);
}

#[tokio::test]
async fn an_outside_token_with_smart_scopes_still_needs_a_policy() {
    let h = harness().await;
    let iss = format!("{ISSUER}/sandbox/test-issuer");
    let aud = format!("{ISSUER}/fhir");
    let r = h
        .admin(
            "PUT",
            "/TrustedIssuer/test",
            Some(
                json!({"issuer": iss, "audiences": [aud], "jwks_uri": format!("{iss}/jwks.json")}),
            ),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let minted = h
        .send(json_request(
            "POST",
            "/sandbox/test-issuer/token",
            "Bearer none",
            Some(json!({"claims": {"aud": aud, "scope": "system/*.rs"}})),
        ))
        .await;
    let token = minted.json()["access_token"].as_str().unwrap().to_owned();
    let r = get(&h, &token, "/fhir/Patient").await;
    assert_eq!(r.status, 403, "{}", r.text());
    assert!(
        r.json()["error_description"]
            .as_str()
            .unwrap()
            .contains("no access policy allows")
    );
}
