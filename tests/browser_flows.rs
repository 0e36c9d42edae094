//! The browser flows, driven through the real HTML forms by a cookie-keeping client:
//! authorization code with PKCE, implicit, OpenID Connect, login, consent and their defences.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;
use common::browser::{Browser, hidden, location};
use common::*;
use oauth_sandbox::oauth::pkce::s256;

const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CALLBACK: &str = "http://sandbox.test/sandbox/callback";

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn code_query(client: &str, state: &str, extra: &str) -> String {
    format!(
        "response_type=code&client_id={client}&redirect_uri={}&scope=openid%20profile%20email%20patient.read&state={}&nonce=n-0S6&code_challenge={}&code_challenge_method=S256{extra}",
        enc(CALLBACK),
        enc(state),
        s256(VERIFIER)
    )
}

async fn redeem(
    h: &Harness,
    client: (&str, Option<&str>),
    code: &str,
    verifier: Option<&str>,
) -> Reply {
    let mut body = format!(
        "grant_type=authorization_code&code={}&redirect_uri={}",
        enc(code),
        enc(CALLBACK)
    );
    if let Some(v) = verifier {
        body.push_str(&format!("&code_verifier={v}"));
    }
    match client.1 {
        Some(secret) => h.token((client.0, secret), &body).await,
        None => {
            h.post_form(
                "/auth/token",
                None,
                &format!("{body}&client_id={}", client.0),
            )
            .await
        }
    }
}

