//! Token requests per second with `private_key_jwt` (SMART Backend Services: a fresh client
//! assertion per request, RS384 and ES384) against `client_secret_basic` (the secret verified
//! once with argon2, then from the verified-secret cache), client_credentials with opaque
//! tokens, in process through the router with 32 requests in flight. The assertions are signed
//! before each round, so the figure is the server's cost: parse, verify, remember the `jti`,
//! issue. Five rounds each; medians and ratios.
//!
//!     cargo bench --bench assertions [-- requests-per-round]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a benchmark may panic

#[path = "../tests/common/mod.rs"]
mod common;
use axum::body::Body;
use axum::http::Request;
use common::signer::Signer;
use jsonwebtoken::Algorithm;
use serde_json::json;
use std::time::Instant;
use tower::ServiceExt;

const IN_FLIGHT: usize = 32;
const TYPE: &str = "urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer";

/// Sends every body once, `IN_FLIGHT` at a time, with `authorization` when given.
async fn round(h: &common::Harness, bodies: Vec<String>, authorization: Option<String>) -> f64 {
    let calls = bodies.len();
    let mut lanes: Vec<Vec<String>> = (0..IN_FLIGHT).map(|_| Vec::new()).collect();
    for (i, b) in bodies.into_iter().enumerate() {
        lanes[i % IN_FLIGHT].push(b);
    }
    let started = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for lane in lanes {
        let (router, authorization) = (h.router.clone(), authorization.clone());
        set.spawn(async move {
            for body in lane {
                let mut request = Request::post("/auth/token")
                    .header("content-type", "application/x-www-form-urlencoded");
                if let Some(a) = &authorization {
                    request = request.header("authorization", a);
                }
                let response = router
                    .clone()
                    .oneshot(request.body(Body::from(body)).unwrap())
                    .await
                    .unwrap();
                assert_eq!(response.status(), 200);
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

/// `n` token requests of `id`, each with its own assertion.
fn assertion_bodies(signer: &Signer, id: &str, n: usize, round: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let claims = json!({"iss": id, "sub": id, "aud": format!("{}/auth/token", common::ISSUER),
                "exp": common::T0 + 240, "iat": common::T0, "jti": format!("{round}-{i}")});
            format!(
                "grant_type=client_credentials&client_assertion_type={TYPE}&client_assertion={}",
                signer.sign(&claims)
            )
        })
        .collect()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let calls: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(3000);
    let h = common::harness().await;
    let signers = [
        ("bench-rs384", Signer::rsa(Algorithm::RS384)),
        ("bench-es384", Signer::ec(Algorithm::ES384)),
    ];
    for (id, signer) in &signers {
        let client = json!({"client_name": id, "token_endpoint_auth_method": "private_key_jwt",
            "grant_types": ["client_credentials"], "access_token_format": "opaque",
            "jwks": {"keys": [signer.jwk.as_ref().unwrap()]}});
        let r = h.admin("PUT", &format!("/Client/{id}"), Some(client)).await;
        assert!(r.status.is_success(), "{}", r.text());
    }
    let basic = Some(common::basic("service-client-opaque", "service-secret"));
    let secret_bodies = || vec!["grant_type=client_credentials".to_owned(); calls];
    round(&h, secret_bodies()[..200].to_vec(), basic.clone()).await;
    let mut rates = vec![Vec::new(); signers.len() + 1];
    for r in 0..5 {
        rates[0].push(round(&h, secret_bodies(), basic.clone()).await);
        for (k, (id, signer)) in signers.iter().enumerate() {
            let bodies = assertion_bodies(signer, id, calls, r);
            rates[k + 1].push(round(&h, bodies, None).await);
        }
    }
    let medians: Vec<f64> = rates.into_iter().map(median).collect();
    println!(
        "client_secret_basic (verified-secret cache): {:.0} tokens/s median of 5 rounds of {calls}, {IN_FLIGHT} in flight",
        medians[0]
    );
    for (k, (id, _)) in signers.iter().enumerate() {
        println!(
            "private_key_jwt {id}: {:.0} tokens/s (ratio to secret: {:.2})",
            medians[k + 1],
            medians[k + 1] / medians[0]
        );
    }
}
