//! In-process timings of the browser flows, through the router and the real HTML forms:
//! the whole authorization code round trip (authorize → login → consent → token) and the
//! login page's render time.
//!
//!     cargo bench --bench flows [-- iterations]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a benchmark may panic

#[path = "../tests/common/mod.rs"]
mod common;
use common::browser::{Browser, location};
use std::time::Instant;

const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn report(name: &str, mut ms: Vec<f64>) {
    ms.sort_by(f64::total_cmp);
    println!(
        "{name}: p50 {:.3} ms, p90 {:.3} ms, p99 {:.3} ms ({} runs)",
        percentile(&ms, 0.5),
        percentile(&ms, 0.9),
        percentile(&ms, 0.99),
        ms.len()
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(200);
    let h = common::harness().await;
    let callback = form_urlencoded::byte_serialize(b"http://sandbox.test/sandbox/callback")
        .collect::<String>();
    let query = format!(
        "response_type=code&client_id=web-client&redirect_uri={callback}&scope=openid%20patient.read&state=s&prompt=consent\
         &code_challenge={}&code_challenge_method=S256",
        oauth_sandbox::oauth::pkce::s256(VERIFIER)
    );

    let mut first = None;
    let mut flows = Vec::with_capacity(n);
    for i in 0..=n {
        let mut browser = Browser::new(&h);
        let start = Instant::now();
        let back = browser.authorize(&query, "alice", "alice-password").await;
        let code = location(&back).1["code"].clone();
        let body = format!(
            "grant_type=authorization_code&code={}&redirect_uri={callback}&code_verifier={VERIFIER}",
            form_urlencoded::byte_serialize(code.as_bytes()).collect::<String>()
        );
        let token = h.token(("web-client", "web-secret"), &body).await;
        assert_eq!(token.status, 200);
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        if i == 0 {
            first = Some(ms);
        } else {
            flows.push(ms);
        }
    }
    println!(
        "code flow, first run (argon2 verifies alice's password, and the client secret): {:.1} ms",
        first.unwrap_or_default()
    );
    report(
        "code flow round trip (authorize → login → consent → token, steady state)",
        flows,
    );

    let mut renders = Vec::with_capacity(n * 5);
    for _ in 0..n * 5 {
        let start = Instant::now();
        let page = h.get(&format!("/auth/authorize?{query}"), None).await;
        renders.push(start.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(page.status, 200);
        assert!(
            page.text().contains("name=\"password\""),
            "the login form was rendered"
        );
    }
    report(
        "login page render (GET /auth/authorize, no session)",
        renders,
    );

    let mut landing = Vec::with_capacity(n * 5);
    for _ in 0..n * 5 {
        let start = Instant::now();
        let page = h.get("/", None).await;
        landing.push(start.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(page.status, 200);
    }
    report("landing page SSR (GET /)", landing);
}
