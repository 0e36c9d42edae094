//! The sandbox's server side: it sends for real through the same routes and layers as the
//! network, records both directions, and checks token signatures against the JWKS.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;
use app::sandbox::backend::SandboxBackend;
use app::sandbox::catalogue::{ArrowId, Flow};
use app::sandbox::requests::{self, ClientAuth};
use common::*;
use oauth_sandbox::sandbox::backend::InProcess;

/// These tests run one at a time. Run in parallel, each on its own tokio runtime in this one
/// process, the page-rendering test hung about once in twenty runs under load, with every
/// thread idle; alone (`--test-threads=1`) it never did in forty runs. A server has one runtime,
/// so this is kept to the test process until its cause is found.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner())
}

fn backend(h: &Harness) -> InProcess {
    InProcess::new(h.state.clone(), h.router.clone())
}

#[tokio::test]
#[allow(clippy::await_holding_lock)] // each test has a thread and a runtime of its own
async fn an_exchange_is_recorded_as_it_crossed() {
    let _serial = one_at_a_time();
    let h = harness().await;
    let b = backend(&h);
    let ex = b
        .send(
            Default::default(),
            requests::client_credentials(
                ClientAuth::Basic,
                "service-client",
                "service-secret",
                "patient.read",
            ),
        )
        .await
        .unwrap();
    assert_eq!(ex.status, 200);
    assert_eq!(ex.request.start_line, "POST /auth/token HTTP/1.1");
    assert!(
        ex.request
            .headers
            .iter()
            .any(|(k, v)| k == "authorization" && v.starts_with("Basic "))
    );
    assert_eq!(
        ex.request.body,
        "grant_type=client_credentials&scope=patient.read"
    );
    assert_eq!(ex.response.start_line, "HTTP/1.1 200 OK");
    let header = |name: &str| {
        ex.response
            .headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(header("cache-control"), Some("no-store"));
    assert_eq!(
        header("x-frame-options"),
        Some("DENY"),
        "the same layers as the network"
    );
    assert!(header("x-request-id").is_some());
    assert!(ex.response.body.contains("\"token_type\":\"Bearer\""));
    assert!(ex.curl.starts_with("curl -si") && ex.curl.contains("-X POST"));
    assert!(ex.curl.contains("'http://sandbox.test/auth/token'"));

    let token = requests::access_token_of(&ex.response.body).unwrap();
    let api = b
        .send(Default::default(), requests::api_call(&token))
        .await
        .unwrap();
    assert_eq!(api.status, 200);
    let wrong = b
        .send(
            Default::default(),
            requests::client_credentials(ClientAuth::Post, "service-client", "nope", ""),
        )
        .await
        .unwrap();
    assert_eq!(wrong.status, 401);
    assert!(wrong.response.body.contains("invalid_client"));
}

#[tokio::test]
#[allow(clippy::await_holding_lock)] // each test has a thread and a runtime of its own
async fn tokens_are_decoded_and_their_signatures_checked() {
    let _serial = one_at_a_time();
    let h = harness().await;
    let b = backend(&h);
    let token = h.service_token().await;
    let ok = b.inspect(token.clone()).await;
    assert!(ok.is_jwt && ok.signature_valid, "{}", ok.signature_note);
    assert_eq!(ok.alg.as_deref(), Some("RS256"));
    assert_eq!(ok.exp, Some(T0 + 3600));
    let jti = ok.claims.iter().find(|c| c.name == "jti").unwrap();
    assert!(jti.help.contains("revoke"));
    let exp = ok.claims.iter().find(|c| c.name == "exp").unwrap();
    assert_eq!(exp.when.as_deref(), Some("2027-01-15T09:00:00Z"));

    // Change one claim: the signature no longer verifies.
    let parts: Vec<&str> = token.split('.').collect();
    use base64::Engine;
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut claims: serde_json::Value =
        serde_json::from_slice(&engine.decode(parts[1]).unwrap()).unwrap();
    claims["scope"] = "patient.read admin".into();
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        engine.encode(claims.to_string()),
        parts[2]
    );
    let bad = b.inspect(forged).await;
    assert!(bad.is_jwt && !bad.signature_valid);

    let opaque = h
        .token(
            ("service-client-opaque", "service-secret"),
            "grant_type=client_credentials",
        )
        .await;
    let opaque = b
        .inspect(opaque.json()["access_token"].as_str().unwrap().to_owned())
        .await;
    assert!(!opaque.is_jwt);
}

