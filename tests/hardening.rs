//! The hardening promises, end to end on the router: error text inside the RFC 6749 §5.2
//! character set everywhere, private runs and masked exports, one throttle on every credential
//! check, RFC 7617 Basic, first_party for admins only, the logout
//! token, the redirect interstitial, health checks and the collector.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, header};
use common::browser::{Browser, hidden, location};
use common::{ADMIN_PASSWORD, Harness, basic, harness, harness_with, json_request};
use oauth_sandbox::oauth::error::allowed_in_error_text;
use serde_json::json;
use std::net::SocketAddr;

/// Checks one reply's error text against §5.2: the JSON members, the challenge attributes and
/// the redirect's error parameters.
fn assert_wire_error_text(what: &str, r: &common::Reply) {
    let ok = |s: &str| s.chars().all(allowed_in_error_text);
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&r.body) {
        for member in ["error", "error_description", "error_uri"] {
            if let Some(text) = v.get(member).and_then(|x| x.as_str()) {
                assert!(ok(text), "{what}: {member} {text:?}");
            }
        }
    }
    for challenge in r.headers_all("www-authenticate") {
        // Every quoted attribute value (RFC 6750 §3: error, error_description).
        for (i, part) in challenge.split('"').enumerate() {
            if i % 2 == 1 {
                assert!(ok(part), "{what}: challenge attribute {part:?}");
            }
        }
    }
    if r.header("location").is_some() {
        let (_, query, fragment) = location(r);
        for params in [query, fragment] {
            for key in ["error", "error_description", "error_uri"] {
                if let Some(text) = params.get(key) {
                    assert!(ok(text), "{what}: redirect {key} {text:?}");
                }
            }
        }
    }
}

#[tokio::test]
async fn every_error_the_server_produces_keeps_to_the_section_5_2_character_set() {
    let h = harness().await;
    let token = h.service_token().await;
    let mut cases: Vec<(String, common::Reply)> = Vec::new();
    let form = |path: &str, auth: Option<&str>, body: &str| {
        let mut req = Request::post(path.to_owned())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(a) = auth {
            req = req.header(header::AUTHORIZATION, a);
        }
        req.body(Body::from(body.to_owned())).unwrap()
    };
    let svc = basic("service-client", "service-secret");
    let bodies = [
        "",
        "grant_type=",
        "grant_type=nope",
        "grant_type=password",
        "grant_type=password&username=alice",
        "grant_type=password&username=alice&password=wrong",
        "grant_type=authorization_code",
        "grant_type=authorization_code&code=x.y&redirect_uri=http://x",
        "grant_type=refresh_token",
        "grant_type=refresh_token&refresh_token=abc.def",
        "grant_type=client_credentials&scope=no-such-scope",
        "grant_type=client_credentials&a=1&a=2",
    ];
    for body in bodies {
        for auth in [
            Some(svc.as_str()),
            None,
            Some("Basic !!!"),
            Some("Bearer x"),
        ] {
            cases.push((
                format!("token {body} {auth:?}"),
                h.send(form("/auth/token", auth, body)).await,
            ));
        }
    }
    cases.push((
        "token json".into(),
        h.send(
            Request::post("/auth/token")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from("{}"))
                .unwrap(),
        )
        .await,
    ));
    cases.push((
        "token query".into(),
        h.send(form(
            "/auth/token?client_secret=x",
            Some(&svc),
            "grant_type=client_credentials",
        ))
        .await,
    ));
    for path in ["/auth/introspect", "/auth/revoke"] {
        for (auth, body) in [
            (None, "token=x"),
            (Some(svc.as_str()), ""),
            (Some("Basic !!!"), "token=x"),
            (Some(basic("spa-client", "x").as_str()), "token=x"),
            (Some(svc.as_str()), "token=x&token_type_hint=nope"),
        ] {
            cases.push((
                format!("{path} {body}"),
                h.send(form(path, auth, body)).await,
            ));
        }
    }
    for body in ["{", "{}", r#"{"redirect_uris":["javascript:x"]}"#] {
        cases.push((
            format!("register {body}"),
            h.send(json_request("POST", "/auth/register", "Bearer nope", None))
                .await,
        ));
        let mut req = json_request("POST", "/auth/register", "Bearer a.b", None);
        *req.body_mut() = Body::from(body.to_owned());
        cases.push((format!("register body {body}"), h.send(req).await));
    }
    for auth in [
        None,
        Some("Bearer nope"),
        Some("Bearer !!"),
        Some("Basic x"),
    ] {
        cases.push((
            format!("userinfo {auth:?}"),
            h.get("/auth/userinfo", auth).await,
        ));
        cases.push((format!("fhir {auth:?}"), h.get("/fhir/Patient", auth).await));
    }
    cases.push((
        "userinfo without openid".into(),
        h.get("/auth/userinfo", Some(&format!("Bearer {token}")))
            .await,
    ));
    cases.push((
        "fhir basic wrong".into(),
        h.get("/fhir/Patient", Some(&basic("basic-client", "nope")))
            .await,
    ));
    // Authorization redirects: errors after the client and redirect URI are verified.
    for query in [
        "response_type=nope",
        "response_type=code&scope=no-such-scope",
        "response_type=code&code_challenge=short&code_challenge_method=S256",
        "response_type=code&code_challenge_method=plain&code_challenge=abcdefghijklmnopqrstuvwxyzabcdefghijklmnopq",
        "response_type=code&prompt=none&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256",
        "response_type=token&prompt=none",
    ] {
        let uri = format!(
            "/auth/authorize?client_id=spa-client&redirect_uri=http://sandbox.test/sandbox/callback&state=s&{query}"
        );
        let r = h.get(&uri, None).await;
        assert!(
            r.status.is_redirection() || r.status == 400,
            "{uri}: {}",
            r.status
        );
        cases.push((format!("authorize {query}"), r));
    }
    assert!(cases.len() > 80, "{} cases", cases.len());
    let mut with_error = 0;
    for (what, r) in &cases {
        assert!(r.status.as_u16() < 500, "{what}: {} {}", r.status, r.text());
        assert_wire_error_text(what, r);
        let json_error = serde_json::from_slice::<serde_json::Value>(&r.body)
            .ok()
            .and_then(|v| v.get("error").cloned())
            .is_some();
        if json_error || r.header("location").is_some_and(|l| l.contains("error=")) {
            with_error += 1;
        }
    }
    assert!(with_error > 70, "only {with_error} errors were checked");
}

