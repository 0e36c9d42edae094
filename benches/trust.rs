//! Bearer calls per second to the demo API, in process through the router with 32 calls in
//! flight: a JWT of a trusted outside issuer (its key set fetched once and kept) against this
//! server's own JWT (signature, then its row by `jti`). Five rounds each; medians and the ratio.
//!
//!     cargo bench --bench trust [-- calls-per-round]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a benchmark may panic

#[path = "../tests/common/mod.rs"]
mod common;
use axum::body::Body;
use axum::http::Request;
use serde_json::json;
use std::time::Instant;
use tower::ServiceExt;

const IN_FLIGHT: usize = 32;

async fn round(h: &common::Harness, token: &str, calls: usize) -> f64 {
    let started = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for lane in 0..IN_FLIGHT {
        let (router, token) = (h.router.clone(), token.to_owned());
        let share = calls / IN_FLIGHT + usize::from(lane < calls % IN_FLIGHT);
        set.spawn(async move {
            for _ in 0..share {
                let request = Request::get("/fhir/Patient")
                    .header("authorization", format!("Bearer {token}"))
                    .body(Body::empty())
                    .unwrap();
                let status = router.clone().oneshot(request).await.unwrap().status();
                assert_eq!(status, 200);
            }
        });
    }
    while let Some(done) = set.join_next().await {
        done.unwrap();
    }
    calls as f64 / started.elapsed().as_secs_f64()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let calls: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(5000);
    let h = common::harness().await;
    let own = h.service_token().await;
    // The test issuer stands in for the outside one; its key set URL is this server's, read
    // in process like any cached set after its first fetch.
    let iss = format!("{}/sandbox/test-issuer", common::ISSUER);
    let audience = format!("{}/fhir", common::ISSUER);
    let trust = json!({"issuer": iss, "audiences": [audience],
        "jwks_uri": format!("{iss}/jwks.json"), "algorithms": ["RS256"]});
    let r = h.admin("PUT", "/TrustedIssuer/bench", Some(trust)).await;
    assert!(r.status.is_success(), "{}", r.text());
    let policy = json!({"issuers": [iss], "path": "/fhir/**"});
    let r = h.admin("PUT", "/AccessPolicy/bench", Some(policy)).await;
    assert!(r.status.is_success(), "{}", r.text());
    let minted = h
        .send(common::json_request(
            "POST",
            "/sandbox/test-issuer/token",
            "Bearer none",
            Some(json!({"claims": {"aud": audience, "sub": "bench"}, "expires_in": 3600})),
        ))
        .await;
    let outside = minted.json()["access_token"].as_str().unwrap().to_owned();
    round(&h, &own, 500).await;
    round(&h, &outside, 500).await;
    let (mut own_rates, mut outside_rates) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        own_rates.push(round(&h, &own, calls).await);
        outside_rates.push(round(&h, &outside, calls).await);
    }
    let (o, x) = (median(own_rates), median(outside_rates));
    println!(
        "own JWT (RS256, row by jti): {o:.0} calls/s median of 5 rounds of {calls}, {IN_FLIGHT} in flight"
    );
    println!("trusted issuer's JWT (RS256, key set kept): {x:.0} calls/s");
    println!("ratio outside/own: {:.2}", x / o);
    println!("key set fetches: {}", h.state.trust_keys.fetches());
}
