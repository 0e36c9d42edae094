//! Token preview in the console: what it shows equals what the grants really issue (claims,
//! introspection, userinfo), its refusals are the token endpoint's own, it stores and hands out
//! no token, and a developer previews only their own clients with their own users.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;
use common::browser::Browser;
use common::*;
use serde_json::{Map, Value, json};

const PASSWORD: &str = "a-long-password";
const REDIRECT: &str = "http://127.0.0.1:9000/callback";

/// Signs `dev` up, makes their user `dev-user` and a confidential client `id` with `grants`;
/// returns the client's secret.
async fn developer(b: &mut Browser<'_>, dev: &str, id: &str, grants: &[&str]) -> String {
    assert_eq!(b.signup(dev, PASSWORD).await.status, 303);
    let user = json!({"form": {"username": format!("{dev}-user"), "password": PASSWORD,
        "name": "Dee Veloper", "email": "dee@example.test", "fhir_user": "Practitioner/prac-1"}});
    let r = b.call("/api/console/save-user", user).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let form = json!({
        "client_id": id, "client_name": "Mine",
        "token_endpoint_auth_method": "client_secret_basic",
        "grant_types": grants, "redirect_uris": [REDIRECT],
        "scope": "openid profile email patient.read", "first_party": false,
        "access_token_format": "jwt", "access_token_ttl": 600, "refresh_token_ttl": 86400,
        "require_pkce": false, "allow_plain_pkce": false, "rotate_refresh_tokens": true
    });
    let r = b
        .call(
            "/api/console/save-client",
            json!({"form": form, "create": true}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["secret"].as_str().unwrap().to_owned()
}

async fn preview(b: &mut Browser<'_>, client: &str, grant: &str, user: &str, scope: &str) -> Reply {
    b.call(
        "/api/console/preview",
        json!({"request": {"client_id": client, "grant": grant, "username": user, "scope": scope}}),
    )
    .await
}

/// A previewed token's claims (or header) as a JSON object, from the page's claim lines.
fn claims(token: &Value, part: &str) -> Map<String, Value> {
    token[part]
        .as_array()
        .unwrap()
        .iter()
        .map(|line| {
            let text = line["value"].as_str().unwrap();
            let value = serde_json::from_str(text).unwrap_or_else(|_| json!(text));
            (line["name"].as_str().unwrap().to_owned(), value)
        })
        .collect()
}

/// The JSON body of a status-line-headers-body text.
fn body_of(text: &str) -> Value {
    serde_json::from_str(text.split_once("\n\n").unwrap().1).unwrap()
}

/// The claims of a real JWT.
fn jwt_claims(jwt: &str) -> Map<String, Value> {
    jwt_part(jwt, 1).as_object().unwrap().clone()
}

/// True when `text` holds anything shaped like a token value: a compact JWS, or an opaque
/// `<32 hex>.<secret>`.
fn holds_a_token_value(text: &str) -> bool {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .any(|word| {
            let parts: Vec<&str> = word.split('.').collect();
            let jws = parts.len() == 3 && parts.iter().all(|p| p.len() >= 16);
            let opaque = parts.len() == 2
                && parts[0].len() == 32
                && parts[0].bytes().all(|b| b.is_ascii_hexdigit())
                && parts[1].len() >= 32;
            jws || opaque
        })
}

#[tokio::test]
async fn the_preview_equals_what_the_password_grant_issues() {
    let h = harness().await;
    let mut b = Browser::new(&h);
    let secret = developer(&mut b, "dev-p", "pw-client", &["password", "refresh_token"]).await;
    let scope = "openid profile patient.read";

    let r = preview(&mut b, "pw-client", "password", "dev-p-user", scope).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let p = r.json();
    assert!(p["refusal"].is_null(), "{p}");
    assert_eq!(p["grant"], "password");
    assert_eq!(
        p["scope"], "openid patient.read profile",
        "the scope as the server writes it"
    );
    assert!(
        p["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["passed"] == true),
        "{p}"
    );
    assert!(
        !holds_a_token_value(&r.text()),
        "a token value leaked: {}",
        r.text()
    );
    let previewed = claims(&p["access_token"], "claims");
    let jti = previewed["jti"].as_str().unwrap().to_owned();
    // Nothing was stored.
    assert!(
        oauth_sandbox::storage::tokens::find(&h.state.db, &jti)
            .await
            .unwrap()
            .is_none()
    );

    // The real grant, at the same instant of the frozen clock.
    let real = h
        .token(
            ("pw-client", &secret),
            &format!("grant_type=password&username=dev-p-user&password={PASSWORD}&scope=openid%20profile%20patient.read"),
        )
        .await;
    assert_eq!(real.status, 200, "{}", real.text());
    let real = real.json();
    let access = real["access_token"].as_str().unwrap();
    let mut issued = jwt_claims(access);
    assert_ne!(issued["jti"], json!(jti), "every mint has its own jti");
    issued.remove("jti");
    let mut shown = previewed.clone();
    shown.remove("jti");
    assert_eq!(shown, issued, "the access token's claims");
    assert_eq!(
        claims(&p["access_token"], "header")["typ"],
        jwt_part(access, 0)["typ"]
    );
    // The answer's shape: the same fields, the tokens' values left out.
    let answer = body_of(p["response"].as_str().unwrap());
    let mut fields: Vec<_> = answer.as_object().unwrap().keys().cloned().collect();
    let mut real_fields: Vec<_> = real.as_object().unwrap().keys().cloned().collect();
    fields.sort();
    real_fields.sort();
    assert_eq!(fields, real_fields);
    assert!(
        p["response"]
            .as_str()
            .unwrap()
            .starts_with("HTTP/1.1 200 OK\n")
    );
    assert!(
        p["response"]
            .as_str()
            .unwrap()
            .contains("cache-control: no-store")
    );
    // The password grant issues no ID token, and says so.
    assert!(real.get("id_token").is_none());
    assert!(p["id_token"].is_null());
    assert!(
        p["notes"]
            .to_string()
            .contains("password grant issues none")
    );

    // Introspection: the same answer but for the jti.
    let intro = h
        .post_form(
            "/auth/introspect",
            Some(&basic("pw-client", &secret)),
            &format!("token={access}"),
        )
        .await
        .json();
    let mut shown: Value =
        serde_json::from_str(p["access_token"]["introspection"].as_str().unwrap()).unwrap();
    let mut intro = intro;
    shown.as_object_mut().unwrap().remove("jti");
    intro.as_object_mut().unwrap().remove("jti");
    assert_eq!(shown, intro, "introspection of the access token");
    // The refresh token: opaque, described by introspection.
    assert_eq!(p["refresh_token"]["is_jwt"], false);
    let refresh_intro: Value =
        serde_json::from_str(p["refresh_token"]["introspection"].as_str().unwrap()).unwrap();
    let real_refresh = h
        .post_form(
            "/auth/introspect",
            Some(&basic("pw-client", &secret)),
            &format!("token={}", real["refresh_token"].as_str().unwrap()),
        )
        .await
        .json();
    assert_eq!(
        refresh_intro, real_refresh,
        "introspection of the refresh token"
    );

    // Userinfo: the same answer, to the byte.
    let userinfo = h
        .get("/auth/userinfo", Some(&format!("Bearer {access}")))
        .await;
    assert_eq!(userinfo.status, 200);
    assert_eq!(body_of(p["userinfo"].as_str().unwrap()), userinfo.json());
    assert_eq!(userinfo.json()["name"], "Dee Veloper");
}

#[tokio::test]
async fn the_preview_equals_what_the_code_flow_issues_with_its_id_token() {
    let h = harness().await;
    let mut b = Browser::new(&h);
    let secret = developer(&mut b, "dev-c", "code-client", &["authorization_code"]).await;
    let scope = "openid email patient.read";
    let r = preview(
        &mut b,
        "code-client",
        "authorization_code",
        "dev-c-user",
        scope,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let p = r.json();
    assert!(p["refresh_token"].is_null(), "no refresh_token grant: {p}");
    assert!(
        p["notes"]
            .to_string()
            .contains("not registered for the refresh_token grant")
    );
    assert!(p["id_token"]["introspection"].as_str().unwrap().is_empty());
    let shown_id = claims(&p["id_token"], "claims");
    assert_eq!(claims(&p["id_token"], "header")["typ"], "JWT");

    // The real flow, in another browser, as the same user.
    let mut person = Browser::new(&h);
    let query = format!(
        "response_type=code&client_id=code-client&redirect_uri={}&scope=openid%20email%20patient.read&state=s1",
        urlencode(REDIRECT)
    );
    let back = person.authorize(&query, "dev-c-user", PASSWORD).await;
    let (_, params, _) = browser::location(&back);
    let code = &params["code"];
    let real = h
        .token(
            ("code-client", &secret),
            &format!(
                "grant_type=authorization_code&code={code}&redirect_uri={}",
                urlencode(REDIRECT)
            ),
        )
        .await;
    assert_eq!(real.status, 200, "{}", real.text());
    let real = real.json();
    let mut issued_id = jwt_claims(real["id_token"].as_str().unwrap());
    let mut shown_id = shown_id;
    // at_hash binds each ID token to its own access token.
    assert!(issued_id.remove("at_hash").is_some());
    assert!(shown_id.remove("at_hash").is_some());
    assert_eq!(shown_id, issued_id, "the ID token's claims");
    let mut issued = jwt_claims(real["access_token"].as_str().unwrap());
    let mut shown = claims(&p["access_token"], "claims");
    issued.remove("jti");
    shown.remove("jti");
    assert_eq!(shown, issued);
    let userinfo = h
        .get(
            "/auth/userinfo",
            Some(&format!(
                "Bearer {}",
                real["access_token"].as_str().unwrap()
            )),
        )
        .await;
    assert_eq!(body_of(p["userinfo"].as_str().unwrap()), userinfo.json());
}

#[tokio::test]
async fn refusals_are_the_token_endpoints_own_answers() {
    let h = harness().await;
    let mut b = Browser::new(&h);
    let secret = developer(&mut b, "dev-r", "r-client", &["client_credentials"]).await;

    // A scope the client may not ask for: the same 400 invalid_scope as the token endpoint.
    let p = preview(&mut b, "r-client", "client_credentials", "", "admin")
        .await
        .json();
    let refusal = p["refusal"].as_str().unwrap();
    assert!(
        refusal.starts_with("HTTP/1.1 400 Bad Request\n"),
        "{refusal}"
    );
    assert!(refusal.contains("cache-control: no-store"), "{refusal}");
    let real = h
        .token(
            ("r-client", &secret),
            "grant_type=client_credentials&scope=admin",
        )
        .await;
    real.assert_error(400, "invalid_scope");
    assert_eq!(body_of(refusal), real.json());
    assert!(p["access_token"].is_null() && p["response"] == "");
    let failed: Vec<_> = p["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["passed"] == false)
        .collect();
    assert_eq!(failed.len(), 1, "{p}");
    assert_eq!(
        failed[0]["name"],
        "the scope lies within what the client may ask for"
    );

    // A grant the client does not hold: unauthorized_client, as the token endpoint says.
    assert_eq!(b.signup("x", PASSWORD).await.status, 303); // a second account is no help
    let mut b = Browser::new(&h);
    assert_eq!(b.signin("dev-r", PASSWORD).await.status, 303);
    let p = preview(&mut b, "r-client", "password", "dev-r-user", "")
        .await
        .json();
    let real = h
        .token(
            ("r-client", &secret),
            &format!("grant_type=password&username=dev-r-user&password={PASSWORD}"),
        )
        .await;
    real.assert_error(400, "unauthorized_client");
    assert_eq!(body_of(p["refusal"].as_str().unwrap()), real.json());

    // Without openid, userinfo refuses the access token: 403 and its Bearer challenge.
    let p = preview(&mut b, "r-client", "client_credentials", "", "patient.read")
        .await
        .json();
    let userinfo = p["userinfo"].as_str().unwrap();
    assert!(
        userinfo.starts_with("HTTP/1.1 403 Forbidden\n"),
        "{userinfo}"
    );
    assert!(userinfo.contains("www-authenticate: Bearer"), "{userinfo}");
    assert!(
        userinfo.contains("error=\"insufficient_scope\""),
        "{userinfo}"
    );
    // Every error text stays in RFC 6749 section 5.2's character set.
    for text in [refusal, userinfo] {
        let body = text.split_once("\n\n").map(|(_, b)| b).unwrap_or("");
        if let Ok(Value::Object(map)) = serde_json::from_str::<Value>(body) {
            let d = map["error_description"].as_str().unwrap();
            assert!(
                d.chars()
                    .all(|c| matches!(c, '\x20'..='\x21' | '\x23'..='\x5b' | '\x5d'..='\x7e')),
                "{d}"
            );
        }
    }
}

#[tokio::test]
async fn bad_requests_name_the_field() {
    let h = harness().await;
    let mut b = Browser::new(&h);
    developer(
        &mut b,
        "dev-b",
        "b-client",
        &["password", "client_credentials"],
    )
    .await;
    for (grant, user, field) in [
        ("refresh_token", "dev-b-user", "grant:"),
        ("nonsense", "dev-b-user", "grant:"),
        ("password", "", "username:"),
        ("client_credentials", "dev-b-user", "username:"),
    ] {
        let r = preview(&mut b, "b-client", grant, user, "").await;
        assert_eq!(r.status, 400, "{grant}: {}", r.text());
        assert!(
            r.json()["message"].as_str().unwrap().starts_with(field),
            "{}",
            r.text()
        );
    }
    // A disabled account: the sign-in page refuses it, and the preview says so.
    let admin = h
        .admin(
            "PUT",
            "/User/dev-b-user",
            Some(json!({"password": PASSWORD, "disabled": true})),
        )
        .await;
    assert!(admin.status.is_success(), "{}", admin.text());
    let p = preview(&mut b, "b-client", "password", "dev-b-user", "")
        .await
        .json();
    assert_eq!(
        body_of(p["refusal"].as_str().unwrap())["error"],
        "invalid_grant"
    );
}

#[tokio::test]
async fn a_developer_previews_only_their_own_clients_and_users() {
    let h = harness().await;
    let mut a = Browser::new(&h);
    let mut b = Browser::new(&h);
    developer(&mut a, "dev-a", "a-client", &["password"]).await;
    developer(&mut b, "dev-z", "z-client", &["password"]).await;
    for (client, user) in [
        ("a-client", "dev-z-user"),   // another developer's client
        ("z-client", "dev-a-user"),   // another developer's user
        ("z-client", "alice"),        // a demo user is not theirs either
        ("web-client", "dev-z-user"), // nor a demo client
    ] {
        let r = preview(&mut b, client, "password", user, "").await;
        assert_eq!(r.status, 404, "{client} {user}: {}", r.text());
    }
    // A visitor who is not signed in.
    let mut stranger = Browser::new(&h);
    let r = preview(&mut stranger, "z-client", "password", "dev-z-user", "").await;
    assert_eq!(r.status, 401);
    // An admin previews anything: the demo web client for alice, with her fhirUser.
    let mut admin = Browser::new(&h);
    assert_eq!(admin.signin("admin", ADMIN_PASSWORD).await.status, 303);
    let r = preview(
        &mut admin,
        "web-client",
        "authorization_code",
        "alice",
        "openid profile",
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(claims(&r.json()["id_token"], "claims")["sub"], "alice");
}

#[tokio::test]
async fn opaque_tokens_are_described_by_introspection_and_mock_mode_says_mock() {
    let h = harness_with(&["--mock"]).await;
    let mut admin = Browser::new(&h);
    assert_eq!(admin.signin("admin", ADMIN_PASSWORD).await.status, 303);
    let r = preview(
        &mut admin,
        "service-client-opaque",
        "client_credentials",
        "",
        "",
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(!holds_a_token_value(&r.text()), "{}", r.text());
    let p = r.json();
    assert_eq!(p["access_token"]["is_jwt"], false);
    assert!(p["access_token"]["claims"].as_array().unwrap().is_empty());
    let intro: Value =
        serde_json::from_str(p["access_token"]["introspection"].as_str().unwrap()).unwrap();
    assert_eq!(intro["active"], true);
    assert_eq!(intro["client_id"], "service-client-opaque");
    assert_eq!(intro["sub"], "service-client-opaque");
    assert_eq!(intro["mock"], true);
    let r = preview(&mut admin, "service-client", "client_credentials", "", "").await;
    assert_eq!(claims(&r.json()["access_token"], "claims")["mock"], true);
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
