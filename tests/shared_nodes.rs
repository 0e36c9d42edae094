//! Two nodes of one issuer on one database, each with its own memory (caches, key ring, clock),
//! as two servers behind a load balancer: a flow started on one finishes on the other, and a
//! change made through one is seen by the other from its next request on.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;
use common::browser::{Browser, hidden, location};
use common::*;

const REDIRECT: &str = "http://127.0.0.1:8080/callback";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"; // RFC 7636 Appendix B
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/// Opens the sign-in page of a code flow for web-client on `first`, posts the sign-in form to
/// `second`, and returns the consent page's location.
async fn sign_in_across<'a>(
    browser: &mut Browser<'a>,
    first: &'a Harness,
    second: &'a Harness,
    state: &str,
) -> String {
    let query = format!(
        "response_type=code&client_id=web-client&redirect_uri={}&scope=openid%20profile&state={state}&code_challenge={CHALLENGE}&code_challenge_method=S256",
        urlencode(REDIRECT)
    );
    browser.h = first;
    let page = browser.get(&format!("/auth/authorize?{query}")).await;
    assert_eq!(page.status, 200, "{}", page.text());
    browser.h = second;
    let signed_in = browser.login(&page, "alice", "alice-password").await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.text());
    let consent = signed_in.header("location").unwrap().to_owned();
    assert!(consent.starts_with("/auth/consent"), "{consent}");
    consent
}

#[tokio::test]
async fn a_code_flow_started_on_one_node_finishes_on_the_other() {
    let a = harness().await;
    let b = second_node(&a).await;
    let mut browser = Browser::new(&a);
    // The sign-in page from node A, the sign-in form posted to node B.
    let consent = sign_in_across(&mut browser, &a, &b, "s1").await;
    // The consent page and the answer from node A.
    browser.h = &a;
    let back = browser.consent(&consent, "approve").await;
    assert_eq!(back.status, 303, "{}", back.text());
    let (_, params, _) = location(&back);
    assert_eq!(params["state"], "s1");
    // The code redeemed at node B.
    let token = b
        .token(
            ("web-client", "web-secret"),
            &format!(
                "grant_type=authorization_code&code={}&redirect_uri={}&code_verifier={VERIFIER}",
                params["code"],
                urlencode(REDIRECT)
            ),
        )
        .await;
    assert_eq!(token.status, 200, "{}", token.text());
    // The same consent, answered again on node B, completes nothing: a request completes once.
    let again = browser.get(&consent).await;
    assert_eq!(again.status, 400, "{}", again.text());
}

#[tokio::test]
async fn a_consent_answered_on_both_nodes_completes_once() {
    let a = harness().await;
    let b = second_node(&a).await;
    let mut browser = Browser::new(&a);
    let consent = sign_in_across(&mut browser, &a, &a, "s2").await;
    let form = browser.get(&consent).await;
    let (request, csrf) = (
        hidden(&form.text(), "request"),
        hidden(&form.text(), "csrf"),
    );
    let answer = [
        ("request", request.as_str()),
        ("csrf", csrf.as_str()),
        ("decision", "approve"),
    ];
    let first = browser.post("/auth/consent", &answer).await;
    assert_eq!(first.status, 303, "{}", first.text());
    browser.h = &b;
    let second = browser.post("/auth/consent", &answer).await;
    assert_eq!(second.status, 400, "{}", second.text());
}

