//! The front channel of a sandbox run, recorded by the server: the authorization request, the
//! sign-in and consent posts and the redirect back join the run of the browser that started
//! it, credentials masked; the server's pages carry the sandbox banner for that browser only;
//! a real client's request, or another browser's, passes untouched and unrecorded.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;

use common::browser::{Browser, hidden, location};
use common::*;
use serde_json::Value;

const CALLBACK: &str = "http://sandbox.test/sandbox/callback";

fn authorize_query(state: &str, extra: &str) -> String {
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("response_type", "code")
        .append_pair("client_id", "web-client")
        .append_pair("redirect_uri", CALLBACK)
        .append_pair("scope", "openid patient.read")
        .append_pair("state", state)
        .append_pair("nonce", "n-1")
        .append_pair(
            "code_challenge",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        )
        .append_pair("code_challenge_method", "S256")
        .finish();
    format!("{query}{extra}")
}

/// Asks the sandbox to record `b`'s front channel of `flow` as `client_id` with `state`,
/// continuing `run` (empty for a new one).
async fn watch(b: &mut Browser<'_>, flow: &str, run: &str, client_id: &str, state: &str) -> Reply {
    b.call_form(
        "/api/sandbox/front-channel",
        &[
            ("flow", flow),
            ("run", run),
            ("client_id", client_id),
            ("state", state),
        ],
    )
    .await
}

/// A browser that has opened a page (and so holds a visitor cookie) and asked the sandbox to
/// record its code-flow front channel for `state`; returns the run's id.
async fn watching<'a>(h: &'a Harness, state: &str) -> (Browser<'a>, String) {
    let mut b = Browser::new(h);
    assert_eq!(b.get("/").await.status, 200);
    let r = watch(&mut b, "authorization-code", "", "web-client", state).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let id = r.json()[0].as_str().unwrap().to_owned();
    (b, id)
}

