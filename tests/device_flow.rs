//! The device authorization grant (RFC 8628): the device authorization endpoint, every answer
//! of the token endpoint while the device polls, the verification page with its throttle, and
//! a device code's single use and expiry on the injected clock.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;
use common::browser::{Browser, hidden};
use common::*;

const GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

async fn start(h: &Harness, client: &str) -> Reply {
    h.post_form(
        "/auth/device",
        None,
        &format!("client_id={client}&scope=openid%20patient.read"),
    )
    .await
}

async fn poll(h: &Harness, device_code: &str) -> Reply {
    let body = form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", GRANT)
        .append_pair("device_code", device_code)
        .append_pair("client_id", "device-client")
        .finish();
    h.post_form("/auth/token", None, &body).await
}

/// Types `user_code` on the verification page, signs in as alice and answers `decision`.
async fn approve(b: &mut Browser<'_>, user_code: &str, decision: &str) -> Reply {
    let page = b
        .get(&format!("/auth/device/verify?user_code={user_code}"))
        .await;
    assert_eq!(page.status, 200);
    let csrf = hidden(&page.text(), "csrf");
    let login = b
        .post(
            "/auth/device/verify",
            &[("csrf", &csrf), ("user_code", user_code)],
        )
        .await;
    let after = match login.status.as_u16() {
        200 if login.text().contains("Sign in") => b.login(&login, "alice", "alice-password").await,
        _ => login,
    };
    assert_eq!(after.status, 303, "{}", after.text());
    let consent = after.header("location").unwrap().to_owned();
    let page = b.get(&consent).await;
    assert!(
        page.text().contains(user_code),
        "the consent page names the code"
    );
    b.consent(&consent, decision).await
}

#[tokio::test]
async fn a_device_gets_tokens_once_the_person_approves_its_code() {
    let h = harness().await;
    let meta = h
        .get("/.well-known/oauth-authorization-server", None)
        .await
        .json();
    assert_eq!(
        meta["device_authorization_endpoint"],
        "http://sandbox.test/auth/device"
    );
    assert!(
        meta["grant_types_supported"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g == GRANT)
    );

    let r = start(&h, "device-client").await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let d = r.json();
    let user_code = d["user_code"].as_str().unwrap().to_owned();
    assert!(
        user_code.len() == 9
            && user_code.chars().enumerate().all(|(i, c)| if i == 4 {
                c == '-'
            } else {
                "BCDFGHJKLMNPQRSTVWXZ".contains(c)
            }),
        "{user_code}"
    );
    assert_eq!(
        d["verification_uri"],
        "http://sandbox.test/auth/device/verify"
    );
    assert_eq!(
        d["verification_uri_complete"],
        format!("http://sandbox.test/auth/device/verify?user_code={user_code}")
    );
    assert_eq!(d["expires_in"], 600);
    assert_eq!(d["interval"], 5);
    let device_code = d["device_code"].as_str().unwrap().to_owned();

    // §3.5: pending; polling again at once is slow_down, and the interval grows by five.
    poll(&h, &device_code)
        .await
        .assert_error(400, "authorization_pending");
    h.clock.advance(1);
    poll(&h, &device_code).await.assert_error(400, "slow_down");
    let r = poll(&h, &device_code).await;
    r.assert_error(400, "slow_down");
    assert!(
        r.json()["error_description"]
            .as_str()
            .unwrap()
            .contains("wait 15 s"),
        "{}",
        r.text()
    );
    h.clock.advance(15);
    poll(&h, &device_code)
        .await
        .assert_error(400, "authorization_pending");

    // The person approves on another device (another browser).
    let mut phone = Browser::new(&h);
    let done = approve(&mut phone, &user_code, "approve").await;
    assert_eq!(done.status, 200);
    assert!(done.text().contains("Device connected"));

    h.clock.advance(15);
    let r = poll(&h, &device_code).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let tokens = r.json();
    assert!(tokens["access_token"].is_string() && tokens["id_token"].is_string());
    assert_eq!(tokens["token_type"], "Bearer");
    let api = h
        .get(
            "/fhir/Patient",
            Some(&format!(
                "Bearer {}",
                tokens["access_token"].as_str().unwrap()
            )),
        )
        .await;
    assert_eq!(api.status, 200);
    // Single use.
    h.clock.advance(15);
    poll(&h, &device_code)
        .await
        .assert_error(400, "invalid_grant");
    // The code cannot be approved twice either.
    let page = phone.get("/auth/device/verify").await;
    let csrf = hidden(&page.text(), "csrf");
    let again = phone
        .post(
            "/auth/device/verify",
            &[("csrf", &csrf), ("user_code", &user_code)],
        )
        .await;
    assert_eq!(again.status, 400);
}