#[tokio::test]
async fn code_flow_with_pkce_state_iss_and_id_token() {
    let h = harness().await;
    let mut b = Browser::new(&h);
    let state = "a b&c=d/é%\"<>#?+";
    let r = b
        .authorize(
            &code_query("web-client", state, ""),
            "alice",
            "alice-password",
        )
        .await;
    let (base, q, frag) = location(&r);
    assert_eq!(base, CALLBACK);
    assert!(frag.is_empty(), "the code flow answers in the query");
    assert_eq!(q["state"], state, "state round-trips byte for byte");
    assert_eq!(q["iss"], ISSUER, "RFC 9207");
    let code = q["code"].clone();

    let t = redeem(
        &h,
        ("web-client", Some("web-secret")),
        &code,
        Some(VERIFIER),
    )
    .await;
    assert_eq!(t.status, 200, "{}", t.text());
    let body = t.json();
    assert!(body["refresh_token"].is_string());
    let access = body["access_token"].as_str().unwrap();

    // The ID token verifies against the JWKS and carries the OIDC claims.
    let id_token = body["id_token"].as_str().unwrap();
    let header = jsonwebtoken::decode_header(id_token).unwrap();
    let jwks: jsonwebtoken::jwk::JwkSet =
        serde_json::from_slice(&h.get("/.well-known/jwks.json", None).await.body).unwrap();
    let key =
        jsonwebtoken::DecodingKey::from_jwk(jwks.find(header.kid.as_deref().unwrap()).unwrap())
            .unwrap();
    let mut v = jsonwebtoken::Validation::new(header.alg);
    v.set_audience(&["web-client"]);
    v.set_issuer(&[ISSUER]);
    v.validate_exp = false;
    let claims = jsonwebtoken::decode::<serde_json::Value>(id_token, &key, &v)
        .unwrap()
        .claims;
    assert_eq!(claims["sub"], "alice");
    assert_eq!(claims["nonce"], "n-0S6");
    assert_eq!(claims["azp"], "web-client");
    assert_eq!(claims["auth_time"], T0);
    assert_eq!(
        claims["at_hash"],
        oauth_sandbox::oauth::id_token::at_hash(access)
    );

    // userinfo
    let u = h
        .get("/auth/userinfo", Some(&format!("Bearer {access}")))
        .await;
    assert_eq!(u.status, 200, "{}", u.text());
    assert_eq!(
        u.json(),
        serde_json::json!({"sub": "alice", "preferred_username": "alice", "name": "Alice Anderson",
                           "email": "alice@example.org", "email_verified": false})
    );
    assert_eq!(
        h.get("/fhir/Patient", Some(&format!("Bearer {access}")))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn a_replayed_code_fails_and_revokes_its_tokens() {
    let h = harness().await;
    let mut b = Browser::new(&h);
    let r = b
        .authorize(
            &code_query("web-client", "s", ""),
            "alice",
            "alice-password",
        )
        .await;
    let code = location(&r).1["code"].clone();
    let first = redeem(
        &h,
        ("web-client", Some("web-secret")),
        &code,
        Some(VERIFIER),
    )
    .await;
    assert_eq!(first.status, 200);
    let access = first.json()["access_token"].as_str().unwrap().to_owned();
    let refresh = first.json()["refresh_token"].as_str().unwrap().to_owned();
    redeem(
        &h,
        ("web-client", Some("web-secret")),
        &code,
        Some(VERIFIER),
    )
    .await
    .assert_error(400, "invalid_grant");
    assert_eq!(
        h.get("/fhir/Patient", Some(&format!("Bearer {access}")))
            .await
            .status,
        401
    );
    h.token(
        ("web-client", "web-secret"),
        &format!("grant_type=refresh_token&refresh_token={refresh}"),
    )
    .await
    .assert_error(400, "invalid_grant");
}

#[tokio::test]
async fn pkce_failures() {
    let h = harness().await;
    let mut b = Browser::new(&h);
    // A wrong verifier.
    let r = b
        .authorize(
            &code_query("spa-client", "s", ""),
            "alice",
            "alice-password",
        )
        .await;
    let code = location(&r).1["code"].clone();
    let wrong = "x".repeat(43);
    redeem(&h, ("spa-client", None), &code, Some(&wrong))
        .await
        .assert_error(400, "invalid_grant");
    // A malformed verifier.
    let r = b
        .authorize(
            &code_query("spa-client", "s", ""),
            "alice",
            "alice-password",
        )
        .await;
    let code = location(&r).1["code"].clone();
    redeem(&h, ("spa-client", None), &code, Some("short"))
        .await
        .assert_error(400, "invalid_request");
    // A missing verifier.
    let r = b
        .authorize(
            &code_query("spa-client", "s", ""),
            "alice",
            "alice-password",
        )
        .await;
    let code = location(&r).1["code"].clone();
    redeem(&h, ("spa-client", None), &code, None)
        .await
        .assert_error(400, "invalid_grant");
    // The public client must send a challenge at all.
    let q = format!(
        "response_type=code&client_id=spa-client&redirect_uri={}&state=s",
        enc(CALLBACK)
    );
    let r = b.get(&format!("/auth/authorize?{q}")).await;
    let (_, q, _) = location(&r);
    assert_eq!(q["error"], "invalid_request");
    assert_eq!(q["state"], "s");
    // plain is refused unless the client allows it.
    let q = format!(
        "response_type=code&client_id=spa-client&redirect_uri={}&code_challenge={VERIFIER}&code_challenge_method=plain",
        enc(CALLBACK)
    );
    assert_eq!(
        location(&b.get(&format!("/auth/authorize?{q}")).await).1["error"],
        "invalid_request"
    );
}

#[tokio::test]
async fn pkce_downgrade_is_refused() {
    let h = harness().await;
    h.admin(
        "PUT",
        "/Client/legacy-web",
        Some(serde_json::json!({
            "client_name": "Legacy", "client_secret": "legacy-secret-1", "require_pkce": false,
            "grant_types": ["authorization_code"], "redirect_uris": [CALLBACK], "scope": "patient.read", "first_party": true
        })),
    )
    .await;
    let mut b = Browser::new(&h);
    let q = format!(
        "response_type=code&client_id=legacy-web&redirect_uri={}",
        enc(CALLBACK)
    );
    let r = b.authorize(&q, "alice", "alice-password").await;
    let code = location(&r).1["code"].clone();
    // RFC 9700 §2.1.1: a verifier without a challenge is rejected.
    redeem(
        &h,
        ("legacy-web", Some("legacy-secret-1")),
        &code,
        Some(VERIFIER),
    )
    .await
    .assert_error(400, "invalid_grant");
}

#[tokio::test]
async fn bad_redirect_uris_are_never_redirected_to() {
    let h = harness().await;
    let mut b = Browser::new(&h);
    for (uri, why) in [
        ("https://evil.example/cb", "unregistered"),
        (
            "http://sandbox.test/sandbox/callback/extra",
            "prefix-extended",
        ),
        ("http://sandbox.test/sandbox/callback?x=1", "query added"),
        ("http://sandbox.test/sandbox/callbacK", "case changed"),
    ] {
        let q = format!(
            "response_type=code&client_id=web-client&redirect_uri={}&state=s",
            enc(uri)
        );
        let r = b.get(&format!("/auth/authorize?{q}")).await;
        assert_eq!(r.status, 400, "{why}");
        assert!(r.header("location").is_none(), "{why}: never redirected");
        let html = r.text();
        assert!(html.contains("redirect_uri"), "{why}: names the field");
        assert!(
            html.contains("http://sandbox.test/sandbox/callback"),
            "{why}: shows what is registered"
        );
    }
    // Missing, while two are registered.
    let r = b
        .get("/auth/authorize?response_type=code&client_id=web-client&state=s")
        .await;
    assert_eq!(r.status, 400);
    assert!(r.header("location").is_none());
    // Unknown client.
    let r = b
        .get(&format!(
            "/auth/authorize?response_type=code&client_id=nobody&redirect_uri={}",
            enc(CALLBACK)
        ))
        .await;
    assert_eq!(r.status, 400);
    assert!(r.text().contains("nobody"));
    // Loopback on any port is fine (RFC 8252 §7.3).
    let q = code_query("web-client", "s", "")
        .replace(&enc(CALLBACK), &enc("http://127.0.0.1:49152/callback"));
    let page = b.get(&format!("/auth/authorize?{q}")).await;
    assert_eq!(page.status, 200, "{}", page.text());
}

#[tokio::test]
async fn redirect_uri_is_required_and_checked_at_the_token_endpoint() {
    let h = harness().await;
    let mut b = Browser::new(&h);
    let r = b
        .authorize(
            &code_query("web-client", "s", ""),
            "alice",
            "alice-password",
        )
        .await;
    let code = location(&r).1["code"].clone();
    let body = format!(
        "grant_type=authorization_code&code={}&code_verifier={VERIFIER}",
        enc(&code)
    );
    h.token(("web-client", "web-secret"), &body)
        .await
        .assert_error(400, "invalid_request");
    let other = format!("{body}&redirect_uri={}", enc("http://127.0.0.1/callback"));
    h.token(("web-client", "web-secret"), &other)
        .await
        .assert_error(400, "invalid_grant");
    // A code expires after 60 seconds.
    let r = b
        .authorize(
            &code_query("web-client", "s", ""),
            "alice",
            "alice-password",
        )
        .await;
    let code = location(&r).1["code"].clone();
    h.clock.advance(60);
    redeem(
        &h,
        ("web-client", Some("web-secret")),
        &code,
        Some(VERIFIER),
    )
    .await
    .assert_error(400, "invalid_grant");
    // A code belongs to its client.
    let r = b
        .authorize(
            &code_query("spa-client", "s", ""),
            "alice",
            "alice-password",
        )
        .await;
    let code = location(&r).1["code"].clone();
    redeem(
        &h,
        ("web-client", Some("web-secret")),
        &code,
        Some(VERIFIER),
    )
    .await
    .assert_error(400, "invalid_grant");
}

#[tokio::test]
async fn deny_gives_access_denied_with_state() {
    let h = harness().await;
    let mut b = Browser::new(&h);
    let page = b
        .get(&format!(
            "/auth/authorize?{}",
            code_query("web-client", "keep me", "")
        ))
        .await;
    let after = b.login(&page, "bob", "bob-password").await;
    let r = b.consent(after.header("location").unwrap(), "deny").await;
    assert_eq!(r.status, 303);
    let (_, q, _) = location(&r);
    assert_eq!(q["error"], "access_denied");
    assert_eq!(q["state"], "keep me");
    assert_eq!(q["iss"], ISSUER);
}

#[tokio::test]
async fn implicit_token_arrives_in_the_fragment_only() {
    let h = harness().await;
    let mut b = Browser::new(&h);
    let q = format!(
        "response_type=token&client_id=spa-client&redirect_uri={}&scope=patient.read&state=st",
        enc(CALLBACK)
    );
    let r = b.authorize(&q, "alice", "alice-password").await;
    let (base, query, frag) = location(&r);
    assert_eq!(base, CALLBACK);
    assert!(query.is_empty(), "nothing in the query: {query:?}");
    assert_eq!(frag["token_type"], "Bearer");
    assert_eq!(frag["expires_in"], "900");
    assert_eq!(frag["scope"], "patient.read");
    assert_eq!(frag["state"], "st");
    assert_eq!(frag["iss"], ISSUER);
    assert!(
        !frag.contains_key("refresh_token"),
        "never a refresh token (RFC 6749 §4.2.2)"
    );
    assert_eq!(
        h.get(
            "/fhir/Patient",
            Some(&format!("Bearer {}", frag["access_token"]))
        )
        .await
        .status,
        200
    );
    // Errors of the implicit flow go in the fragment too.
    let q = format!(
        "response_type=token&client_id=spa-client&redirect_uri={}&scope=admin&state=st",
        enc(CALLBACK)
    );
    let r = b.get(&format!("/auth/authorize?{q}")).await;
    let (_, query, frag) = location(&r);
    assert!(query.is_empty());
    assert_eq!(frag["error"], "invalid_scope");
    // A client without the implicit grant may not use it.
    let q = format!(
        "response_type=token&client_id=web-client&redirect_uri={}",
        enc(CALLBACK)
    );
    assert_eq!(
        location(&b.get(&format!("/auth/authorize?{q}")).await).2["error"],
        "unauthorized_client"
    );
}

#[tokio::test]
async fn request_errors_are_redirected_once_the_client_is_verified() {
    let h = harness().await;
    let mut b = Browser::new(&h);
    let base = format!(
        "client_id=web-client&redirect_uri={}&state=s",
        enc(CALLBACK)
    );
    for (query, error) in [
        (
            format!("{base}&response_type=code_id_token"),
            "unsupported_response_type",
        ),
        (base.to_string(), "invalid_request"),
        (
            format!("{base}&response_type=code&scope=a&scope=b"),
            "invalid_request",
        ),
        (
            format!(
                "{base}&response_type=code&code_challenge={}&code_challenge_method=S256&scope=admin",
                s256(VERIFIER)
            ),
            "invalid_scope",
        ),
        (
            format!(
                "{base}&response_type=code&code_challenge={}&code_challenge_method=S512",
                s256(VERIFIER)
            ),
            "invalid_request",
        ),
    ] {
        let r = b.get(&format!("/auth/authorize?{query}")).await;
        assert_eq!(r.status, 302, "{query}: {}", r.text());
        let (_, q, _) = location(&r);
        assert_eq!(q["error"], error, "{query}");
        assert_eq!(q["state"], "s");
        assert_eq!(q["iss"], ISSUER);
    }
    // A repeated client_id cannot be trusted: an error page, not a redirect.
    let r = b
        .get(&format!(
            "/auth/authorize?{base}&client_id=web-client&response_type=code"
        ))
        .await;
    assert_eq!(r.status, 400);
    assert!(r.header("location").is_none());
}

#[tokio::test]
async fn login_and_consent_pages_carry_security_headers_and_csrf() {
    let h = harness().await;
    let mut b = Browser::new(&h);
    let page = b
        .get(&format!(
            "/auth/authorize?{}",
            code_query("web-client", "s", "")
        ))
        .await;
    {
        let r = &page;
        assert_eq!(r.header("x-frame-options"), Some("DENY"));
        assert_eq!(
            r.header("content-security-policy"),
            Some("frame-ancestors 'none'")
        );
        assert_eq!(r.header("cache-control"), Some("no-store"));
    }
    let html = page.text();
    assert!(html.contains("name=\"username\"") && html.contains("name=\"password\""));
    assert!(!hidden(&html, "csrf").is_empty());
    // A forged CSRF token is refused.
    let request = hidden(&html, "request");
    let r = b
        .post(
            "/auth/login",
            &[
                ("request", &request),
                ("csrf", "forged"),
                ("username", "alice"),
                ("password", "alice-password"),
            ],
        )
        .await;
    assert_eq!(r.status, 403);
    // The same form in another browser (no CSRF cookie) is refused too.
    let mut other = Browser::new(&h);
    let csrf = hidden(&html, "csrf");
    let r = other
        .post(
            "/auth/login",
            &[
                ("request", &request),
                ("csrf", &csrf),
                ("username", "alice"),
                ("password", "alice-password"),
            ],
        )
        .await;
    assert_eq!(r.status, 403);
    // The consent page too.
    let after = b.login(&page, "alice", "alice-password").await;
    let session = after
        .headers_all("set-cookie")
        .into_iter()
        .find(|c| c.starts_with("sandbox_session="))
        .unwrap();
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Lax"));
    let consent = b.get(after.header("location").unwrap()).await;
    assert_eq!(consent.header("x-frame-options"), Some("DENY"));
    assert_eq!(
        consent.header("content-security-policy"),
        Some("frame-ancestors 'none'")
    );
    let html = consent.text();
    assert!(html.contains("Demo: web app") && html.contains("see your email address"));
    assert!(html.contains("value=\"approve\"") && html.contains("value=\"deny\""));
}

#[tokio::test]
async fn a_wrong_password_shows_an_error_and_is_rate_limited() {
    let h = harness().await;
    let mut b = Browser::new(&h);
    let page = b
        .get(&format!(
            "/auth/authorize?{}",
            code_query("web-client", "s", "")
        ))
        .await;
    let r = b.login(&page, "alice", "nope").await;
    assert_eq!(r.status, 200);
    assert!(r.header("location").is_none());
    assert!(r.text().contains("The username or password is wrong."));
    // An unknown user gets the same answer.
    let r = b.login(&page, "nobody", "nope").await;
    assert!(r.text().contains("The username or password is wrong."));
    for _ in 0..4 {
        b.login(&page, "alice", "nope").await;
    }
    let r = b.login(&page, "alice", "alice-password").await;
    assert_eq!(
        r.status, 429,
        "the account is locked for the window, even with the right password"
    );
    assert!(r.text().contains("Too many failed sign-ins"));
    h.clock.advance(300);
    assert_eq!(b.login(&page, "alice", "alice-password").await.status, 303);
}

#[tokio::test]
async fn single_sign_on_prompt_max_age_and_logout() {
    let h = harness().await;
    let mut b = Browser::new(&h);
    let q = code_query("web-client", "s", "");
    b.authorize(&q, "alice", "alice-password").await;
    // Signed in and consented: straight back to the client.
    let r = b.get(&format!("/auth/authorize?{q}")).await;
    assert_eq!(r.status, 302);
    assert!(location(&r).1.contains_key("code"));
    // prompt=none works now.
    let r = b.get(&format!("/auth/authorize?{q}&prompt=none")).await;
    assert!(location(&r).1.contains_key("code"));
    // prompt=login asks again; prompt=consent asks for consent again.
    let r = b.get(&format!("/auth/authorize?{q}&prompt=login")).await;
    assert_eq!(r.status, 200);
    assert!(r.text().contains("name=\"password\""));
    let r = b.get(&format!("/auth/authorize?{q}&prompt=consent")).await;
    assert_eq!(r.status, 200);
    assert!(r.text().contains("value=\"approve\""));
    // max_age: the sign-in is too old.
    h.clock.advance(120);
    let r = b.get(&format!("/auth/authorize?{q}&max_age=60")).await;
    assert_eq!(r.status, 200);
    assert!(r.text().contains("name=\"password\""));
    // Wider scope than consented: consent again; with prompt=none that is consent_required.
    let wider = q.replace("patient.read", "patient.read%20offline_access");
    let r = b.get(&format!("/auth/authorize?{wider}&prompt=none")).await;
    assert_eq!(location(&r).1["error"], "consent_required");
    // Logout ends single sign-on: the page asks, its form (with the CSRF token) signs out.
    let page = b.get("/auth/logout").await;
    assert_eq!(page.status, 200);
    let csrf = common::browser::hidden(&page.text(), "csrf");
    let r = b.post("/auth/logout", &[("csrf", &csrf)]).await;
    assert_eq!(r.status, 303);
    let r = b.get(&format!("/auth/authorize?{q}&prompt=none")).await;
    assert_eq!(location(&r).1["error"], "login_required");
    // login_hint prefills the username.
    let r = b.get(&format!("/auth/authorize?{q}&login_hint=bob")).await;
    assert!(r.text().contains("value=\"bob\""));
}

#[tokio::test]
async fn userinfo_needs_openid_and_a_valid_token() {
    let h = harness().await;
    let r = h.get("/auth/userinfo", None).await;
    r.assert_error(401, "invalid_token");
    assert!(r.header("www-authenticate").unwrap().starts_with("Bearer"));
    let svc = h.service_token().await;
    h.get("/auth/userinfo", Some(&format!("Bearer {svc}")))
        .await
        .assert_error(403, "insufficient_scope");
    h.get("/auth/userinfo", Some("Bearer nope"))
        .await
        .assert_error(401, "invalid_token");
}

#[tokio::test]
async fn consent_is_remembered_and_can_be_withdrawn() {
    let h = harness().await;
    let mut b = Browser::new(&h);
    let q = code_query("web-client", "s", "");
    b.authorize(&q, "alice", "alice-password").await;
    let listed = h.admin("GET", "/User/alice/Consent", None).await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.json()[0]["client_id"], "web-client");
    assert_eq!(
        listed.json()[0]["scope"],
        "email openid patient.read profile"
    );
    // Remembered: no consent page.
    assert_eq!(b.get(&format!("/auth/authorize?{q}")).await.status, 302);
    assert_eq!(
        h.admin("DELETE", "/User/alice/Consent/web-client", None)
            .await
            .status,
        204
    );
    assert_eq!(
        h.admin("DELETE", "/User/alice/Consent/web-client", None)
            .await
            .status,
        404
    );
    // Withdrawn: the consent page again.
    let r = b.get(&format!("/auth/authorize?{q}")).await;
    assert_eq!(r.status, 200);
    assert!(r.text().contains("value=\"approve\""));
}

#[tokio::test]
async fn first_party_clients_skip_consent() {
    let h = harness().await;
    h.admin(
        "PUT",
        "/Client/own-app",
        Some(serde_json::json!({
            "client_name": "Own app", "client_secret": "own-secret-123", "first_party": true,
            "grant_types": ["authorization_code"], "redirect_uris": [CALLBACK], "scope": "openid"
        })),
    )
    .await;
    let mut b = Browser::new(&h);
    let q = format!(
        "response_type=code&client_id=own-app&redirect_uri={}&code_challenge={}&code_challenge_method=S256",
        enc(CALLBACK),
        s256(VERIFIER)
    );
    let page = b.get(&format!("/auth/authorize?{q}")).await;
    let r = b.login(&page, "bob", "bob-password").await;
    assert_eq!(r.status, 303);
    assert!(
        location(&r).1.contains_key("code"),
        "straight back with a code"
    );
}
