//! Start-up: demo data and seed files as idempotent upserts, the admin password, and signing
//! keys that persist, rotate and retire.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;
use common::*;
use oauth_sandbox::build_state;
use oauth_sandbox::clock::ManualClock;
use oauth_sandbox::storage;

#[tokio::test]
async fn seed_file_applies_twice_and_bad_seed_applies_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let seed = dir.path().join("seed.json");
    std::fs::write(
        &seed,
        r#"{"clients": [{"client_id": "ci-client", "client_name": "CI", "client_secret": "ci-secret-123",
             "grant_types": ["client_credentials"], "scope": "patient.read"}],
            "users": [{"username": "ci-user", "password": "ci-password-1"}]}"#,
    )
    .unwrap();
    let path = seed.to_str().unwrap();
    for _ in 0..2 {
        let (state, startup) = build_state(
            &config(dir.path(), &["--seed", path, "--no-demo"]),
            ManualClock::new(T0),
        )
        .await
        .unwrap();
        assert_eq!(startup.seeded.len(), 1);
        assert_eq!(
            storage::clients::list(&state.db, None).await.unwrap().len(),
            1
        );
        state.db.close().await;
    }

    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"{"clients": [{"client_id": "fine", "client_name": "Fine", "client_secret": "fine-secret-1", "grant_types": ["client_credentials"]},
                        {"client_id": "broken", "client_name": "Broken", "grant_types": ["authorization_code"], "redirect_uris": ["relative/cb"]}]}"#,
    )
    .unwrap();
    let err = build_state(
        &config(dir.path(), &["--seed", bad.to_str().unwrap(), "--no-demo"]),
        ManualClock::new(T0),
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("clients[1] (\"broken\"): redirect_uris[0]"),
        "{err}"
    );
    let (state, _) = build_state(&config(dir.path(), &["--no-demo"]), ManualClock::new(T0))
        .await
        .unwrap();
    assert!(
        storage::clients::get(&state.db, "fine")
            .await
            .unwrap()
            .is_none(),
        "nothing half applied"
    );
}

#[tokio::test]
async fn generated_admin_password_is_printed_only_at_first_start() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path(), &[]);
    cfg.admin_password = None;
    let (state, first) = build_state(&cfg, ManualClock::new(T0)).await.unwrap();
    let password = first
        .generated_admin_password
        .expect("generated at first start");
    let h = common::Harness {
        router: oauth_sandbox::router(state.clone()),
        state,
        clock: ManualClock::new(T0),
        dir,
    };
    assert_eq!(
        h.get("/Client", Some(&basic("admin", password.expose())))
            .await
            .status,
        200
    );
    h.state.db.close().await;
    let (_, second) = build_state(&cfg, ManualClock::new(T0)).await.unwrap();
    assert!(second.generated_admin_password.is_none());
}

#[tokio::test]
async fn discovery_is_one_document_at_both_paths() {
    let h = harness().await;
    let a = h.get("/.well-known/oauth-authorization-server", None).await;
    let b = h.get("/.well-known/openid-configuration", None).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.json(), b.json());
    let doc = a.json();
    assert_eq!(doc["issuer"], ISSUER);
    assert_eq!(doc["token_endpoint"], format!("{ISSUER}/auth/token"));
    assert_eq!(doc["jwks_uri"], format!("{ISSUER}/.well-known/jwks.json"));
    assert_eq!(
        doc["authorization_endpoint"],
        format!("{ISSUER}/auth/authorize")
    );
    assert_eq!(doc["userinfo_endpoint"], format!("{ISSUER}/auth/userinfo"));
    assert_eq!(
        doc["grant_types_supported"],
        serde_json::json!([
            "authorization_code",
            "implicit",
            "client_credentials",
            "password",
            "refresh_token",
            "urn:ietf:params:oauth:grant-type:device_code"
        ])
    );
    assert_eq!(
        doc["device_authorization_endpoint"],
        format!("{ISSUER}/auth/device")
    );
    assert_eq!(
        doc["response_types_supported"],
        serde_json::json!(["code", "token"])
    );
    assert_eq!(doc["authorization_response_iss_parameter_supported"], true);
    assert_eq!(
        doc["id_token_signing_alg_values_supported"],
        serde_json::json!(["RS256"])
    );
    assert_eq!(
        doc["registration_endpoint"],
        "http://sandbox.test/auth/register"
    );
    // Only what is true: no RP-initiated logout, no request objects.
    assert!(doc.get("end_session_endpoint").is_none());
    assert_eq!(doc["request_parameter_supported"], false);
}

