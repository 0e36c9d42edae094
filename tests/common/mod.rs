//! Test harness: a fresh server on a temporary SQLite file, a manual clock, and helpers that
//! drive the router in process and return the exact status, headers and body.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod browser;
pub mod signer;
pub mod wire;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use base64::Engine;
use http_body_util::BodyExt;
use oauth_sandbox::clock::ManualClock;
use oauth_sandbox::config::Config;
use oauth_sandbox::state::AppState;
use oauth_sandbox::{build_state, router};
use serde_json::Value;
use std::sync::Arc;
use tower::ServiceExt;

pub const ADMIN_PASSWORD: &str = "admin-password-for-tests";
pub const ISSUER: &str = "http://sandbox.test";
pub const T0: i64 = 1_800_000_000;

pub struct Harness {
    pub state: AppState,
    pub router: Router,
    pub clock: Arc<ManualClock>,
    pub dir: tempfile::TempDir,
}

/// The database of the test that owns `dir`: a SQLite file in it, or, when
/// `TEST_POSTGRES_URL` names a PostgreSQL server (`postgres://user@host:port`), a fresh database
/// there named after `dir`, so that a second node of the same test finds the same one.
pub fn database_url(dir: &std::path::Path) -> String {
    match std::env::var("TEST_POSTGRES_URL") {
        Ok(server) if !server.is_empty() => postgres_database(&server, dir),
        _ => format!("sqlite://{}/test.db", dir.display()),
    }
}

/// Creates (once) the database for `dir` on `server` and returns its URL.
fn postgres_database(server: &str, dir: &std::path::Path) -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    dir.hash(&mut hasher);
    let name = format!("t_{:016x}", hasher.finish());
    let server = server.trim_end_matches('/').to_owned();
    let admin = format!("{server}/postgres");
    let create = format!("CREATE DATABASE {name}");
    // Its own runtime on its own thread: callers may be inside a runtime or not.
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            use sqlx::{Connection, Executor};
            let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
            if let Err(e) = conn.execute(sqlx::AssertSqlSafe(create)).await {
                // 42P04: the database exists (a second node of the same test).
                let exists = e
                    .as_database_error()
                    .and_then(|d| d.code())
                    .is_some_and(|c| c == "42P04");
                assert!(exists, "creating a test database: {e}");
            }
        });
    })
    .join()
    .unwrap();
    format!("{server}/{name}")
}

pub fn config(dir: &std::path::Path, extra: &[&str]) -> Config {
    use clap::Parser;
    let url = database_url(dir);
    let mut args = vec![
        "oauth-sandbox",
        "--database-url",
        &url,
        "--issuer",
        ISSUER,
        "--admin-password",
        ADMIN_PASSWORD,
        "--log",
        "warn",
    ];
    args.extend_from_slice(extra);
    Config::try_parse_from(args).expect("test config parses")
}

pub async fn harness() -> Harness {
    harness_with(&[]).await
}

pub async fn harness_with(extra: &[&str]) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let (state, _) = build_state(&config(dir.path(), extra), clock.clone())
        .await
        .unwrap();
    Harness {
        router: router(state.clone()),
        state,
        clock,
        dir,
    }
}

/// A second node of `first`'s issuer: its own state (caches, keys in memory, clock), on the
/// same database, as a second server behind one load balancer would be.
pub async fn second_node(first: &Harness) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let (state, _) = build_state(&config(first.dir.path(), &[]), clock.clone())
        .await
        .unwrap();
    Harness {
        router: router(state.clone()),
        state,
        clock,
        dir,
    }
}

#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    pub fn headers_all(&self, name: &str) -> Vec<String> {
        self.headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect()
    }
    /// Asserts an RFC 6749 §5.2 error: status, code, and `Cache-Control: no-store`.
    pub fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.text());
        assert_eq!(self.json()["error"], code, "body: {}", self.text());
        assert!(self.json()["error_description"].is_string());
        assert_eq!(self.header("cache-control"), Some("no-store"));
        assert_eq!(self.header("content-type"), Some("application/json"));
    }
}

pub fn basic(id: &str, secret: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
    )
}

impl Harness {
    pub async fn send(&self, req: Request<Body>) -> Reply {
        let response = self.router.clone().oneshot(req).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        Reply {
            status,
            headers,
            body,
        }
    }

    /// POSTs a form body, with an optional Authorization header.
    pub async fn post_form(&self, path: &str, authorization: Option<&str>, body: &str) -> Reply {
        let mut req =
            Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(a) = authorization {
            req = req.header(header::AUTHORIZATION, a);
        }
        self.send(req.body(Body::from(body.to_owned())).unwrap())
            .await
    }

    /// POSTs to the token endpoint with Basic client authentication.
    pub async fn token(&self, client: (&str, &str), body: &str) -> Reply {
        self.post_form("/auth/token", Some(&basic(client.0, client.1)), body)
            .await
    }

    /// A client_credentials access token for the demo service client.
    pub async fn service_token(&self) -> String {
        let r = self
            .token(
                ("service-client", "service-secret"),
                "grant_type=client_credentials",
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        r.json()["access_token"].as_str().unwrap().to_owned()
    }

    pub async fn get(&self, path: &str, authorization: Option<&str>) -> Reply {
        let mut req = Request::get(path);
        if let Some(a) = authorization {
            req = req.header(header::AUTHORIZATION, a);
        }
        self.send(req.body(Body::empty()).unwrap()).await
    }

    /// An admin REST call with a JSON body.
    pub async fn admin(&self, method: &str, path: &str, body: Option<Value>) -> Reply {
        self.send(json_request(
            method,
            path,
            &basic("admin", ADMIN_PASSWORD),
            body,
        ))
        .await
    }
}

/// A REST request with this Authorization header and an optional JSON body.
pub fn json_request(
    method: &str,
    path: &str,
    authorization: &str,
    body: Option<Value>,
) -> Request<Body> {
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, authorization);
    let body = match body {
        Some(v) => {
            req = req.header(header::CONTENT_TYPE, "application/json");
            Body::from(v.to_string())
        }
        None => Body::empty(),
    };
    req.body(body).unwrap()
}

/// DER as PEM with this label (`PUBLIC KEY`, `PRIVATE KEY`).
pub fn pem(label: &str, der: &[u8]) -> String {
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

/// Part `index` of a compact JWT (0 the header, 1 the claims), decoded as JSON.
pub fn jwt_part(jwt: &str, index: usize) -> Value {
    let part = jwt.split('.').nth(index).expect("a compact JWT");
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .expect("base64url"),
    )
    .expect("JSON")
}
