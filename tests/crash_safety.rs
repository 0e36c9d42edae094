//! Crash safety: SIGKILL the real binary while it issues tokens and creates clients, restart it
//! on the same database, and check that every acknowledged write survived and that SQLite's
//! `PRAGMA integrity_check` is "ok".
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

use base64::Engine;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const ADMIN: &str = "crash-admin-password";

struct Reply {
    status: u16,
    body: String,
}

/// A minimal HTTP/1.1 client: one request per connection.
async fn http(
    addr: &str,
    method: &str,
    path: &str,
    auth: Option<&str>,
    content_type: &str,
    body: &str,
) -> std::io::Result<Reply> {
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    let auth = auth
        .map(|a| format!("Authorization: {a}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Content-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other("no status"))?;
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Ok(Reply { status, body })
}

fn basic(id: &str, secret: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
    )
}

fn start(dir: &std::path::Path, addr: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_oauth-sandbox"))
        .args(["--addr", addr, "--admin-password", ADMIN, "--log", "warn"])
        .arg("--database-url")
        .arg(format!("sqlite://{}/crash.db", dir.display()))
        .arg("--site-root")
        .arg(dir.join("no-site"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts")
}

async fn wait_ready(addr: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(r) = http(
            addr,
            "GET",
            "/.well-known/jwks.json",
            None,
            "text/plain",
            "",
        )
        .await
            && r.status == 200
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("server at {addr} did not become ready");
}

fn free_addr() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let addr = free_addr();
    let mut server = start(dir.path(), &addr);
    wait_ready(&addr).await;

    let tokens = Arc::new(Mutex::new(Vec::<String>::new()));
    let clients = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut workers = Vec::new();
    for _ in 0..8 {
        let (addr, tokens, stop) = (addr.clone(), tokens.clone(), stop.clone());
        workers.push(tokio::spawn(async move {
            let auth = basic("service-client-opaque", "service-secret");
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                match http(
                    &addr,
                    "POST",
                    "/auth/token",
                    Some(&auth),
                    "application/x-www-form-urlencoded",
                    "grant_type=client_credentials",
                )
                .await
                {
                    Ok(r) if r.status == 200 => {
                        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
                        tokens
                            .lock()
                            .unwrap()
                            .push(v["access_token"].as_str().unwrap().to_owned());
                    }
                    Ok(r) => panic!("unexpected status {} {}", r.status, r.body),
                    Err(_) => break, // the server is gone
                }
            }
        }));
    }
    for w in 0..2 {
        let (addr, clients, stop) = (addr.clone(), clients.clone(), stop.clone());
        workers.push(tokio::spawn(async move {
            let auth = basic("admin", ADMIN);
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                n += 1;
                let id = format!("crash-{w}-{n}");
                let body = r#"{"client_name": "Crash", "client_secret": "crash-secret-1", "grant_types": ["client_credentials"]}"#;
                match http(&addr, "PUT", &format!("/Client/{id}"), Some(&auth), "application/json", body).await {
                    Ok(r) if r.status == 201 => clients.lock().unwrap().push(id),
                    Ok(r) => panic!("unexpected status {} {}", r.status, r.body),
                    Err(_) => break,
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(2500)).await;
    server.kill().unwrap(); // SIGKILL on Unix
    server.wait().unwrap();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for w in workers {
        w.await.unwrap();
    }
    let tokens = tokens.lock().unwrap().clone();
    let clients = clients.lock().unwrap().clone();
    assert!(
        tokens.len() > 50,
        "only {} tokens were issued before the kill",
        tokens.len()
    );
    assert!(!clients.is_empty());

    let mut server = start(dir.path(), &addr);
    wait_ready(&addr).await;
    let auth = basic("service-client-opaque", "service-secret");
    for token in &tokens {
        let r = http(
            &addr,
            "POST",
            "/auth/introspect",
            Some(&auth),
            "application/x-www-form-urlencoded",
            &format!("token={token}"),
        )
        .await
        .unwrap();
        assert_eq!(r.status, 200);
        assert!(
            r.body.contains("\"active\":true"),
            "an acknowledged token was lost: {}",
            r.body
        );
    }
    let admin = basic("admin", ADMIN);
    for id in &clients {
        let r = http(
            &addr,
            "GET",
            &format!("/Client/{id}"),
            Some(&admin),
            "text/plain",
            "",
        )
        .await
        .unwrap();
        assert_eq!(r.status, 200, "an acknowledged client was lost: {id}");
    }
    server.kill().unwrap();
    server.wait().unwrap();

    let db =
        oauth_sandbox::storage::Db::open(&format!("sqlite://{}/crash.db", dir.path().display()))
            .await
            .unwrap();
    assert_eq!(db.integrity_check().await.unwrap(), "ok");
    println!(
        "crash safety: {} tokens and {} clients acknowledged before SIGKILL, all present after restart",
        tokens.len(),
        clients.len()
    );
}