#[tokio::test]
#[allow(clippy::await_holding_lock)] // each test has a thread and a runtime of its own
async fn runs_are_kept_and_exported_with_secrets_masked_unless_asked() {
    let _serial = one_at_a_time();
    use app::sandbox::wire::RunStep;
    let h = harness().await;
    let b = backend(&h);
    let ex = b
        .send(
            Default::default(),
            requests::password(
                ClientAuth::Post,
                "password-client",
                "password-secret",
                "alice",
                "alice-password",
                "",
            ),
        )
        .await
        .unwrap();
    let step = RunStep {
        number: 1,
        title: "1. Get tokens".into(),
        lesson: "why".into(),
        arrows: vec![ArrowId::TokenRequest, ArrowId::TokenResponse],
        exchange: ex,
        ..Default::default()
    };
    let id = b
        .save_run(visitor(), None, Flow::Password, vec![step.clone()])
        .await
        .unwrap();
    // Saving again with the id replaces the steps of the same run.
    assert_eq!(
        b.save_run(
            visitor(),
            Some(id.clone()),
            Flow::Password,
            vec![step.clone(), step]
        )
        .await
        .unwrap(),
        id
    );
    let runs = b.runs(visitor()).await.unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].steps.len(), 2);

    let md = visit(&h, &format!("/sandbox/runs/{id}/export.md")).await;
    assert_eq!(md.status, 200);
    assert_eq!(
        md.header("content-type"),
        Some("text/markdown; charset=utf-8")
    );
    let text = md.text();
    assert!(text.contains("## 1. Get tokens") && text.contains("POST /auth/token HTTP/1.1"));
    assert!(text.contains("- ✓ the client secret matches its argon2 hash (RFC 6749 §2.3.1)"));
    for secret in ["password-secret", "alice-password"] {
        assert!(
            !text.contains(secret),
            "{secret} leaked into the masked export"
        );
    }
    let sh = visit(&h, &format!("/sandbox/runs/{id}/export.sh"))
        .await
        .text();
    assert!(
        sh.starts_with("#!/bin/sh") && sh.contains("curl -si") && !sh.contains("alice-password")
    );
    let revealed = visit(&h, &format!("/sandbox/runs/{id}/export.sh?reveal=true"))
        .await
        .text();
    assert!(revealed.contains("alice-password"));
    assert_eq!(visit(&h, "/sandbox/runs/nope/export.md").await.status, 404);
}

/// The cookie of the one browser these tests play: runs belong to it.
const VISITOR: &str = "sandbox_visitor=a-browser-of-the-sandbox-backend-tests-0123456789";

fn visitor() -> axum::http::HeaderMap {
    let mut headers = axum::http::HeaderMap::new();
    headers.insert("cookie", VISITOR.parse().unwrap());
    headers
}

/// A GET from that browser.
async fn visit(h: &Harness, path: &str) -> Reply {
    h.send(
        axum::http::Request::get(path)
            .header("cookie", VISITOR)
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await
}

/// Posts the step form as a browser without script would.
async fn post_step(h: &Harness, fields: &[(&str, &str)]) -> Reply {
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields.iter().map(|(k, v)| (format!("input[{k}]"), *v)))
        .finish();
    h.send(
        axum::http::Request::post("/api/sandbox/step")
            .header("cookie", VISITOR)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "text/html,application/xhtml+xml")
            .header("referer", "http://sandbox.test/sandbox/client-credentials")
            .body(axum::body::Body::from(body))
            .unwrap(),
    )
    .await
}

#[tokio::test]
#[allow(clippy::await_holding_lock)] // each test has a thread and a runtime of its own
async fn steps_run_from_a_plain_form_post_before_hydration() {
    let _serial = one_at_a_time();
    let h = harness().await;
    let client = [
        ("flow", "client-credentials"),
        ("client_id", "service-client"),
        ("client_secret", "service-secret"),
        ("auth", "basic"),
        ("scope", "patient.read"),
    ];
    let mut fields = client.to_vec();
    fields.push(("step", "token"));
    let r = post_step(&h, &fields).await;
    assert_eq!(r.status, 302, "{}", r.text());
    let location = r.header("location").unwrap().to_owned();
    let run = location
        .strip_prefix("/sandbox/client-credentials?run=")
        .and_then(|rest| rest.strip_suffix("#results"))
        .unwrap_or_else(|| panic!("redirected to {location}"))
        .to_owned();

    // The page the browser lands on shows the run: the exchange and the decoded token.
    let page = visit(&h, &format!("/sandbox/client-credentials?run={run}")).await;
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(html.contains("POST /auth/token HTTP/1.1"), "{html}");
    assert!(html.contains("HTTP/1.1 200 OK"));
    assert!(html.contains("signature"), "the token is decoded");
    assert!(html.contains(&format!("name=\"input[run]\" value=\"{run}\"")));

    // The next steps continue the same run with the token it holds, revocation included.
    for (step, status) in [("api", "200 OK"), ("revoke", "200 OK"), ("api", "401")] {
        let mut fields = client.to_vec();
        fields.extend([("step", step), ("run", run.as_str())]);
        let r = post_step(&h, &fields).await;
        assert_eq!(r.status, 302);
        let page = visit(&h, &format!("/sandbox/client-credentials?run={run}"))
            .await
            .text();
        assert!(page.contains(&format!("HTTP/1.1 {status}")), "{step}");
    }
    let html = visit(&h, &format!("/sandbox/client-credentials?run={run}"))
        .await
        .text();
    assert!(html.contains("Call the API after revoking"));
    assert!(html.contains("invalid_token"));

    // A step the run cannot take yet is refused with a reason, not sent.
    let r = post_step(
        &h,
        &[
            ("flow", "password"),
            ("step", "refresh"),
            ("client_id", "x"),
        ],
    )
    .await;
    assert_eq!(r.status, 302);
    let back = r.header("location").unwrap();
    let path = back.strip_prefix("http://sandbox.test").unwrap();
    assert!(path.contains("__err="), "{path}");
    let html = visit(&h, path).await.text();
    assert!(
        html.contains("this step needs a refresh token"),
        "the page says why: {html}"
    );
}
