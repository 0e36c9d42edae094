//! The sandbox against another authorization server: a second, independent oauth-sandbox
//! process with its own issuer, keys, clients and database, reached through the relay; and
//! small hostile or broken servers, each of whose faults is reported, none trusted silently.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;
use common::browser::Browser;
use common::wire::start_ready;
use common::*;
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};

/// The second server, killed when dropped.
struct Partner {
    child: Child,
    url: String,
    _dir: tempfile::TempDir,
}

impl Drop for Partner {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn partner() -> Partner {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/partner.db", dir.path().display());
    let site = dir.path().join("no-site");
    let (child, addr) = start_ready(|addr| {
        Command::new(env!("CARGO_BIN_EXE_oauth-sandbox"))
            .args([
                "--addr",
                addr,
                "--admin-password",
                "partner-admin",
                "--log",
                "warn",
            ])
            .args(["--signing-alg", "ES256"])
            .arg("--database-url")
            .arg(&db)
            .arg("--site-root")
            .arg(&site)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the binary starts")
    })
    .await;
    Partner {
        child,
        url: format!("http://{addr}"),
        _dir: dir,
    }
}

/// Runs one step as the hydrated page does; the run view, or the refusal's message.
async fn step(b: &mut Browser<'_>, fields: &[(&str, &str)]) -> Result<Value, String> {
    let form: Vec<(String, String)> = fields
        .iter()
        .map(|(k, v)| (format!("input[{k}]"), (*v).to_owned()))
        .collect();
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let reply = b.call_form("/api/sandbox/step", &pairs).await;
    match reply.status.as_u16() {
        200 => Ok(reply.json()),
        _ => Err(reply.text()),
    }
}

/// [`step`] with owned values.
async fn step_with(
    b: &mut Browser<'_>,
    fields: &[(&'static str, String)],
) -> Result<Value, String> {
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    step(b, &refs).await
}

fn last(view: &Value) -> &Value {
    view["steps"].as_array().unwrap().last().unwrap()
}

fn checks_failed(step: &Value) -> Vec<String> {
    step["exchange"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["passed"] == false)
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_back_channel_flows_run_against_a_second_server() {
    let p = partner().await;
    let h = harness().await;
    let mut b = Browser::new(&h);
    let api = format!("{}/fhir/Patient", p.url);
    let cc = |step: &'static str, run: &str| -> Vec<(&'static str, String)> {
        vec![
            ("flow", "client-credentials".into()),
            ("step", step.into()),
            ("run", run.to_owned()),
            ("target", p.url.clone()),
            ("api_url", api.clone()),
            ("client_id", "service-client".into()),
            ("client_secret", "service-secret".into()),
            ("auth", "basic".into()),
            ("scope", "patient.read".into()),
        ]
    };
    let view = step_with(&mut b, &cc("token", "")).await.unwrap();
    let steps = view["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 2, "discovery, then the token request");

    // The discovery card: the RFC 8414 address, what it found, the client's checks.
    let discovery = &steps[0];
    assert_eq!(discovery["channel"], "discovery");
    assert_eq!(
        discovery["exchange"]["url"],
        format!("{}/.well-known/oauth-authorization-server", p.url)
    );
    assert_eq!(checks_failed(discovery), Vec::<String>::new());
    let found: Vec<&str> = discovery["params"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(found.contains(&"token_endpoint") && found.contains(&"grant_types_supported"));

    // The token request went to the partner, byte for byte, with the client's checks.
    let token_step = &steps[1];
    let x = &token_step["exchange"];
    assert_eq!(x["url"], format!("{}/auth/token", p.url));
    assert_eq!(x["request"]["start_line"], "POST /auth/token HTTP/1.1");
    let host = p.url.trim_start_matches("http://");
    assert!(
        x["request"]["headers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h[0] == "host" && h[1] == host)
    );
    assert_eq!(x["status"], 200);
    assert_eq!(checks_failed(token_step), Vec::<String>::new());
    assert!(
        x["checks"][2]["name"]
            .as_str()
            .unwrap()
            .contains("no-store")
    );
    // The partner's token, verified with the partner's keys (ES256), not this server's.
    let inspection = &view["inspection"];
    assert_eq!(inspection["alg"], "ES256");
    assert_eq!(inspection["signature_valid"], true, "{inspection}");
    assert!(
        inspection["signature_note"]
            .as_str()
            .unwrap()
            .contains(&format!("{}/.well-known/jwks.json", p.url))
    );
    let run = view["id"].as_str().unwrap().to_owned();

    // The API, introspection, revocation, and the API again: 401 after revoking.
    for (name, status) in [
        ("api", 200),
        ("introspect", 200),
        ("revoke", 200),
        ("api", 401),
    ] {
        let view = step_with(&mut b, &cc(name, &run)).await.unwrap();
        let s = last(&view);
        assert_eq!(s["exchange"]["status"], status, "{name}: {s}");
        assert!(s["exchange"]["url"].as_str().unwrap().starts_with(&p.url));
        assert_eq!(checks_failed(s), Vec::<String>::new(), "{name}");
    }

    // A wrong secret: the partner's 401, with the checks of an error answer.
    let view = step_with(&mut b, &cc("wrong-secret", "")).await.unwrap();
    let s = last(&view);
    assert_eq!(s["exchange"]["status"], 401);
    assert_eq!(checks_failed(s), Vec::<String>::new());

    // The password grant, refresh and the reuse lesson, at the partner.
    let pw = |step: &'static str, run: &str| -> Vec<(&'static str, String)> {
        vec![
            ("flow", "password".into()),
            ("step", step.into()),
            ("run", run.to_owned()),
            ("target", p.url.clone()),
            ("api_url", api.clone()),
            ("client_id", "password-client".into()),
            ("client_secret", "password-secret".into()),
            ("username", "alice".into()),
            ("password", "alice-password".into()),
            ("auth", "post".into()),
            ("scope", "patient.read offline_access".into()),
        ]
    };
    let view = step_with(&mut b, &pw("token", "")).await.unwrap();
    assert_eq!(last(&view)["exchange"]["status"], 200, "{}", last(&view));
    assert_eq!(view["has_refresh"], true);
    let run = view["id"].as_str().unwrap().to_owned();
    for (name, status) in [("refresh", 200), ("reuse", 400)] {
        let view = step_with(&mut b, &pw(name, &run)).await.unwrap();
        assert_eq!(last(&view)["exchange"]["status"], status, "{name}");
    }

    // A step of this server only is refused, not sent.
    let mut v = cc("create-client", "");
    v.push(("workspace", "learner-x".into()));
    v.push(("workspace_password", "pw".into()));
    let err = step_with(&mut b, &v).await.unwrap_err();
    assert!(err.contains("this server only"), "{err}");
}

#[tokio::test]
async fn json_fields_are_read_as_the_partner_wrote_them() {
    // The relay records the partner's answer unchanged: its own issuer in its own token.
    let p = partner().await;
    let h = harness().await;
    let mut b = Browser::new(&h);
    let view = step(
        &mut b,
        &[
            ("flow", "client-credentials"),
            ("step", "token"),
            ("target", &p.url),
            ("client_id", "service-client"),
            ("client_secret", "service-secret"),
        ],
    )
    .await
    .unwrap();
    let claims = view["inspection"]["claims"].as_array().unwrap();
    let iss = claims.iter().find(|c| c["name"] == "iss").unwrap();
    assert_eq!(iss["value"], json!(p.url));
}

/// Serves `router` on a free loopback port; its base URL.
async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}")
}

/// A JSON answer, as a metadata endpoint gives it.
fn metadata(doc: Value) -> axum::response::Response {
    use axum::response::IntoResponse;
    ([("content-type", "application/json")], doc.to_string()).into_response()
}

/// A fake server whose metadata is `doc(base)` at `path`.
async fn fake(path: &'static str, doc: impl Fn(&str) -> Value + Send + Sync + 'static) -> String {
    let cell = std::sync::Arc::new(std::sync::OnceLock::<String>::new());
    let base_cell = cell.clone();
    let doc = std::sync::Arc::new(doc);
    let router = axum::Router::new().route(
        path,
        axum::routing::get(move || {
            let (cell, doc) = (base_cell.clone(), doc.clone());
            async move { metadata(doc(cell.get().map(String::as_str).unwrap_or_default())) }
        }),
    );
    let base = serve(router).await;
    cell.set(base.clone()).unwrap();
    base
}

async fn discover(b: &mut Browser<'_>, target: &str) -> Result<Value, String> {
    step(
        b,
        &[
            ("flow", "client-credentials"),
            ("step", "token"),
            ("target", target),
            ("client_id", "c"),
            ("client_secret", "s"),
        ],
    )
    .await
}

#[tokio::test]
async fn an_issuer_with_a_path_is_found_by_inserting_the_well_known_suffix() {
    let base = fake("/.well-known/oauth-authorization-server/tenant/a", |base| {
        json!({"issuer": format!("{base}/tenant/a"), "response_types_supported": ["code"],
               "code_challenge_methods_supported": ["S256"]})
    })
    .await;
    let h = harness().await;
    let mut b = Browser::new(&h);
    let view = step(
        &mut b,
        &[
            ("flow", "client-credentials"),
            ("step", "discover"),
            ("target", &format!("{base}/tenant/a/")),
        ],
    )
    .await
    .unwrap();
    let steps = view["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 1);
    assert_eq!(
        steps[0]["exchange"]["url"],
        format!("{base}/.well-known/oauth-authorization-server/tenant/a")
    );
    assert_eq!(checks_failed(&steps[0]), Vec::<String>::new());
    // It has no token endpoint: the token step is offered as unavailable, with the reason.
    let run = view["id"].as_str().unwrap();
    let err = step(
        &mut b,
        &[
            ("flow", "client-credentials"),
            ("step", "token"),
            ("run", run),
            ("target", &format!("{base}/tenant/a")),
            ("client_id", "c"),
            ("client_secret", "s"),
        ],
    )
    .await
    .unwrap_err();
    assert!(err.contains("advertises no token_endpoint"), "{err}");
}

#[tokio::test]
async fn the_openid_address_is_tried_when_the_rfc_8414_one_is_missing() {
    let base = fake("/.well-known/openid-configuration", |base| {
        json!({"issuer": base, "token_endpoint": format!("{base}/token"),
               "response_types_supported": ["code"]})
    })
    .await;
    let h = harness().await;
    let mut b = Browser::new(&h);
    let view = discover(&mut b, &base).await.unwrap();
    let steps = view["steps"].as_array().unwrap();
    assert_eq!(steps[0]["exchange"]["status"], 404);
    assert_eq!(
        steps[1]["exchange"]["url"],
        format!("{base}/.well-known/openid-configuration")
    );
    assert_eq!(steps[1]["exchange"]["status"], 200);
    // The document lacks S256: reported. The token request went to its token endpoint.
    assert!(checks_failed(&steps[1]).iter().any(|c| c.contains("S256")));
    assert_eq!(steps[2]["exchange"]["url"], format!("{base}/token"));
    assert_eq!(steps[2]["exchange"]["status"], 404);
}

#[tokio::test]
async fn a_hostile_document_is_reported_and_never_trusted_silently() {
    // Another issuer: the document MUST NOT be used (RFC 8414 §3.3), so nothing else is sent.
    let wrong = fake("/.well-known/oauth-authorization-server", |_| {
        json!({"issuer": "https://login.example", "token_endpoint": "https://login.example/token"})
    })
    .await;
    let h = harness().await;
    let mut b = Browser::new(&h);
    let view = discover(&mut b, &wrong).await.unwrap();
    let steps = view["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 1, "the token request was not sent");
    assert!(
        checks_failed(&steps[0])
            .iter()
            .any(|c| c.contains("MUST NOT be used"))
    );
    assert!(view["token"].is_null());

    // Endpoints on another host: usable, and said.
    let elsewhere = fake("/.well-known/oauth-authorization-server", |base| {
        json!({"issuer": base, "token_endpoint": "http://127.0.0.2:9/token",
               "response_types_supported": ["code"], "code_challenge_methods_supported": ["S256"]})
    })
    .await;
    let mut b = Browser::new(&h);
    let view = step(
        &mut b,
        &[
            ("flow", "client-credentials"),
            ("step", "discover"),
            ("target", &elsewhere),
        ],
    )
    .await
    .unwrap();
    let failed = checks_failed(&view["steps"][0]);
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert!(failed[0].contains("another host (127.0.0.2)"));

    // A huge document is not read at all.
    let huge = fake(
        "/.well-known/oauth-authorization-server",
        |base| json!({"issuer": base, "padding": "x".repeat(2 * 1024 * 1024)}),
    )
    .await;
    let mut b = Browser::new(&h);
    let err = discover(&mut b, &huge).await.unwrap_err();
    assert!(err.contains("larger than"), "{err}");
}

#[tokio::test]
async fn a_redirect_is_recorded_and_not_followed() {
    use axum::response::Redirect;
    let base = serve(axum::Router::new().route(
        "/.well-known/oauth-authorization-server",
        axum::routing::get(|| async {
            Redirect::temporary("http://169.254.169.254/latest/meta-data")
        }),
    ))
    .await;
    let h = harness().await;
    let mut b = Browser::new(&h);
    let view = discover(&mut b, &base).await.unwrap();
    let first = &view["steps"][0]["exchange"];
    assert_eq!(first["status"], 307);
    assert!(
        first["response"]["headers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h[0] == "location" && h[1] == "http://169.254.169.254/latest/meta-data")
    );
}

#[tokio::test]
async fn a_server_that_is_down_or_slow_gets_a_clear_message_and_no_hang() {
    let h = harness_with(&["--outbound-timeout-seconds", "1"]).await;
    let mut b = Browser::new(&h);
    // Nothing listens on port 9 of loopback.
    let err = discover(&mut b, "http://127.0.0.1:9").await.unwrap_err();
    assert!(err.contains("could not connect to 127.0.0.1:9"), "{err}");

    let slow = serve(axum::Router::new().route(
        "/.well-known/oauth-authorization-server",
        axum::routing::get(|| async {
            tokio::time::sleep(std::time::Duration::from_secs(30)).await;
            "late"
        }),
    ))
    .await;
    let started = std::time::Instant::now();
    let err = discover(&mut b, &slow).await.unwrap_err();
    assert!(err.contains("did not answer within 1 s"), "{err}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}

#[tokio::test]
async fn the_relay_policy_refuses_metadata_addresses_and_what_the_operator_narrows() {
    let h = harness().await;
    let mut b = Browser::new(&h);
    for refused in [
        "http://169.254.169.254",
        "http://[::ffff:169.254.169.254]",
        "http://[fe80::1]:8080",
    ] {
        let err = discover(&mut b, refused).await.unwrap_err();
        assert!(
            err.contains("not one this server reaches"),
            "{refused}: {err}"
        );
    }
    let err = discover(&mut b, "file:///etc/passwd").await.unwrap_err();
    assert!(err.contains("http or https"), "{err}");

    // A public deployment refuses loopback, by address and by a name that resolves to it.
    let local = fake(
        "/.well-known/oauth-authorization-server",
        |base| json!({"issuer": base}),
    )
    .await;
    let h = harness_with(&["--outbound-public-only"]).await;
    let mut b = Browser::new(&h);
    let err = discover(&mut b, &local).await.unwrap_err();
    assert!(err.contains("loopback"), "{err}");
    let port = local.rsplit(':').next().unwrap();
    let err = discover(&mut b, &format!("http://localhost:{port}"))
        .await
        .unwrap_err();
    assert!(err.contains("loopback"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_inspector_finds_keys_by_iss_and_introspects_at_another_server() {
    let p = partner().await;
    let h = harness().await;
    let mut b = Browser::new(&h);
    // A token from the partner, obtained as any client would.
    let view = step(
        &mut b,
        &[
            ("flow", "client-credentials"),
            ("step", "token"),
            ("target", &p.url),
            ("client_id", "service-client-opaque"),
            ("client_secret", "service-secret"),
        ],
    )
    .await
    .unwrap();
    let opaque = view["token"].as_str().unwrap().to_owned();
    let view = step(
        &mut b,
        &[
            ("flow", "client-credentials"),
            ("step", "token"),
            ("target", &p.url),
            ("client_id", "service-client"),
            ("client_secret", "service-secret"),
        ],
    )
    .await
    .unwrap();
    let jwt = view["token"].as_str().unwrap().to_owned();

    // Keys by iss: the partner's discovery document, then its jwks_uri.
    let r = b
        .call_form("/api/tools/inspect-issuer", &[("token", &jwt)])
        .await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.text());
    let i = r.json();
    assert_eq!(i["signature_valid"], true, "{i}");
    let note = i["signature_note"].as_str().unwrap();
    assert!(
        note.contains(&format!("{}/.well-known/jwks.json", p.url)),
        "{note}"
    );
    assert!(note.contains("oauth-authorization-server"), "{note}");
    // This server's own token is checked with its own keys.
    let own = h.service_token().await;
    let r = b
        .call_form("/api/tools/inspect-issuer", &[("token", &own)])
        .await;
    assert_eq!(r.json()["signature_valid"], true);
    // A token whose iss names nothing reachable is refused with the reason.
    let forged = format!(
        "eyJhbGciOiJSUzI1NiJ9.{}.c2ln",
        base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            br#"{"iss":"http://169.254.169.254"}"#
        )
    );
    let r = b
        .call_form("/api/tools/inspect-issuer", &[("token", &forged)])
        .await;
    assert!(
        r.text().contains("not one this server reaches"),
        "{}",
        r.text()
    );

    // Introspection at the partner, as the partner's client the token was issued to.
    let r = b
        .call_form(
            "/api/tools/introspect",
            &[
                ("server", &p.url),
                ("client_id", "service-client-opaque"),
                ("client_secret", "service-secret"),
                ("token", &opaque),
            ],
        )
        .await;
    let x = r.json();
    assert_eq!(x["status"], 200, "{x}");
    assert_eq!(x["url"], format!("{}/auth/introspect", p.url));
    assert!(
        x["response"]["body"]
            .as_str()
            .unwrap()
            .contains("\"active\":true"),
        "{x}"
    );
    assert_eq!(checks_failed(&json!({"exchange": x})), Vec::<String>::new());
    // The wrong secret: the partner's own 401.
    let r = b
        .call_form(
            "/api/tools/introspect",
            &[
                ("server", &p.url),
                ("client_id", "service-client-opaque"),
                ("client_secret", "nope"),
                ("token", &opaque),
            ],
        )
        .await;
    assert_eq!(r.json()["status"], 401);
    // This server knows nothing of the partner's token.
    let r = b
        .call_form(
            "/api/tools/introspect",
            &[
                ("server", ""),
                ("client_id", "service-client-opaque"),
                ("client_secret", "service-secret"),
                ("token", &opaque),
            ],
        )
        .await;
    assert!(
        r.json()["response"]["body"]
            .as_str()
            .unwrap()
            .contains("\"active\":false")
    );
}