async fn watched_steps(b: &mut Browser<'_>, state: &str) -> Vec<Value> {
    let r = b
        .call_form(
            "/api/sandbox/watched-run",
            &[("flow", "authorization-code"), ("state", state)],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["steps"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn the_front_channel_joins_the_run_that_started_it_with_credentials_masked() {
    let h = harness().await;
    let (mut b, run) = watching(&h, "state-1").await;

    let page = b
        .get(&format!(
            "/auth/authorize?{}",
            authorize_query("state-1", "")
        ))
        .await;
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(html.contains("Sandbox run: arrow 2 of 12"), "{html}");
    assert!(html.contains("never sees this password"));
    assert!(html.contains(&format!("/sandbox/authorization-code?run={run}")));

    let after_login = b.login(&page, "alice", "alice-password").await;
    assert_eq!(after_login.status, 303);
    let consent_at = after_login.header("location").unwrap().to_owned();
    let consent_page = b.get(&consent_at).await;
    assert!(consent_page.text().contains("arrow 3 of 12"));
    let html = consent_page.text();
    let back = b
        .post(
            "/auth/consent",
            &[
                ("request", &hidden(&html, "request")),
                ("csrf", &hidden(&html, "csrf")),
                ("decision", "approve"),
            ],
        )
        .await;
    assert_eq!(back.status, 303);
    let (to, query, _) = location(&back);
    assert_eq!(to, CALLBACK);
    assert_eq!(query["state"], "state-1");

    let steps = watched_steps(&mut b, "state-1").await;
    let titles: Vec<&str> = steps.iter().map(|s| s["title"].as_str().unwrap()).collect();
    assert_eq!(
        titles,
        [
            "1.1 The authorization request",
            "1.2 The sign-in post",
            "1.3 The consent page",
            "1.4 The consent post, and the redirect back",
        ]
    );
    for s in &steps {
        assert_eq!(s["channel"], "front");
        assert_eq!(s["number"], 1);
    }
    assert_eq!(steps[0]["arrows"], serde_json::json!(["authorize"]));
    assert_eq!(
        steps[3]["arrows"],
        serde_json::json!(["consent", "redirect-back"])
    );
    // The authorization request's parameters, explained.
    let params = steps[0]["params"].as_array().unwrap();
    let challenge = params
        .iter()
        .find(|p| p["name"] == "code_challenge")
        .unwrap();
    assert!(challenge["meaning"].as_str().unwrap().contains("RFC 7636"));
    // The checks the authorization endpoint ran are on the card.
    assert!(
        !steps[0]["exchange"]["checks"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // What was stored: no password, no cookie value, but the code in the redirect back.
    let stored = serde_json::to_string(&steps).unwrap();
    assert!(!stored.contains("alice-password"));
    for value in b.cookies.values() {
        assert!(
            !stored.contains(value.as_str()),
            "a cookie value was recorded"
        );
    }
    assert!(stored.contains(&query["code"]));
    let response = &steps[3]["exchange"]["response"];
    assert!(
        response["start_line"]
            .as_str()
            .unwrap()
            .starts_with("HTTP/1.1 303")
    );

    // The run the flow page opens is the same run, with the same steps.
    let opened = b.call_form("/api/sandbox/open-run", &[("id", &run)]).await;
    assert_eq!(opened.json()["steps"].as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn another_browser_and_a_real_client_are_neither_recorded_nor_bannered() {
    let h = harness().await;
    let (mut mine, _) = watching(&h, "shared-state").await;

    // Another browser sends the very same client_id and state: not watched for it.
    let mut other = Browser::new(&h);
    other.get("/").await;
    let page = other
        .get(&format!(
            "/auth/authorize?{}",
            authorize_query("shared-state", "")
        ))
        .await;
    assert_eq!(page.status, 200);
    assert!(!page.text().contains("Sandbox run"));
    let done = other.login(&page, "bob", "bob-password").await;
    assert_eq!(done.status, 303);
    assert!(watched_steps(&mut other, "shared-state").await.is_empty());
    assert!(watched_steps(&mut mine, "shared-state").await.is_empty());

    // A request with no cookies at all (a real client's first visit) is plain.
    let plain = h
        .get(
            &format!("/auth/authorize?{}", authorize_query("shared-state", "")),
            None,
        )
        .await;
    assert_eq!(plain.status, 200);
    assert!(!plain.text().contains("Sandbox run"));
}

#[tokio::test]
async fn prompt_consent_records_a_second_front_channel_as_the_next_step() {
    let h = harness().await;
    let (mut b, run) = watching(&h, "first").await;
    let done = b
        .authorize(&authorize_query("first", ""), "alice", "alice-password")
        .await;
    assert_eq!(done.status, 303);
    // The same run, watched again for step 2 with prompt=consent: the person is signed in, so
    // the authorization request answers with the consent page at once.
    let r = watch(&mut b, "authorization-code", &run, "web-client", "second").await;
    assert_eq!(r.json()[0], Value::String(run.clone()));
    let page = b
        .get(&format!(
            "/auth/authorize?{}",
            authorize_query("second", "&prompt=consent")
        ))
        .await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("arrow 3 of 12"), "the consent page");
    let steps = watched_steps(&mut b, "second").await;
    let last = steps.last().unwrap();
    assert_eq!(last["title"], "2.1 The authorization request");
    assert!(last["lesson"].as_str().unwrap().contains("consent page"));
    assert!(
        last["params"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "prompt" && p["value"] == "consent")
    );
}

#[tokio::test]
async fn sandbox_refusals_are_typed_400s() {
    let h = harness().await;
    let mut b = Browser::new(&h);
    b.get("/").await;
    let r = watch(&mut b, "client-credentials", "", "web-client", "s").await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["kind"], "refused");
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap()
            .contains("no front channel")
    );
    let r = b
        .call_form(
            "/api/sandbox/step",
            &[("input[flow]", "basic"), ("input[step]", "no-such-step")],
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(r.json()["kind"], "refused");
    let r = b
        .call_form(
            "/api/sandbox/step",
            &[("input[flow]", "basic"), ("input[step]", "refresh")],
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json(),
        serde_json::json!({"kind": "refused", "message": "the basic flow has no step \"refresh\""})
    );
}

#[tokio::test]
async fn the_sign_out_page_returns_only_to_the_sandbox() {
    let h = harness().await;
    let mut b = Browser::new(&h);
    let done = b
        .authorize(&authorize_query("x", ""), "alice", "alice-password")
        .await;
    assert_eq!(done.status, 303);
    for (asked, expected) in [
        ("/sandbox/authorization-code", "/sandbox/authorization-code"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/sandbox/../admin", "/"),
    ] {
        let page = b
            .get(&format!(
                "/auth/logout?return_to={}",
                form_urlencoded::byte_serialize(asked.as_bytes()).collect::<String>()
            ))
            .await;
        let csrf = hidden(&page.text(), "csrf");
        assert_eq!(hidden(&page.text(), "return_to"), expected);
        let r = b
            .post("/auth/logout", &[("csrf", &csrf), ("return_to", asked)])
            .await;
        assert_eq!(r.status, 303);
        assert_eq!(r.header("location"), Some(expected), "{asked}");
        // Sign in again for the next round.
        b.authorize(&authorize_query("x", ""), "alice", "alice-password")
            .await;
    }
}

#[tokio::test]
async fn the_implicit_redirect_back_is_recorded_with_its_fragment() {
    let h = harness().await;
    let mut b = Browser::new(&h);
    b.get("/").await;
    let r = watch(&mut b, "implicit", "", "spa-client", "frag-1").await;
    assert_eq!(r.status, 200, "{}", r.text());
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("response_type", "token")
        .append_pair("client_id", "spa-client")
        .append_pair("redirect_uri", CALLBACK)
        .append_pair("scope", "openid patient.read")
        .append_pair("state", "frag-1")
        .finish();
    let done = b.authorize(&query, "bob", "bob-password").await;
    let (_, _, fragment) = location(&done);
    assert!(fragment.contains_key("access_token"));
    let r = b
        .call_form(
            "/api/sandbox/watched-run",
            &[("flow", "implicit"), ("state", "frag-1")],
        )
        .await;
    let steps = r.json()["steps"].as_array().cloned().unwrap();
    let last = steps.last().unwrap();
    assert_eq!(
        last["arrows"].as_array().unwrap().last().unwrap(),
        "redirect-back"
    );
    assert!(
        last["lesson"]
            .as_str()
            .unwrap()
            .contains("token in the fragment")
    );
    let location = last["exchange"]["response"]["headers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h[0] == "location")
        .unwrap()[1]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(location.contains("#access_token="), "{location}");
    // The same state, asked as the other flow, finds nothing.
    let other = b
        .call_form(
            "/api/sandbox/watched-run",
            &[("flow", "authorization-code"), ("state", "frag-1")],
        )
        .await;
    assert_eq!(other.json(), Value::Null);
}
