//! No secret, password, code or token ever reaches a log line: run the real binary with debug
//! logging, exercise every secret-bearing path, and search everything it printed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;
use common::wire::{basic, http, start_ready};
use std::process::{Command, Stdio};

const FORM: &str = "application/x-www-form-urlencoded";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn debug_logs_hold_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let admin_password = "log-test-admin-password";
    let log_path = dir.path().join("server.log");
    let (mut server, addr) = start_ready(|addr| {
        let log = std::fs::File::create(&log_path).unwrap();
        Command::new(env!("CARGO_BIN_EXE_oauth-sandbox"))
            .args([
                "--addr",
                addr,
                "--admin-password",
                admin_password,
                "--log",
                "debug",
            ])
            .arg("--database-url")
            .arg(format!("sqlite://{}/logs.db", dir.path().display()))
            .arg("--site-root")
            .arg(dir.path().join("no-site"))
            .stdout(Stdio::from(log.try_clone().unwrap()))
            .stderr(Stdio::from(log))
            .spawn()
            .unwrap()
    })
    .await;

    let mut secrets = vec![
        admin_password.to_owned(),
        "service-secret".into(),
        "alice-password".into(),
        "password-secret".into(),
    ];
    let r = http(
        &addr,
        "POST",
        "/auth/token",
        Some(&basic("service-client", "service-secret")),
        FORM,
        "grant_type=client_credentials",
    )
    .await
    .unwrap();
    let access: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    let access = access["access_token"].as_str().unwrap().to_owned();
    let body = "grant_type=password&username=alice&password=alice-password&client_id=password-client&client_secret=password-secret";
    let r = http(&addr, "POST", "/auth/token?state=abc", None, FORM, body)
        .await
        .unwrap();
    let pw: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    let refresh = pw["refresh_token"].as_str().unwrap().to_owned();
    http(
        &addr,
        "GET",
        "/fhir/Patient",
        Some(&format!("Bearer {access}")),
        FORM,
        "",
    )
    .await
    .unwrap();
    let auth = basic("password-client", "password-secret");
    http(
        &addr,
        "POST",
        "/auth/token",
        Some(&auth),
        FORM,
        &format!("grant_type=refresh_token&refresh_token={refresh}"),
    )
    .await
    .unwrap();
    // The reuse path logs a warning: it must not carry the token either.
    http(
        &addr,
        "POST",
        "/auth/token",
        Some(&auth),
        FORM,
        &format!("grant_type=refresh_token&refresh_token={refresh}"),
    )
    .await
    .unwrap();
    http(
        &addr,
        "POST",
        "/auth/introspect",
        Some(&basic("service-client", "service-secret")),
        FORM,
        &format!("token={access}"),
    )
    .await
    .unwrap();
    http(
        &addr,
        "POST",
        "/auth/token",
        Some(&basic("service-client", "wrong-secret-value")),
        FORM,
        "grant_type=client_credentials",
    )
    .await
    .unwrap();
    let new_client = r#"{"client_name": "Logged", "client_secret": "created-secret-value", "grant_types": ["client_credentials"]}"#;
    http(
        &addr,
        "PUT",
        "/Client/logged",
        Some(&basic("admin", admin_password)),
        "application/json",
        new_client,
    )
    .await
    .unwrap();
    // A generated secret, and a regenerated one: both shown once, in a response, never logged.
    let generated = r#"{"client_name": "Generated", "grant_types": ["client_credentials"]}"#;
    let admin = basic("admin", admin_password);
    let r = http(
        &addr,
        "PUT",
        "/Client/generated",
        Some(&admin),
        "application/json",
        generated,
    )
    .await
    .unwrap();
    let made: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    secrets.push(made["client_secret"].as_str().unwrap().to_owned());
    let r = http(
        &addr,
        "POST",
        "/Client/generated/$secret",
        Some(&admin),
        "application/json",
        "",
    )
    .await
    .unwrap();
    let remade: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    secrets.push(remade["client_secret"].as_str().unwrap().to_owned());
    secrets.extend([
        access.clone(),
        refresh,
        "wrong-secret-value".into(),
        "created-secret-value".into(),
    ]);
    // Part of a JWT is enough to leak it.
    secrets.push(access.split('.').nth(2).unwrap().to_owned());

    server.kill().unwrap();
    server.wait().unwrap();
    let printed = std::fs::read_to_string(&log_path).unwrap();
    assert!(
        printed.contains("/auth/token"),
        "the requests were logged:\n{printed}"
    );
    for secret in &secrets {
        assert!(
            !printed.contains(secret.as_str()),
            "a secret reached the log: {secret}"
        );
    }
    assert!(
        !printed.contains("state=abc"),
        "query strings are not logged"
    );
}
