//! Ugly input, everywhere: garbage bodies, wrong content types, repeated and broken parameters,
//! odd methods, invalid percent-encoding, NUL bytes, very long values. Every answer is a
//! client error of some kind; never a 5xx, never a panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;
use axum::body::Body;
use axum::http::Request;
use common::*;

/// A small deterministic generator, so a failure can be replayed.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

const PATHS: [&str; 35] = [
    "/auth/token",
    "/auth/introspect",
    "/auth/revoke",
    "/auth/userinfo",
    "/auth/authorize",
    "/auth/login",
    "/auth/consent",
    "/auth/logout",
    "/fhir/Patient",
    "/fhir/Patient/pat-1",
    "/Client/x",
    "/User/x",
    "/AccessPolicy/x",
    "/Key/$rotate",
    "/.well-known/jwks.json",
    "/api/sandbox/step",
    "/auth/register",
    "/developer/signup",
    "/developer/signin",
    "/developer/signout",
    "/Client/x/$secret",
    "/api/console/save-client",
    "/api/console/client",
    "/api/console/save-policy",
    "/api/console/debug",
    "/api/console/set-account",
    "/api/sandbox/open-run",
    "/healthz",
    "/readyz",
    "/sandbox/runs/0123456789abcdef0123456789abcdef",
    "/sandbox/runs/x/export.md",
    "/api/sandbox/delete-run",
    "/api/sandbox/runs",
    "/api/sandbox/run",
    "/pkg/oauth_sandbox.css",
];

fn bodies(rng: &mut XorShift) -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("application/x-www-form-urlencoded", rng.bytes(64)),
        (
            "application/x-www-form-urlencoded",
            b"grant_type=%zz&%%%=&&==&client_id=%00".to_vec(),
        ),
        (
            "application/x-www-form-urlencoded",
            b"grant_type=client_credentials&grant_type=password".to_vec(),
        ),
        (
            "application/x-www-form-urlencoded",
            format!("token={}", "A".repeat(60_000)).into_bytes(),
        ),
        (
            "application/x-www-form-urlencoded",
            b"code=a.b.c&redirect_uri=\x00\xff&code_verifier=%F0%9F%92%A9".to_vec(),
        ),
        (
            "application/json",
            b"{\"grant_type\": [1, {}], \"client_secret\": null".to_vec(),
        ),
        ("application/json", rng.bytes(200)),
        ("text/plain", b"hello".to_vec()),
        (
            "multipart/form-data; boundary=x",
            b"--x\r\n\r\n--x--".to_vec(),
        ),
        ("application/x-www-form-urlencoded", Vec::new()),
    ]
}

#[tokio::test]
async fn no_endpoint_answers_ugly_input_with_a_server_error() {
    let h = harness().await;
    let mut rng = XorShift(0x5EED_1234_ABCD_0001);
    let auths = [
        None,
        Some(basic("service-client", "service-secret")),
        Some(basic("admin", ADMIN_PASSWORD)),
        Some("Bearer a.b.c".to_owned()),
        Some("Basic %%%".to_owned()),
        Some(format!("Bearer {}", "x".repeat(9000))),
    ];
    let mut tried = 0;
    for path in PATHS {
        for method in ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"] {
            for (content_type, body) in bodies(&mut rng) {
                let auth = &auths[(rng.next() % auths.len() as u64) as usize];
                let mut req = Request::builder()
                    .method(method)
                    .uri(path)
                    .header("content-type", content_type);
                if let Some(a) = auth {
                    req = req.header("authorization", a.as_str());
                }
                let r = h.send(req.body(Body::from(body.clone())).unwrap()).await;
                tried += 1;
                assert!(
                    !r.status.is_server_error(),
                    "{method} {path} ({content_type}, {} bytes, auth {auth:?}) → {}: {}",
                    body.len(),
                    r.status,
                    r.text().chars().take(300).collect::<String>()
                );
            }
        }
    }
    // Odd query strings on the GET endpoints.
    for query in [
        "?%zz",
        "?client_id=%00&client_id=",
        "?response_type=code&response_type=token",
        "?state=%F0%9F%92%A9",
    ] {
        for path in [
            "/auth/authorize",
            "/auth/consent",
            "/fhir/Patient",
            "/sandbox/callback",
            "/",
        ] {
            let r = h.get(&format!("{path}{query}"), None).await;
            tried += 1;
            assert!(
                !r.status.is_server_error(),
                "GET {path}{query} → {}",
                r.status
            );
        }
    }
    assert!(tried > 900);
}