#[tokio::test]
async fn a_secret_regenerated_or_a_client_deleted_on_one_node_is_refused_on_the_other() {
    let a = harness().await;
    let b = second_node(&a).await;
    let ask = |secret: &str| basic("service-client", secret);
    // Node B knows the client and has verified its secret: both are in its caches.
    let r = b
        .post_form(
            "/auth/token",
            Some(&ask("service-secret")),
            "grant_type=client_credentials",
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let fresh = a
        .admin("POST", "/Client/service-client/$secret", None)
        .await;
    assert_eq!(fresh.status, 200, "{}", fresh.text());
    let new_secret = fresh.json()["client_secret"].as_str().unwrap().to_owned();
    let r = b
        .post_form(
            "/auth/token",
            Some(&ask("service-secret")),
            "grant_type=client_credentials",
        )
        .await;
    r.assert_error(401, "invalid_client");
    let r = b
        .post_form(
            "/auth/token",
            Some(&ask(&new_secret)),
            "grant_type=client_credentials",
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    // Deleted on A: B refuses it on its next request.
    assert_eq!(
        a.admin("DELETE", "/Client/service-client", None)
            .await
            .status,
        204
    );
    let r = b
        .post_form(
            "/auth/token",
            Some(&ask(&new_secret)),
            "grant_type=client_credentials",
        )
        .await;
    r.assert_error(401, "invalid_client");
}

#[tokio::test]
async fn a_key_rotated_on_one_node_verifies_on_the_other() {
    let a = harness().await;
    let b = second_node(&a).await;
    let before = b.get("/.well-known/jwks.json", None).await.json();
    let rotated = a.admin("POST", "/Key/$rotate", None).await;
    assert!(rotated.status.is_success(), "{}", rotated.text());
    // A token node A signs with its new key...
    let token = a.service_token().await;
    let kid = jwt_part(&token, 0)["kid"].as_str().unwrap().to_owned();
    assert!(!before.to_string().contains(&kid));
    // ...is accepted by node B's demo API and introspection at once.
    let r = b
        .get("/fhir/Patient", Some(&format!("Bearer {token}")))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = b
        .post_form(
            "/auth/introspect",
            Some(&basic("service-client", "service-secret")),
            &format!("token={token}"),
        )
        .await;
    assert_eq!(r.json()["active"], true, "{}", r.text());
    // And node B now signs with it too, and publishes it.
    assert!(
        b.get("/.well-known/jwks.json", None)
            .await
            .text()
            .contains(&kid)
    );
    let from_b = b.service_token().await;
    assert_eq!(jwt_part(&from_b, 0)["kid"], kid.as_str());
}

#[tokio::test]
async fn a_key_rotated_elsewhere_is_picked_up_by_the_watch_without_any_token() {
    let a = harness().await;
    let b = second_node(&a).await;
    let old = b.state.keys.current().active.kid.clone();
    a.admin("POST", "/Key/$rotate", None).await;
    assert!(b.state.keys.refresh(&b.state.db).await.unwrap());
    assert_ne!(b.state.keys.current().active.kid, old);
    // Nothing moved since: the next look costs one read and changes nothing.
    assert!(!b.state.keys.refresh(&b.state.db).await.unwrap());
}

#[tokio::test]
async fn a_refresh_token_reused_across_nodes_revokes_the_family() {
    let a = harness().await;
    let b = second_node(&a).await;
    let first = a
        .token(
            ("password-client", "password-secret"),
            "grant_type=password&username=alice&password=alice-password",
        )
        .await
        .json();
    let r1 = first["refresh_token"].as_str().unwrap();
    let second = b
        .token(
            ("password-client", "password-secret"),
            &format!("grant_type=refresh_token&refresh_token={r1}"),
        )
        .await;
    assert_eq!(second.status, 200, "{}", second.text());
    let r2 = second.json()["refresh_token"].as_str().unwrap().to_owned();
    // The first refresh token again, at node A: a reuse; the whole family goes.
    let reuse = a
        .token(
            ("password-client", "password-secret"),
            &format!("grant_type=refresh_token&refresh_token={r1}"),
        )
        .await;
    reuse.assert_error(400, "invalid_grant");
    let after = b
        .token(
            ("password-client", "password-secret"),
            &format!("grant_type=refresh_token&refresh_token={r2}"),
        )
        .await;
    after.assert_error(400, "invalid_grant");
}

#[tokio::test]
async fn both_nodes_share_the_form_keys() {
    let a = harness().await;
    let b = second_node(&a).await;
    assert_eq!(
        a.state.csrf.token("browser", "purpose"),
        b.state.csrf.token("browser", "purpose")
    );
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn a_front_channel_watched_on_one_node_is_seen_by_the_other() {
    use oauth_sandbox::sandbox::recorder::{OwnerKey, Trace};
    let a = harness().await;
    let b = second_node(&a).await;
    let me = OwnerKey::Visitor("visitor-digest".into());
    let trace = Trace {
        run_id: "run-1".into(),
        page: app::sandbox::flow::Page::Flow,
        flow: app::sandbox::catalogue::Flow::AuthorizationCode,
        number: 2,
    };
    assert!(b.state.watches.is_empty(T0).await);
    a.state
        .watches
        .insert(me.clone(), "web-client", "s9", trace.clone(), T0)
        .await
        .unwrap();
    assert!(!b.state.watches.is_empty(T0).await);
    assert_eq!(
        b.state.watches.find(&me, "web-client", "s9", T0).await,
        Some(trace)
    );
}

/// A password grant for alice with `password`.
async fn guess(h: &Harness, password: &str) -> Reply {
    h.token(
        ("password-client", "password-secret"),
        &format!("grant_type=password&username=alice&password={password}"),
    )
    .await
}

#[tokio::test]
async fn guesses_spread_over_two_nodes_count_as_one_guesser() {
    let a = harness().await;
    let b = second_node(&a).await;
    // Three wrong passwords on one node and two on the other: five, the pair's quota.
    for h in [&a, &a, &a, &b, &b] {
        assert_eq!(guess(h, "wrong").await.status, 400);
    }
    // The node that counted the fifth refuses even the right password, before checking it.
    let refused = guess(&b, "alice-password").await;
    assert_eq!(refused.status, 429, "{}", refused.text());
    let wait: i64 = refused.header("retry-after").unwrap().parse().unwrap();
    // The other node refuses it once it read the blocks (each second in a running server).
    a.state.throttle.refresh().await.unwrap();
    assert_eq!(guess(&a, "alice-password").await.status, 429);
    // Both forgive on the same schedule.
    a.clock.advance(wait);
    b.clock.advance(wait);
    assert_eq!(guess(&a, "alice-password").await.status, 200);
    assert_eq!(guess(&b, "alice-password").await.status, 200);
}