#[tokio::test]
async fn denial_expiry_and_another_client_each_get_their_answer() {
    let h = harness().await;
    // Denied.
    let d = start(&h, "device-client").await.json();
    let mut phone = Browser::new(&h);
    let done = approve(&mut phone, d["user_code"].as_str().unwrap(), "deny").await;
    assert!(done.text().contains("Access denied"));
    poll(&h, d["device_code"].as_str().unwrap())
        .await
        .assert_error(400, "access_denied");

    // Expired: ten minutes on the injected clock.
    let d = start(&h, "device-client").await.json();
    h.clock.advance(601);
    poll(&h, d["device_code"].as_str().unwrap())
        .await
        .assert_error(400, "expired_token");
    let page = phone.get("/auth/device/verify").await;
    let csrf = hidden(&page.text(), "csrf");
    let late = phone
        .post(
            "/auth/device/verify",
            &[
                ("csrf", &csrf),
                ("user_code", d["user_code"].as_str().unwrap()),
            ],
        )
        .await;
    assert_eq!(
        late.status, 400,
        "an expired code is not offered for approval"
    );

    // Another client's poll, a forged code, a client without the grant.
    let d = start(&h, "device-client").await.json();
    let body = form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", GRANT)
        .append_pair("device_code", d["device_code"].as_str().unwrap())
        .finish();
    h.token(("service-client", "service-secret"), &body)
        .await
        .assert_error(400, "unauthorized_client");
    poll(&h, "forged.code")
        .await
        .assert_error(400, "invalid_grant");
    start(&h, "spa-client")
        .await
        .assert_error(400, "unauthorized_client");
    let r = h
        .post_form("/auth/device", None, "client_id=device-client&scope=admin")
        .await;
    r.assert_error(400, "invalid_scope");
}

#[tokio::test]
async fn guessing_user_codes_is_throttled() {
    let h = harness().await;
    let mut b = Browser::new(&h);
    let page = b.get("/auth/device/verify").await;
    assert!(
        page.header("x-frame-options").is_some()
            || page.header("content-security-policy").is_some()
    );
    let csrf = hidden(&page.text(), "csrf");
    let mut statuses = Vec::new();
    for _ in 0..7 {
        let r = b
            .post(
                "/auth/device/verify",
                &[("csrf", &csrf), ("user_code", "BCDF-GHJK")],
            )
            .await;
        statuses.push(r.status.as_u16());
    }
    assert_eq!(&statuses[..5], &[400; 5], "{statuses:?}");
    assert_eq!(statuses[6], 429, "{statuses:?}");
    // Without the page's CSRF token, nothing is looked up.
    let r = b
        .post(
            "/auth/device/verify",
            &[("csrf", "forged"), ("user_code", "BCDF-GHJK")],
        )
        .await;
    assert_eq!(r.status, 403);
}

#[tokio::test]
async fn one_address_may_ask_for_thirty_device_codes_then_one_every_ten_seconds() {
    let h = harness().await;
    for _ in 0..30 {
        assert_eq!(start(&h, "device-client").await.status, 200);
    }
    let r = start(&h, "device-client").await;
    r.assert_error(429, "temporarily_unavailable");
    assert!(r.header("retry-after").is_some());
    h.clock.advance(10);
    assert_eq!(start(&h, "device-client").await.status, 200);
}
