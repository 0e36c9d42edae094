//! Signing keys from a seed file: the JWKS is the seeded one, on every start; the first key
//! signs, with its own `kid`; the others verify; a bad key stops start-up naming it, and
//! nothing of that seed is written. `tests/fixtures/seed-keys.json` holds keys made for these
//! tests only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;
use base64::Engine;
use common::*;
use oauth_sandbox::build_state;
use oauth_sandbox::clock::ManualClock;
use oauth_sandbox::storage;
use serde_json::Value;

fn fixture() -> String {
    format!(
        "{}/tests/fixtures/seed-keys.json",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn seeded() -> Vec<Value> {
    let text = std::fs::read_to_string(fixture()).unwrap();
    serde_json::from_str::<Value>(&text).unwrap()["keys"]
        .as_array()
        .unwrap()
        .clone()
}

/// The kid and alg of a JWT's header.
fn header_of(jwt: &str) -> Value {
    let part = jwt.split('.').next().unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .unwrap(),
    )
    .unwrap()
}

#[tokio::test]
async fn the_jwks_is_the_seeded_one_and_the_first_key_signs() {
    let path = fixture();
    let h = harness_with(&["--seed", &path]).await;
    let jwks = h.get("/.well-known/jwks.json", None).await.json();
    let keys = jwks["keys"].as_array().unwrap();
    let kids: Vec<&str> = keys.iter().map(|k| k["kid"].as_str().unwrap()).collect();
    assert_eq!(kids.len(), 2, "{jwks}");
    assert!(
        kids.contains(&"ci-rsa-1") && kids.contains(&"ci-ec-1"),
        "{kids:?}"
    );
    let seeded = seeded();
    let rsa = keys.iter().find(|k| k["kid"] == "ci-rsa-1").unwrap();
    assert_eq!(rsa["n"], seeded[0]["n"]);
    assert_eq!(rsa["e"], seeded[0]["e"]);
    let ec = keys.iter().find(|k| k["kid"] == "ci-ec-1").unwrap();
    assert_eq!((&ec["x"], &ec["y"]), (&seeded[1]["x"], &seeded[1]["y"]));
    // No private member is ever published.
    for k in keys {
        for private in ["d", "p", "q", "dp", "dq", "qi"] {
            assert!(k.get(private).is_none(), "{private} in {k}");
        }
    }
    // The first key signs, under its seeded kid, and the API accepts the token.
    let token = h.service_token().await;
    let header = header_of(&token);
    assert_eq!(header["kid"], "ci-rsa-1");
    assert_eq!(header["alg"], "RS256");
    let api = h
        .get("/fhir/Patient", Some(&format!("Bearer {token}")))
        .await;
    assert_eq!(api.status, 200, "{}", api.text());
}

#[tokio::test]
async fn a_restart_keeps_the_same_keys_and_a_bad_key_stops_start_up() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixture();
    let mut seen = Vec::new();
    for _ in 0..2 {
        let (state, startup) = build_state(
            &config(dir.path(), &["--seed", &path, "--no-demo"]),
            ManualClock::new(T0),
        )
        .await
        .unwrap();
        seen.push(startup.seeded[0].1.keys);
        let mut kids: Vec<String> = storage::keys::list_live(&state.db)
            .await
            .unwrap()
            .into_iter()
            .map(|k| format!("{}:{}", k.kid, k.active))
            .collect();
        kids.sort();
        assert_eq!(kids, ["ci-ec-1:false", "ci-rsa-1:true"]);
        state.db.close().await;
    }
    assert_eq!(seen, [2, 0], "stored on the first start only");

    let mut bad = seeded();
    bad[1]["kid"] = "broken".into();
    bad[1]["x"] = bad[0]["n"].as_str().unwrap()[..43].into();
    let bad_path = dir.path().join("bad.json");
    std::fs::write(
        &bad_path,
        serde_json::json!({
            "clients": [{"client_id": "fine", "client_name": "Fine", "client_secret": "fine-secret-1",
                         "grant_types": ["client_credentials"]}],
            "keys": bad,
        })
        .to_string(),
    )
    .unwrap();
    let fresh = tempfile::tempdir().unwrap();
    let err = build_state(
        &config(
            fresh.path(),
            &["--seed", bad_path.to_str().unwrap(), "--no-demo"],
        ),
        ManualClock::new(T0),
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(err.contains("keys[1] (\"broken\"): "), "{err}");
    let (state, _) = build_state(&config(fresh.path(), &["--no-demo"]), ManualClock::new(T0))
        .await
        .unwrap();
    assert!(
        storage::clients::get(&state.db, "fine")
            .await
            .unwrap()
            .is_none(),
        "nothing half applied"
    );
    let live = storage::keys::list_live(&state.db).await.unwrap();
    assert!(
        live.iter().all(|k| !k.kid.starts_with("ci-")),
        "no seeded key"
    );
}
