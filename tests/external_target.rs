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