/// Makes a client-credentials run in `browser`; returns (run id, access token).
async fn cc_run(b: &mut Browser<'_>, run: &str) -> (String, String) {
    let r = b
        .call_form(
            "/api/sandbox/step",
            &[
                ("input[flow]", "client-credentials"),
                ("input[step]", "token"),
                ("input[run]", run),
                ("input[client_id]", "service-client-opaque"),
                ("input[client_secret]", "service-secret"),
                ("input[scope]", "patient.read"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let v = r.json();
    (
        v["id"].as_str().unwrap().to_owned(),
        v["token"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn a_run_belongs_to_the_browser_that_made_it() {
    let h = harness().await;
    let mut alice = Browser::new(&h);
    let mut mallory = Browser::new(&h);
    alice.get("/").await;
    mallory.get("/").await;
    let (run, token) = cc_run(&mut alice, "").await;

    // Alice's own view: listed, open, typed secrets masked, the token there for her.
    let mine = alice.call_form("/api/sandbox/runs", &[]).await;
    assert!(mine.text().contains(&run));
    assert!(!mine.text().contains("service-secret"), "{}", mine.text());
    let open = alice.call_form("/api/sandbox/run", &[("id", &run)]).await;
    assert!(open.text().contains(&token));
    assert!(
        !open
            .text()
            .contains("c2VydmljZS1jbGllbnQtb3BhcXVlOnNlcnZpY2Utc2VjcmV0")
    );

    // Another browser: nothing listed, nothing opened, nothing exported.
    let theirs = mallory.call_form("/api/sandbox/runs", &[]).await;
    assert_eq!(theirs.json(), json!([]));
    let r = mallory.call_form("/api/sandbox/run", &[("id", &run)]).await;
    assert_eq!(r.json(), serde_json::Value::Null);
    for export in [
        "export.md",
        "export.md?reveal=true",
        "export.sh?reveal=true",
    ] {
        let r = mallory.get(&format!("/sandbox/runs/{run}/{export}")).await;
        assert_eq!(r.status, 404, "{export}");
        let r = h.get(&format!("/sandbox/runs/{run}/{export}"), None).await;
        assert_eq!(r.status, 404, "no cookies: {export}");
    }
    // A step naming Alice's run starts a run of Mallory's own; Alice's is untouched.
    let r = mallory
        .call_form(
            "/api/sandbox/step",
            &[
                ("input[flow]", "client-credentials"),
                ("input[step]", "revoke"),
                ("input[run]", &run),
                ("input[client_id]", "service-client-opaque"),
                ("input[client_secret]", "service-secret"),
            ],
        )
        .await;
    assert_eq!(r.status, 400, "no token in a new run: {}", r.text());
    let (other, _) = cc_run(&mut mallory, &run).await;
    assert_ne!(other, run);
    let again = alice
        .call_form("/api/sandbox/run", &[("id", &run)])
        .await
        .json();
    assert_eq!(again["steps"].as_array().unwrap().len(), 1);
    let api = h
        .get("/fhir/Patient", Some(&format!("Bearer {token}")))
        .await;
    assert_eq!(api.status, 200, "Alice's token still works");
    // Mallory cannot delete it, by the server function or the REST route; Alice can.
    let r = mallory
        .call_form("/api/sandbox/delete-run", &[("id", &run)])
        .await;
    assert_eq!(r.json(), json!(false));
    let path = format!("/sandbox/runs/{run}");
    assert_eq!(mallory.delete(&path).await.status, 404);
    assert_eq!(
        h.send(Request::delete(path.as_str()).body(Body::empty()).unwrap())
            .await
            .status,
        404
    );
    let r = alice
        .call_form("/api/sandbox/delete-run", &[("id", &run)])
        .await;
    assert_eq!(r.json(), json!(true));
    assert_eq!(alice.delete(&path).await.status, 404, "already gone");
    let r = alice.call_form("/api/sandbox/run", &[("id", &run)]).await;
    assert_eq!(r.json(), serde_json::Value::Null);
}

#[tokio::test]
async fn a_masked_export_holds_no_credential_that_works() {
    let h = harness().await;
    let mut b = Browser::new(&h);
    b.get("/").await;
    let (run, token) = cc_run(&mut b, "").await;
    let r = b
        .call_form(
            "/api/sandbox/step",
            &[
                ("input[flow]", "client-credentials"),
                ("input[step]", "introspect"),
                ("input[run]", &run),
                ("input[client_id]", "service-client-opaque"),
                ("input[client_secret]", "service-secret"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let basic_value = basic("service-client-opaque", "service-secret");
    let encoded = basic_value.trim_start_matches("Basic ");
    for export in ["export.md", "export.sh"] {
        let masked = b.get(&format!("/sandbox/runs/{run}/{export}")).await.text();
        assert!(masked.contains("••••••••"), "{masked}");
        for credential in [token.as_str(), "service-secret", encoded] {
            assert!(!masked.contains(credential), "{export} holds {credential}");
        }
        let (handle, _) = token.split_once('.').unwrap();
        assert!(
            !masked.contains(&format!("{handle}.")),
            "no token part that works"
        );
        let revealed = b
            .get(&format!("/sandbox/runs/{run}/{export}?reveal=true"))
            .await
            .text();
        assert!(
            revealed.contains(&token) || revealed.contains(encoded),
            "{export} revealed"
        );
    }
}

/// A request from `address`, as the server sees one that came over a socket.
fn from(address: &str, mut req: Request<Body>) -> Request<Body> {
    let addr: SocketAddr = format!("{address}:40000").parse().unwrap();
    req.extensions_mut().insert(ConnectInfo(addr));
    req
}

fn token_request(address: &str, auth: Option<&str>, body: &str) -> Request<Body> {
    let mut req = Request::post("/auth/token")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(a) = auth {
        req = req.header(header::AUTHORIZATION, a);
    }
    from(address, req.body(Body::from(body.to_owned())).unwrap())
}

/// Five wrong guesses at `send(wrong)`, then the sixth (even the right credential) is 429
/// with Retry-After and `shape` error JSON; another address still works; after the wait the
/// right credential works again.
async fn assert_throttled<F, Fut>(h: &Harness, send: F, wrong_status: u16, right_status: u16)
where
    F: Fn(&'static str, bool) -> Fut,
    Fut: std::future::Future<Output = common::Reply>,
{
    for _ in 0..5 {
        assert_eq!(send("10.0.0.1", false).await.status, wrong_status);
    }
    let r = send("10.0.0.1", true).await;
    assert_eq!(r.status, 429, "{}", r.text());
    let wait: i64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert!(r.json()["error"].is_string(), "{}", r.text());
    assert_wire_error_text("throttled", &r);
    assert_eq!(
        send("10.0.0.2", true).await.status,
        right_status,
        "another address"
    );
    h.clock.advance(wait);
    assert_eq!(
        send("10.0.0.1", true).await.status,
        right_status,
        "after the wait"
    );
}

#[tokio::test]
async fn every_credential_check_is_throttled() {
    // The password grant (RFC 6749 §4.3.2).
    let h = harness().await;
    let pw = basic("password-client", "password-secret");
    assert_throttled(
        &h,
        |addr, right| {
            let body = if right {
                "grant_type=password&username=alice&password=alice-password"
            } else {
                "grant_type=password&username=alice&password=wrong"
            };
            h.send(token_request(addr, Some(&pw), body))
        },
        400,
        200,
    )
    .await;

    // A client secret at the token endpoint, Basic and post alike.
    let h = harness().await;
    assert_throttled(
        &h,
        |addr, right| {
            let secret = if right { "service-secret" } else { "wrong" };
            h.send(token_request(
                addr,
                None,
                &format!(
                    "grant_type=client_credentials&client_id=service-client&client_secret={secret}"
                ),
            ))
        },
        401,
        200,
    )
    .await;

    // Introspection and revocation share the client's count.
    let h = harness().await;
    let token = h.service_token().await;
    assert_throttled(
        &h,
        |addr, right| {
            let secret = if right { "service-secret" } else { "wrong" };
            let path = if right {
                "/auth/introspect"
            } else {
                "/auth/revoke"
            };
            let req = Request::post(path)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::AUTHORIZATION, basic("service-client", secret))
                .body(Body::from(format!("token={token}")))
                .unwrap();
            h.send(from(addr, req))
        },
        401,
        200,
    )
    .await;

    // HTTP Basic at the admin REST API.
    let h = harness().await;
    assert_throttled(
        &h,
        |addr, right| {
            let pw = if right { ADMIN_PASSWORD } else { "wrong" };
            h.send(from(
                addr,
                json_request("GET", "/Client", &basic("admin", pw), None),
            ))
        },
        401,
        200,
    )
    .await;

    // HTTP Basic at the demo API.
    let h = harness().await;
    assert_throttled(
        &h,
        |addr, right| {
            let secret = if right { "basic-secret" } else { "wrong" };
            let req = Request::get("/fhir/Patient")
                .header(header::AUTHORIZATION, basic("basic-client", secret))
                .body(Body::empty())
                .unwrap();
            h.send(from(addr, req))
        },
        401,
        200,
    )
    .await;
}

#[tokio::test]
async fn wrong_passwords_count_for_the_account_wherever_they_are_tried() {
    let h = harness().await;
    // Three wrong at the password grant, two at the admin API: the account's pair is full.
    let pw = basic("password-client", "password-secret");
    for _ in 0..3 {
        let r = h
            .send(token_request(
                "10.1.1.1",
                Some(&pw),
                "grant_type=password&username=admin&password=x",
            ))
            .await;
        assert_eq!(r.status, 400);
    }
    for _ in 0..2 {
        let r = h
            .send(from(
                "10.1.1.1",
                json_request("GET", "/Client", &basic("admin", "x"), None),
            ))
            .await;
        assert_eq!(r.status, 401);
    }
    let r = h
        .send(from(
            "10.1.1.1",
            json_request("GET", "/Client", &basic("admin", ADMIN_PASSWORD), None),
        ))
        .await;
    assert_eq!(r.status, 429);
    assert!(r.header("retry-after").is_some());
    // The admin is not locked out from everywhere by a stranger.
    let r = h
        .send(from(
            "10.9.9.9",
            json_request("GET", "/Client", &basic("admin", ADMIN_PASSWORD), None),
        ))
        .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn basic_with_plus_and_percent_works_as_curl_sends_it() {
    let password = "adm+in%41pass";
    let h = harness_with(&["--admin-password", password]).await;
    // Admin REST API: RFC 7617, the password exactly as sent (curl -u admin:adm+in%41pass).
    let r = h
        .send(json_request(
            "GET",
            "/Client",
            &basic("admin", password),
            None,
        ))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    // A client secret with + and % at the demo API (RFC 7617) and at the token endpoint, sent
    // raw (curl -u) and form-encoded (RFC 6749 §2.3.1).
    let secret = "s+cr%2Ft";
    let admin = basic("admin", password);
    let r = h
        .send(json_request(
            "PUT",
            "/Client/plus-client",
            &admin,
            Some(json!({
                "client_name": "Plus",
                "client_secret": secret,
                "grant_types": ["basic", "client_credentials"],
                "scope": "patient.read",
            })),
        ))
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    h.send(json_request(
        "PUT",
        "/AccessPolicy/plus-basic",
        &admin,
        Some(json!({"auth": "basic", "client_ids": ["plus-client"], "methods": ["GET"], "path": "/fhir/**"})),
    ))
    .await;
    let r = h
        .get("/fhir/Patient", Some(&basic("plus-client", secret)))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let raw = h
        .token(("plus-client", secret), "grant_type=client_credentials")
        .await;
    assert_eq!(raw.status, 200, "raw + and %: {}", raw.text());
    let encoded: String = form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    let r = h
        .token(("plus-client", &encoded), "grant_type=client_credentials")
        .await;
    assert_eq!(r.status, 200, "form-encoded: {}", r.text());
    // A Basic header that form-decodes to the secret is not the secret at the demo API.
    let r = h
        .get("/fhir/Patient", Some(&basic("plus-client", &encoded)))
        .await;
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn only_an_admin_may_mark_a_client_first_party() {
    let h = harness().await;
    let mut dev = Browser::new(&h);
    dev.signup("dev-fp", "dev-fp-password").await;
    let body = json!({"client_name": "Mine", "grant_types": ["authorization_code"],
        "redirect_uris": ["https://app.example/cb"], "first_party": true});
    let r = h
        .send(json_request(
            "PUT",
            "/Client/fp-client",
            &basic("dev-fp", "dev-fp-password"),
            Some(body.clone()),
        ))
        .await;
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(r.json()["field"], "first_party");
    let r = dev
        .call("/auth/register", json!({"client_name": "Reg", "redirect_uris": ["https://app.example/cb"], "first_party": true}))
        .await;
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(r.json()["error"], "invalid_client_metadata");
    assert!(
        r.json()["error_description"]
            .as_str()
            .unwrap()
            .starts_with("first_party")
    );
    // The admin may.
    let r = h.admin("PUT", "/Client/fp-admin", Some(body)).await;
    assert!(r.status.is_success(), "{}", r.text());
}

#[tokio::test]
async fn logout_asks_and_needs_the_forms_token() {
    let h = harness().await;
    let mut b = Browser::new(&h);
    let r = b
        .authorize(
            "response_type=code&client_id=web-client&redirect_uri=http://sandbox.test/sandbox/callback&scope=openid&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256",
            "alice",
            "alice-password",
        )
        .await;
    assert!(r.status.is_redirection(), "{}", r.status);
    assert!(b.cookies.contains_key("sandbox_session"));
    // A link from anywhere only shows the question.
    let page = b.get("/auth/logout").await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("Sign out alice?"), "{}", page.text());
    assert!(b.cookies.contains_key("sandbox_session"));
    // A post without the token (another site's form) is refused.
    let r = b.post("/auth/logout", &[]).await;
    assert_eq!(r.status, 403);
    assert!(b.cookies.contains_key("sandbox_session"));
    let csrf = hidden(&page.text(), "csrf");
    let r = b.post("/auth/logout", &[("csrf", &csrf)]).await;
    assert_eq!(r.status, 303);
    assert!(!b.cookies.contains_key("sandbox_session"));
}

#[tokio::test]
async fn console_sign_out_from_another_site_is_refused() {
    let h = harness().await;
    let mut b = Browser::new(&h);
    b.signup("dev-so", "dev-so-password").await;
    let req = Request::post("/developer/signout")
        .header(header::ORIGIN, "https://evil.example")
        .header(header::HOST, "sandbox.test")
        .body(Body::empty())
        .unwrap();
    let mut req = req;
    let jar: Vec<String> = b.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
    req.headers_mut()
        .insert(header::COOKIE, jar.join("; ").parse().unwrap());
    assert_eq!(h.send(req).await.status, 403);
    let r = b.post("/developer/signout", &[]).await;
    assert_eq!(r.status, 303);
}

#[tokio::test]
async fn a_developers_client_does_not_bounce_a_visitor_unseen() {
    let h = harness().await;
    let mut dev = Browser::new(&h);
    dev.signup("dev-rd", "dev-rd-password").await;
    let r = h
        .send(json_request(
            "PUT",
            "/Client/rd-client",
            &basic("dev-rd", "dev-rd-password"),
            Some(json!({"client_name": "Stranger app", "token_endpoint_auth_method": "none",
                "grant_types": ["authorization_code"], "redirect_uris": ["https://evil.example/cb"]})),
        ))
        .await;
    assert!(r.status.is_success(), "{}", r.text());
    let uri = "/auth/authorize?response_type=code&client_id=rd-client&redirect_uri=https://evil.example/cb&scope=no-such-scope&state=s";
    let r = h.get(uri, None).await;
    assert_eq!(r.status, 400, "an interstitial, not a redirect");
    assert!(r.header("location").is_none());
    let text = r.text();
    assert!(text.contains("evil.example"), "{text}");
    assert!(text.contains("Continue to evil.example"), "{text}");
    // The demo (admin-seeded) client is redirected as before.
    let r = h
        .get("/auth/authorize?response_type=code&client_id=spa-client&redirect_uri=http://sandbox.test/sandbox/callback&scope=no-such-scope", None)
        .await;
    assert!(r.status.is_redirection());
}

#[tokio::test]
async fn the_403_trace_names_only_the_callers_owners_policies() {
    let h = harness().await;
    let mut dev = Browser::new(&h);
    dev.signup("dev-pol", "dev-pol-password").await;
    let auth = basic("dev-pol", "dev-pol-password");
    let r = h
        .send(json_request(
            "PUT",
            "/Client/pol-client",
            &auth,
            Some(json!({"client_name": "P",
            "grant_types": ["client_credentials"], "scope": "x.read"})),
        ))
        .await;
    let secret = r.json()["client_secret"].as_str().unwrap().to_owned();
    h.send(json_request(
        "PUT",
        "/AccessPolicy/dev-pol-own",
        &auth,
        Some(json!({
        "client_ids": ["pol-client"], "methods": ["DELETE"], "path": "/fhir/**"})),
    ))
    .await;
    let t = h
        .token(("pol-client", &secret), "grant_type=client_credentials")
        .await;
    let token = t.json()["access_token"].as_str().unwrap().to_owned();
    let r = h
        .get("/fhir/Patient", Some(&format!("Bearer {token}")))
        .await;
    assert_eq!(r.status, 403);
    let ids: Vec<String> = r.json()["policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["policy_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, vec!["dev-pol-own".to_owned()], "{}", r.text());
    // A demo client's refusal names only the system's policies, never dev-pol-own.
    let r = h
        .get(
            "/fhir/Patient",
            Some(&basic("service-client", "service-secret")),
        )
        .await;
    assert!(!r.text().contains("dev-pol-own"), "{}", r.text());
}

#[tokio::test]
async fn sandbox_step_mistakes_are_400s() {
    let h = harness().await;
    let mut b = Browser::new(&h);
    b.get("/").await;
    for fields in [
        vec![("input[flow]", "no-such-flow"), ("input[step]", "token")],
        vec![
            ("input[flow]", "client-credentials"),
            ("input[step]", "no-such-step"),
        ],
        vec![
            ("input[flow]", "client-credentials"),
            ("input[step]", "api"),
        ],
        vec![
            ("input[flow]", "implicit"),
            ("input[step]", "api"),
            ("input[token]", "abc\r\nInjected: yes"),
        ],
    ] {
        let r = b.call_form("/api/sandbox/step", &fields).await;
        assert_eq!(r.status, 400, "{fields:?}: {}", r.text());
        assert_eq!(r.header("cache-control"), Some("no-store"));
    }
}

#[tokio::test]
async fn health_and_readiness() {
    let h = harness().await;
    let r = h.get("/healthz", None).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["status"], "ok");
    let r = h.get("/readyz", None).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json(),
        json!({"status": "ready", "database": "ok", "keys": "ok"})
    );
    assert_eq!(r.header("cache-control"), Some("no-store"));
    h.state.db.close().await;
    let r = h.get("/readyz", None).await;
    assert_eq!(r.status, 503);
    assert_eq!(r.json()["database"], "unavailable");
}

#[tokio::test]
async fn the_collector_deletes_what_expired_and_nothing_else() {
    let h = harness().await;
    let live = h.service_token().await;
    let mut b = Browser::new(&h);
    b.get("/").await;
    let (run, _) = cc_run(&mut b, "").await;
    h.clock.advance(7200);
    let fresh = h.service_token().await;
    let done = oauth_sandbox::storage::collect::Collector::default()
        .collect(&h.state.db, h.state.clock.now(), h.state.run_retention, 10)
        .await
        .unwrap();
    assert!(done.tokens >= 2, "{done:?}");
    assert_eq!(done.runs, 0, "the run is younger than its retention");
    let r = h
        .get("/fhir/Patient", Some(&format!("Bearer {fresh}")))
        .await;
    assert_eq!(r.status, 200, "a live token stays");
    let r = h
        .get("/fhir/Patient", Some(&format!("Bearer {live}")))
        .await;
    assert_eq!(r.status, 401);
    h.clock.advance(h.state.run_retention);
    let done = oauth_sandbox::storage::collect::Collector::default()
        .collect(&h.state.db, h.state.clock.now(), h.state.run_retention, 10)
        .await
        .unwrap();
    assert_eq!(done.runs, 1);
    let r = b.call_form("/api/sandbox/run", &[("id", &run)]).await;
    assert_eq!(r.json(), serde_json::Value::Null);
}

#[tokio::test]
async fn wrong_initial_access_tokens_are_throttled_too() {
    let h = harness().await;
    let register = |address: &'static str| {
        let mut req = json_request(
            "POST",
            "/auth/register",
            "Bearer 0123456789abcdef.guess",
            Some(json!({"client_name": "x", "grant_types": ["client_credentials"]})),
        );
        req.extensions_mut().insert(ConnectInfo(
            format!("{address}:1").parse::<SocketAddr>().unwrap(),
        ));
        h.send(req)
    };
    for _ in 0..5 {
        assert_eq!(register("10.2.2.2").await.status, 401);
    }
    let r = register("10.2.2.2").await;
    assert_eq!(r.status, 429);
    assert_eq!(r.json()["error"], "temporarily_unavailable");
    assert!(r.header("retry-after").is_some());
    assert_eq!(
        register("10.3.3.3").await.status,
        401,
        "another address is not locked out"
    );
}

#[tokio::test]
async fn a_developers_run_is_theirs_alone() {
    let h = harness().await;
    let mut a = Browser::new(&h);
    let mut b = Browser::new(&h);
    a.signup("dev-run-a", "dev-run-a-password").await;
    b.signup("dev-run-b", "dev-run-b-password").await;
    let (run, _) = cc_run(&mut a, "").await;
    assert!(
        a.call_form("/api/sandbox/runs", &[])
            .await
            .text()
            .contains(&run)
    );
    assert_eq!(
        b.call_form("/api/sandbox/runs", &[]).await.json(),
        json!([])
    );
    let r = b.call_form("/api/sandbox/run", &[("id", &run)]).await;
    assert_eq!(r.json(), serde_json::Value::Null);
    assert_eq!(
        b.get(&format!("/sandbox/runs/{run}/export.md"))
            .await
            .status,
        404
    );
    // The admin is a stranger to it too.
    let mut admin = Browser::new(&h);
    admin.signin("admin", ADMIN_PASSWORD).await;
    assert_eq!(
        admin.call_form("/api/sandbox/runs", &[]).await.json(),
        json!([])
    );
    // Signed out, the same browser is a visitor, and the developer's run is not the visitor's.
    a.post("/developer/signout", &[]).await;
    let r = a.call_form("/api/sandbox/run", &[("id", &run)]).await;
    assert_eq!(r.json(), serde_json::Value::Null);
    a.signin("dev-run-a", "dev-run-a-password").await;
    let r = a.call_form("/api/sandbox/run", &[("id", &run)]).await;
    assert_eq!(r.json()["id"], run.as_str());
}

#[tokio::test]
async fn the_collector_walks_the_tokens_in_bounded_ranges_and_spares_the_live_ones() {
    use oauth_sandbox::model::client::TokenFormat;
    use oauth_sandbox::storage::collect::{Collector, RANGE};
    use oauth_sandbox::storage::tokens::{NewToken, TokenKind};
    let h = harness().await;
    let now = h.state.clock.now();
    // 3 ranges and a bit: every third row is a long-lived one, the others expired, oldest first.
    let rows: Vec<NewToken> = (0..(3 * RANGE + 7))
        .map(|i| NewToken {
            handle: format!("{i:012x}{:020x}", 0),
            kind: TokenKind::Access,
            format: TokenFormat::Opaque,
            secret_hash: Some("digest".into()),
            client_id: "service-client-opaque".into(),
            username: None,
            scope: "patient.read".into(),
            family_id: format!("family-{i}"),
            issued_at: now - 100,
            expires_at: if i % 3 == 0 { now + 3600 } else { now - 1 },
            context: None,
            claims: None,
        })
        .collect();
    let total = rows.len() as u64;
    let live = rows.iter().filter(|r| r.expires_at > now).count() as u64;
    h.state.writer.insert(rows).await.unwrap();
    let mut c = Collector::default();
    let (db, retention) = (&h.state.db, h.state.run_retention);
    // One range at a time: bounded, says there is more, and goes on where it stopped.
    let mut deleted = 0;
    let mut calls = 0;
    loop {
        let done = c.collect(db, now, retention, 1).await.unwrap();
        deleted += done.tokens;
        calls += 1;
        assert!(done.tokens <= RANGE as u64, "{done:?}");
        if !done.more {
            break;
        }
        assert!(calls < 10, "the walk makes progress");
    }
    assert_eq!(calls, 4, "three full ranges, then the rest");
    assert_eq!(deleted, total - live);
    let again = c.collect(db, now, retention, 100).await.unwrap();
    assert_eq!((again.tokens, again.more), (0, false), "the live rows stay");
}

#[tokio::test]
async fn a_malformed_visitor_cookie_is_replaced_not_trusted() {
    let h = harness().await;
    let mut b = Browser::new(&h);
    b.cookies.insert("sandbox_visitor".into(), "short".into());
    // The first call already works: the new cookie is added to the request it came with.
    let (run, _) = cc_run(&mut b, "").await;
    assert_ne!(b.cookies["sandbox_visitor"], "short");
    let r = b.call_form("/api/sandbox/run", &[("id", &run)]).await;
    assert_eq!(r.json()["id"], run.as_str());
}

/// A sandbox step from `address`: a client-credentials token request for service-client with
/// `secret`, as the page's script sends it.
fn sandbox_token_step(address: &str, secret: &str) -> Request<Body> {
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("input[flow]", "client-credentials"),
            ("input[step]", "token"),
            ("input[client_id]", "service-client"),
            ("input[client_secret]", secret),
            ("input[scope]", "patient.read"),
            ("input[auth]", "basic"),
        ])
        .finish();
    let req = Request::post("/api/sandbox/step")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .header(
            header::COOKIE,
            format!("sandbox_visitor={}", "v".repeat(43)),
        )
        .body(Body::from(body))
        .unwrap();
    from(address, req)
}

#[tokio::test]
async fn the_sandbox_sends_each_credential_from_the_browsers_own_address() {
    let h = harness().await;
    let status_of = |reply: &common::Reply| {
        reply.json()["steps"].as_array().unwrap().last().unwrap()["exchange"]["status"]
            .as_u64()
            .unwrap()
    };
    // A stranger's wrong secrets through the sandbox block the stranger's own address...
    for _ in 0..5 {
        let r = h.send(sandbox_token_step("203.0.113.7", "wrong")).await;
        assert_eq!(status_of(&r), 401, "{}", r.text());
    }
    let r = h
        .send(sandbox_token_step("203.0.113.7", "service-secret"))
        .await;
    assert_eq!(status_of(&r), 429, "{}", r.text());
    // ...and nobody else's: every sandbox step no longer comes from one shared address.
    let r = h
        .send(sandbox_token_step("198.51.100.9", "service-secret"))
        .await;
    assert_eq!(status_of(&r), 200, "{}", r.text());
}