#[tokio::test]
async fn rotation_keeps_old_tokens_valid_until_retired() {
    let h = harness().await;
    let old_token = h.service_token().await;
    let keys = h.admin("GET", "/Key", None).await.json();
    let old_kid = keys[0]["kid"].as_str().unwrap().to_owned();

    let r = h.admin("POST", "/Key/$rotate", None).await;
    assert_eq!(r.status, 201, "{}", r.text());
    let new_kid = r.json()["kid"].as_str().unwrap().to_owned();
    assert_ne!(new_kid, old_kid);
    let jwks = h.get("/.well-known/jwks.json", None).await.json();
    let kids: Vec<&str> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap())
        .collect();
    assert_eq!(kids.len(), 2);
    assert!(kids.contains(&old_kid.as_str()) && kids.contains(&new_kid.as_str()));
    for k in jwks["keys"].as_array().unwrap() {
        assert!(
            k.get("d").is_none() && k.get("p").is_none(),
            "public parts only"
        );
    }
    let new_token = h.service_token().await;
    let header = jsonwebtoken::decode_header(&new_token).unwrap();
    assert_eq!(header.kid.as_deref(), Some(new_kid.as_str()));
    assert_eq!(
        h.get("/fhir/Patient", Some(&format!("Bearer {old_token}")))
            .await
            .status,
        200
    );

    assert_eq!(
        h.admin("DELETE", &format!("/Key/{new_kid}"), None)
            .await
            .status,
        409
    );
    assert_eq!(
        h.admin("DELETE", &format!("/Key/{old_kid}"), None)
            .await
            .status,
        204
    );
    assert_eq!(
        h.get("/fhir/Patient", Some(&format!("Bearer {old_token}")))
            .await
            .status,
        401
    );
    assert_eq!(
        h.get("/fhir/Patient", Some(&format!("Bearer {new_token}")))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn keys_persist_across_restarts_and_es256_is_selectable() {
    let dir = tempfile::tempdir().unwrap();
    let (a, _) = build_state(&config(dir.path(), &[]), ManualClock::new(T0))
        .await
        .unwrap();
    let kid = a.keys.current().active.kid.clone();
    a.db.close().await;
    let (b, _) = build_state(&config(dir.path(), &[]), ManualClock::new(T0))
        .await
        .unwrap();
    assert_eq!(b.keys.current().active.kid, kid);
    b.db.close().await;
    let (c, _) = build_state(
        &config(dir.path(), &["--signing-alg", "ES256"]),
        ManualClock::new(T0),
    )
    .await
    .unwrap();
    let set = c.keys.current();
    assert_eq!(set.active.alg.as_str(), "ES256");
    assert_eq!(set.all.len(), 2, "the RS256 key still verifies");
    let h = common::Harness {
        router: oauth_sandbox::router(c.clone()),
        state: c,
        clock: ManualClock::new(T0),
        dir,
    };
    let token = h.service_token().await;
    assert_eq!(
        jsonwebtoken::decode_header(&token).unwrap().alg,
        jsonwebtoken::Algorithm::ES256
    );
    assert_eq!(
        h.get("/fhir/Patient", Some(&format!("Bearer {token}")))
            .await
            .status,
        200
    );
}
