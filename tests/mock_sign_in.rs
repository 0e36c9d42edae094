//! Mock mode's test sign-in on the authorization server's own page: a seeded user with one
//! click, or any subject with claims that the code's tokens carry; the request's parameters on
//! the page; nothing of it on a real server.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;
use common::browser::{Browser, hidden, location};
use common::*;
use serde_json::Value;

const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const QUERY: &str = "response_type=code&client_id=web-client\
    &redirect_uri=http%3A%2F%2F127.0.0.1%2Fcallback&scope=openid%20profile&state=st-1&nonce=n-1\
    &code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256";

fn claims_of(jwt: &str) -> Value {
    jwt_part(jwt, 1)
}

/// Posts the test sign-in form with `fields`, approves consent, redeems the code.
async fn sign_in_and_redeem(b: &mut Browser<'_>, fields: &[(&str, &str)]) -> Value {
    let page = b.get(&format!("/auth/authorize?{QUERY}")).await;
    let html = page.text();
    let (request, csrf) = (hidden(&html, "request"), hidden(&html, "csrf"));
    let mut form = vec![("request", request.as_str()), ("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    let r = b.post("/auth/login", &form).await;
    assert_eq!(r.status, 303, "{}", r.text());
    let loc = r.header("location").unwrap().to_owned();
    let done = if loc.starts_with("/auth/consent") {
        b.consent(&loc, "approve").await
    } else {
        r
    };
    let (_, query, _) = location(&done);
    assert_eq!(query["state"], "st-1");
    let r = b
        .h
        .token(
            ("web-client", "web-secret"),
            &format!(
                "grant_type=authorization_code&code={}&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcallback&code_verifier={VERIFIER}",
                query["code"]
            ),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
}

#[tokio::test]
async fn the_sign_in_page_offers_the_test_sign_in_in_mock_mode_only() {
    let real = harness().await;
    let page = Browser::new(&real)
        .get(&format!("/auth/authorize?{QUERY}"))
        .await;
    assert!(!page.text().contains("Test sign-in"));

    let h = harness_with(&["--mock"]).await;
    let page = Browser::new(&h)
        .get(&format!("/auth/authorize?{QUERY}"))
        .await;
    let html = page.text();
    assert!(html.contains("Test sign-in (mock mode)"));
    assert!(html.contains("Sign in as alice (Alice Anderson)"));
    assert!(!html.contains("Sign in as admin"), "never the admin");
    // The request's parameters, as the server read them.
    for shown in [
        "code_challenge",
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        "st-1",
        "n-1",
        "openid profile",
    ] {
        assert!(html.contains(shown), "{shown}");
    }
}

#[tokio::test]
async fn one_click_signs_in_a_seeded_user_without_a_password() {
    let h = harness_with(&["--mock"]).await;
    let mut b = Browser::new(&h);
    let tokens = sign_in_and_redeem(&mut b, &[("mock_user", "alice")]).await;
    let id = claims_of(tokens["id_token"].as_str().unwrap());
    assert_eq!(id["sub"], "alice");
    assert_eq!(id["nonce"], "n-1");
    assert_eq!(id["mock"], true);
}

#[tokio::test]
async fn any_subject_signs_in_with_the_claims_typed() {
    let h = harness_with(&["--mock"]).await;
    let mut b = Browser::new(&h);
    let tokens = sign_in_and_redeem(
        &mut b,
        &[
            ("mock_subject", "tester-42"),
            (
                "mock_claims",
                r#"{"tenant": "acme", "email": "t@example.test"}"#,
            ),
        ],
    )
    .await;
    let id = claims_of(tokens["id_token"].as_str().unwrap());
    assert_eq!(id["sub"], "tester-42");
    assert_eq!(id["tenant"], "acme");
    assert_eq!(id["email"], "t@example.test");
    let r = h
        .post_form(
            "/auth/introspect",
            Some(&basic("web-client", "web-secret")),
            &format!("token={}", tokens["access_token"].as_str().unwrap()),
        )
        .await
        .json();
    assert_eq!(
        (r["active"].clone(), r["tenant"].clone()),
        (Value::Bool(true), "acme".into())
    );
    // The refresh token hands the claims on.
    let r = h
        .token(
            ("web-client", "web-secret"),
            &format!(
                "grant_type=refresh_token&refresh_token={}",
                tokens["refresh_token"].as_str().unwrap()
            ),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    // The subject is now a user with no password that could match.
    let r = h
        .token(
            ("password-client", "password-secret"),
            "grant_type=password&username=tester-42&password=!mock-subject",
        )
        .await;
    r.assert_error(400, "invalid_grant");
}

#[tokio::test]
async fn bad_test_sign_ins_are_refused_on_the_page() {
    let h = harness_with(&["--mock"]).await;
    let mut b = Browser::new(&h);
    for (fields, says) in [
        (vec![("mock_user", "nobody")], "There is no user nobody"),
        (vec![("mock_user", "admin")], "There is no user admin"),
        (vec![("mock_subject", "a b")], "The subject must be"),
        (
            vec![("mock_subject", "ok"), ("mock_claims", "[1]")],
            "must be a JSON object",
        ),
        (
            vec![("mock_subject", "ok"), ("mock_claims", r#"{"iss": "x"}"#)],
            "claims: iss",
        ),
    ] {
        let page = b.get(&format!("/auth/authorize?{QUERY}")).await;
        let html = page.text();
        let (request, csrf) = (hidden(&html, "request"), hidden(&html, "csrf"));
        let mut form = vec![("request", request.as_str()), ("csrf", csrf.as_str())];
        form.extend_from_slice(&fields);
        let r = b.post("/auth/login", &form).await;
        assert_eq!(r.status, 200, "{fields:?}");
        assert!(r.text().contains(says), "{fields:?}: {}", r.text());
    }
    // On a real server the mock fields are ignored: a password is still needed.
    let real = harness().await;
    let mut b = Browser::new(&real);
    let page = b.get(&format!("/auth/authorize?{QUERY}")).await;
    let html = page.text();
    let (request, csrf) = (hidden(&html, "request"), hidden(&html, "csrf"));
    let r = b
        .post(
            "/auth/login",
            &[
                ("request", &request),
                ("csrf", &csrf),
                ("mock_user", "alice"),
            ],
        )
        .await;
    assert!(r.text().contains("The username or password is wrong."));
}
