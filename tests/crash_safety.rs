//! Crash safety: SIGKILL the real binary while it issues tokens and creates clients, restart it
//! on the same database, and check that every acknowledged write survived and that the
//! database's integrity check (SQLite's `PRAGMA integrity_check`) is "ok". On SQLite, or on
//! PostgreSQL when `TEST_POSTGRES_URL` names a server.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;
use common::wire::{basic, http, start_ready};
use std::process::Child;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const ADMIN: &str = "crash-admin-password";

fn start(dir: &std::path::Path, addr: &str) -> Child {
    common::wire::spawn_server(dir, addr, ADMIN, &[])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let (mut server, addr) = start_ready(|addr| start(dir.path(), addr)).await;

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

    let (mut server, addr) = start_ready(|addr| start(dir.path(), addr)).await;
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

    let db = oauth_sandbox::storage::Db::open(&common::database_url(dir.path()))
        .await
        .unwrap();
    assert_eq!(db.integrity_check().await.unwrap(), "ok");
    println!(
        "crash safety: {} tokens and {} clients acknowledged before SIGKILL, all present after restart",
        tokens.len(),
        clients.len()
    );
}
