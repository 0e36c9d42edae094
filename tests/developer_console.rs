//! Developer self-service: accounts, ownership through the REST API and the console's server
//! functions alike, secrets shown once and regenerated, form errors that name the field, and
//! RFC 7591 registration.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;
use common::browser::Browser;
use common::*;
use serde_json::{Value, json};

const PASSWORD: &str = "a-long-password";

fn client_form(id: &str) -> Value {
    json!({
        "client_id": id, "client_name": "Mine",
        "token_endpoint_auth_method": "client_secret_basic",
        "grant_types": ["client_credentials"], "redirect_uris": [],
        "scope": "patient.read", "first_party": false, "access_token_format": "jwt",
        "access_token_ttl": 3600, "refresh_token_ttl": 86400,
        "require_pkce": true, "allow_plain_pkce": false, "rotate_refresh_tokens": true
    })
}

/// Signs `name` up and registers client `id` through the console; returns the secret.
async fn developer_with_client(b: &mut Browser<'_>, name: &str, id: &str) -> String {
    let r = b.signup(name, PASSWORD).await;
    assert_eq!(r.status, 303, "{}", r.text());
    assert_eq!(r.header("location"), Some("/developer"));
    let saved = b
        .call(
            "/api/console/save-client",
            json!({"form": client_form(id), "create": true}),
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.text());
    saved.json()["secret"].as_str().unwrap().to_owned()
}

/// A REST call as `user`, with the test password.
fn rest(
    method: &str,
    path: &str,
    user: &str,
    body: Option<Value>,
) -> axum::http::Request<axum::body::Body> {
    json_request(method, path, &basic(user, PASSWORD), body)
}

#[tokio::test]
async fn a_developer_never_reaches_another_developers_things() {
    let h = harness().await;
    let mut a = Browser::new(&h);
    let mut b = Browser::new(&h);
    let a_secret = developer_with_client(&mut a, "dev-a", "a-client").await;
    developer_with_client(&mut b, "dev-b", "b-client").await;
    let policy = json!({"client_ids": ["b-client"], "path": "/fhir/*", "auth": "bearer"});
    assert_eq!(
        h.send(rest("PUT", "/AccessPolicy/b-policy", "dev-b", Some(policy)))
            .await
            .status,
        201
    );

    // The REST API: a's list holds only a's client; b's client and policy do not exist for a.
    let list = h.send(rest("GET", "/Client", "dev-a", None)).await.json();
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["client_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["a-client"]);
    for (method, path, body) in [
        ("GET", "/Client/b-client", None),
        (
            "PUT",
            "/Client/b-client",
            Some(json!({"client_name": "stolen", "grant_types": ["client_credentials"]})),
        ),
        ("DELETE", "/Client/b-client", None),
        ("POST", "/Client/b-client/$secret", None),
        ("GET", "/AccessPolicy/b-policy", None),
        (
            "PUT",
            "/AccessPolicy/b-policy",
            Some(json!({"client_ids": ["a-client"]})),
        ),
        ("DELETE", "/AccessPolicy/b-policy", None),
    ] {
        let r = h.send(rest(method, path, "dev-a", body)).await;
        assert_eq!(r.status, 404, "{method} {path}: {}", r.text());
        assert_eq!(r.json()["error"], "not_found");
    }
    // Nor can a's policy open the API to b's client.
    let r = h
        .send(rest(
            "PUT",
            "/AccessPolicy/a-policy",
            "dev-a",
            Some(json!({"client_ids": ["b-client"]})),
        ))
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["field"], "client_ids");
    // The keys and consents stay the admin's.
    assert_eq!(h.send(rest("GET", "/Key", "dev-a", None)).await.status, 403);

    // The console's server functions answer the same.
    let r = a
        .call_form("/api/console/client", &[("id", "b-client")])
        .await;
    assert_eq!(r.status, 404);
    assert!(
        r.text().contains("Client/b-client not found"),
        "{}",
        r.text()
    );
    let r = a
        .call(
            "/api/console/save-client",
            json!({"form": client_form("b-client"), "create": false}),
        )
        .await;
    assert!(
        r.text().contains("Client/b-client not found"),
        "{}",
        r.text()
    );
    let r = a
        .call_form("/api/console/delete-client", &[("id", "b-client")])
        .await;
    assert!(r.text().contains("Client/b-client not found"));
    let r = a
        .call_form("/api/console/regenerate-secret", &[("id", "b-client")])
        .await;
    assert!(r.text().contains("Client/b-client not found"));
    let r = a
        .call_form("/api/console/delete-policy", &[("id", "b-policy")])
        .await;
    assert!(r.text().contains("AccessPolicy/b-policy not found"));
    let mine = a.call_form("/api/console/clients", &[]).await.json();
    assert_eq!(mine.as_array().unwrap().len(), 1);

    // Nor in a flow: the sandbox refuses b's client for a, but runs a's own.
    let step = |client: &str, secret: &str| {
        [
            ("input[flow]", "client-credentials".to_owned()),
            ("input[step]", "token".to_owned()),
            ("input[client_id]", client.to_owned()),
            ("input[client_secret]", secret.to_owned()),
            ("input[scope]", "patient.read".to_owned()),
        ]
    };
    let form = step("b-client", "whatever");
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = a.call_form("/api/sandbox/step", &pairs).await;
    assert!(r.text().contains("that you may use"), "{}", r.text());
    let form = step("a-client", &a_secret);
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = a.call_form("/api/sandbox/step", &pairs).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.text().contains("HTTP/1.1 200 OK"));

    // The admin sees and manages everything.
    let all = h.admin("GET", "/Client", None).await.json();
    assert!(
        all.as_array()
            .unwrap()
            .iter()
            .any(|c| c["client_id"] == "b-client" && c["owner"] == "dev-b")
    );
    assert_eq!(
        h.admin("GET", "/AccessPolicy/b-policy", None).await.status,
        200
    );
    assert_eq!(
        h.admin("DELETE", "/Client/b-client", None).await.status,
        204
    );
}

#[tokio::test]
async fn a_regenerated_secret_kills_the_old_one_at_once_caches_included() {
    let h = harness().await;
    let mut b = Browser::new(&h);
    let old = developer_with_client(&mut b, "dev", "svc").await;
    // Cached by a successful token request.
    for _ in 0..2 {
        let r = h
            .token(("svc", &old), "grant_type=client_credentials")
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
    }
    let r = b
        .call_form("/api/console/regenerate-secret", &[("id", "svc")])
        .await;
    let new: String = r.json().as_str().unwrap().to_owned();
    assert_ne!(new, old);
    h.token(("svc", &old), "grant_type=client_credentials")
        .await
        .assert_error(401, "invalid_client");
    assert_eq!(
        h.token(("svc", &new), "grant_type=client_credentials")
            .await
            .status,
        200
    );

    // The secret appears in no later response: not the client, not the list, not the REST API.
    for body in [
        b.call_form("/api/console/client", &[("id", "svc")])
            .await
            .text(),
        b.call_form("/api/console/clients", &[]).await.text(),
        h.send(rest("GET", "/Client/svc", "dev", None)).await.text(),
        h.admin("GET", "/Client", None).await.text(),
    ] {
        assert!(!body.contains(&new) && !body.contains(&old), "{body}");
        assert!(!body.contains("$argon2"), "{body}");
    }

    // A deleted client's tokens stop working at once.
    let token = h
        .token(
            ("svc", &new),
            "grant_type=client_credentials&scope=patient.read",
        )
        .await
        .json()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        h.get("/fhir/Patient", Some(&format!("Bearer {token}")))
            .await
            .status,
        200
    );
    assert_eq!(
        b.call_form("/api/console/delete-client", &[("id", "svc")])
            .await
            .status,
        200
    );
    assert_eq!(
        h.get("/fhir/Patient", Some(&format!("Bearer {token}")))
            .await
            .status,
        401
    );
}

#[tokio::test]
async fn every_form_names_the_field_at_fault() {
    let h = harness().await;
    let mut b = Browser::new(&h);
    developer_with_client(&mut b, "dev", "taken").await;
    let with = |patch: Value| {
        let mut form = client_form("fresh");
        for (k, v) in patch.as_object().unwrap() {
            form[k] = v.clone();
        }
        json!({"form": form, "create": true})
    };
    let huge = "x".repeat(10 * 1024 * 1024);
    for (patch, field) in [
        (json!({"client_name": ""}), "client_name"),
        (json!({"client_id": "taken"}), "client_id"),
        (
            json!({"grant_types": ["authorization_code"], "redirect_uris": ["/callback"]}),
            "redirect_uris[0]",
        ),
        (
            json!({"grant_types": ["authorization_code"], "redirect_uris": ["https://app.example/cb#frag"]}),
            "redirect_uris[0]",
        ),
        (
            json!({"grant_types": ["client_credentials", "magic"]}),
            "grant_types",
        ),
        (json!({"client_name": huge}), "client_name"),
    ] {
        let r = b
            .call("/api/console/save-client", with(patch.clone()))
            .await;
        assert!(r.status.is_client_error(), "{field}: {}", r.status);
        let text = r.text();
        assert!(
            text.contains(&format!("{field}: ")),
            "{field}: {}",
            &text[..text.len().min(300)]
        );
    }
    // Nothing was half written.
    let list = b.call_form("/api/console/clients", &[]).await.json();
    assert_eq!(list.as_array().unwrap().len(), 1);

    // Users and policies too.
    let r = b
        .call(
            "/api/console/save-user",
            json!({"form": {"username": "u1", "password": "short", "name": "", "email": ""}}),
        )
        .await;
    assert!(r.text().contains("password: "), "{}", r.text());
    let r = b.call("/api/console/save-user", json!({"form": {"username": "u1", "password": "long-enough", "name": "", "email": "", "roles": []}})).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = b.call("/api/console/save-policy", json!({"form": {"id": "p", "description": "", "methods": ["GET"], "path": "/fhir/*", "client_ids": [], "usernames": [], "scopes": [], "auth": ""}})).await;
    assert!(r.text().contains("client_ids: "), "{}", r.text());

    // Sign-up refuses a taken name, naming the field, and leaves the account alone.
    let mut other = Browser::new(&h);
    let r = other.signup("dev", "another-password").await;
    assert_eq!(r.status, 409);
    assert!(
        r.text().contains("username: &quot;dev&quot; is taken")
            || r.text().contains("username: \"dev\" is taken"),
        "{}",
        r.text()
    );
    assert_eq!(
        h.send(rest("GET", "/Client", "dev", None)).await.status,
        200
    );
}

#[tokio::test]
async fn the_console_session_is_not_the_login_session() {
    let h = harness().await;
    let mut b = Browser::new(&h);
    b.signup("dev", PASSWORD).await;
    let console = b.cookies.get("sandbox_console").cloned().unwrap();
    // The same value in the resource-owner session cookie opens nothing.
    let mut other = Browser::new(&h);
    other.cookies.insert("sandbox_session".into(), console);
    let me = other.call_form("/api/console/me", &[]).await;
    assert_eq!(me.text(), "null");
    // A resource owner's password does not open the console.
    let page = other.get("/developer/signin").await;
    let csrf = common::browser::hidden(&page.text(), "csrf");
    let r = other
        .post(
            "/developer/signin",
            &[
                ("csrf", &csrf),
                ("username", "alice"),
                ("password", "alice-password"),
            ],
        )
        .await;
    assert_eq!(r.status, 403);
    // Signing out ends the console session.
    let page = b.get("/developer").await;
    assert!(page.text().contains("data-me=\"dev\""));
    b.post("/developer/signout", &[]).await;
    assert_eq!(b.call_form("/api/console/me", &[]).await.text(), "null");
    // A form without the browser's CSRF token is refused.
    let r = Browser::new(&h)
        .post(
            "/developer/signup",
            &[
                ("csrf", "forged"),
                ("username", "x1"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn rfc7591_registration() {
    let h = harness().await;
    let mut b = Browser::new(&h);
    b.signup("dev", PASSWORD).await;
    let iat: String = b
        .call_form("/api/console/initial-token", &[])
        .await
        .json()
        .as_str()
        .unwrap()
        .to_owned();
    let register = |token: Option<&str>, body: Value| {
        let mut req =
            axum::http::Request::post("/auth/register").header("content-type", "application/json");
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        req.body(axum::body::Body::from(body.to_string())).unwrap()
    };
    // RFC 7591 §3.1's example, with an https redirect URI.
    let standard = json!({
        "redirect_uris": ["https://client.example.org/callback", "https://client.example.org/callback2"],
        "client_name": "My Example Client",
        "token_endpoint_auth_method": "client_secret_basic",
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "logo_uri": "https://client.example.org/logo.png",
        "scope": "openid profile patient.read"
    });
    let r = h.send(register(Some(&iat), standard.clone())).await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let body = r.json();
    let id = body["client_id"].as_str().unwrap();
    assert!(body["client_secret"].as_str().unwrap().len() >= 43);
    assert_eq!(body["client_secret_expires_at"], 0);
    assert_eq!(body["client_id_issued_at"], T0);
    assert_eq!(
        body["grant_types"],
        json!(["authorization_code", "refresh_token"])
    );
    assert_eq!(body["redirect_uris"], standard["redirect_uris"]);
    // The client is the developer's.
    let mine = h
        .send(rest("GET", &format!("/Client/{id}"), "dev", None))
        .await;
    assert_eq!(mine.status, 200);
    assert_eq!(mine.json()["owner"], "dev");

    // A public client gets no secret.
    let r = h
        .send(register(
            Some(&iat),
            json!({"redirect_uris": ["http://127.0.0.1/cb"], "token_endpoint_auth_method": "none"}),
        ))
        .await;
    assert_eq!(r.status, 201);
    assert!(r.json().get("client_secret").is_none());

    // A service registers with its grant alone: no redirect URIs, no response types.
    let r = h
        .send(register(
            Some(&iat),
            json!({"client_name": "CI", "grant_types": ["client_credentials"]}),
        ))
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let ci = r.json();
    assert_eq!(ci["response_types"], json!([]));
    let token = h
        .token(
            (
                ci["client_id"].as_str().unwrap(),
                ci["client_secret"].as_str().unwrap(),
            ),
            "grant_type=client_credentials",
        )
        .await;
    assert_eq!(token.status, 200, "the registered client works at once");

    // The error codes of §3.2.2.
    for (body, code) in [
        (
            json!({"redirect_uris": ["/relative"]}),
            "invalid_redirect_uri",
        ),
        (
            json!({"redirect_uris": ["https://a.example/cb#f"]}),
            "invalid_redirect_uri",
        ),
        (
            json!({"redirect_uris": ["http://a.example/cb"]}),
            "invalid_redirect_uri",
        ),
        (json!({"redirect_uris": []}), "invalid_redirect_uri"),
        (
            json!({"redirect_uris": ["https://a.example/cb"], "grant_types": ["urn:x"]}),
            "invalid_client_metadata",
        ),
        (
            json!({"redirect_uris": ["https://a.example/cb"], "response_types": ["token"]}),
            "invalid_client_metadata",
        ),
        (
            json!({"redirect_uris": ["https://a.example/cb"], "token_endpoint_auth_method": "private_key_jwt"}),
            "invalid_client_metadata",
        ),
        (
            json!({"redirect_uris": "https://a.example/cb"}),
            "invalid_client_metadata",
        ),
        (
            json!({"token_endpoint_auth_method": "none", "grant_types": ["client_credentials"]}),
            "invalid_client_metadata",
        ),
    ] {
        let r = h.send(register(Some(&iat), body.clone())).await;
        r.assert_error(400, code);
        assert!(r.json()["error_description"].as_str().is_some(), "{body}");
    }
    // Without a developer's credentials: 401 with a Bearer challenge.
    for token in [None, Some("nope"), Some("x.y")] {
        let r = h.send(register(token, standard.clone())).await;
        r.assert_error(401, "invalid_token");
        assert!(r.header("www-authenticate").unwrap().starts_with("Bearer"));
    }
    // Discovery advertises it.
    let meta = h
        .get("/.well-known/oauth-authorization-server", None)
        .await
        .json();
    assert_eq!(
        meta["registration_endpoint"],
        format!("{ISSUER}/auth/register")
    );
}

#[tokio::test]
async fn an_admin_promotes_and_disables_accounts() {
    let h = harness().await;
    let mut dev = Browser::new(&h);
    developer_with_client(&mut dev, "dev", "svc").await;
    let mut admin = Browser::new(&h);
    let page = admin.get("/developer/signin").await;
    let csrf = common::browser::hidden(&page.text(), "csrf");
    let r = admin
        .post(
            "/developer/signin",
            &[
                ("csrf", &csrf),
                ("username", "admin"),
                ("password", ADMIN_PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    // The admin sees every account; a developer may not change accounts.
    let users = admin.call_form("/api/console/users", &[]).await.json();
    assert!(
        users
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["username"] == "dev")
    );
    let r = dev
        .call_form(
            "/api/console/set-account",
            &[
                ("username", "dev"),
                ("admin", "true"),
                ("disabled", "false"),
            ],
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text());

    let r = admin
        .call_form(
            "/api/console/set-account",
            &[
                ("username", "dev"),
                ("admin", "true"),
                ("disabled", "false"),
            ],
        )
        .await;
    assert_eq!(r.json()["roles"], json!(["admin", "developer"]));
    // Promoted: dev now sees the demo clients too.
    let all = h.send(rest("GET", "/Client", "dev", None)).await.json();
    assert!(all.as_array().unwrap().len() > 1);

    let r = admin
        .call_form(
            "/api/console/set-account",
            &[
                ("username", "dev"),
                ("admin", "false"),
                ("disabled", "true"),
            ],
        )
        .await;
    assert_eq!(r.json()["disabled"], true);
    // Disabled: no REST API, no console, no sign-in.
    assert_eq!(
        h.send(rest("GET", "/Client", "dev", None)).await.status,
        401
    );
    assert_eq!(dev.call_form("/api/console/me", &[]).await.text(), "null");
    let page = dev.get("/developer/signin").await;
    let csrf = common::browser::hidden(&page.text(), "csrf");
    let r = dev
        .post(
            "/developer/signin",
            &[("csrf", &csrf), ("username", "dev"), ("password", PASSWORD)],
        )
        .await;
    assert!(r.text().contains("The username or password is wrong."));
}

#[tokio::test]
async fn ugly_input_to_a_signed_in_console_is_never_a_server_error() {
    let h = harness().await;
    let mut b = Browser::new(&h);
    b.signup("dev", PASSWORD).await;
    let bodies: [Value; 5] = [
        json!(null),
        json!({"form": {"client_id": 7}}),
        json!({"form": client_form("x\u{0}y"), "create": true}),
        json!({"form": client_form(&"z".repeat(5000)), "create": "yes"}),
        json!({"request": {"method": "GET", "path": "/fhir/Patient", "authorization": "Basic \u{1}"}}),
    ];
    for path in [
        "/api/console/save-client",
        "/api/console/save-user",
        "/api/console/save-policy",
        "/api/console/debug",
    ] {
        for body in &bodies {
            let r = b.call(path, body.clone()).await;
            assert!(
                r.status.is_client_error() || r.status.is_success(),
                "{path} {body}: {}",
                r.status
            );
        }
    }
    for (path, form) in [
        ("/api/console/client", vec![("id", "%00")]),
        ("/api/console/delete-client", vec![("nope", "1")]),
        (
            "/api/console/set-account",
            vec![("username", "dev"), ("admin", "maybe")],
        ),
        ("/api/console/regenerate-secret", vec![("id", "")]),
    ] {
        let r = b.call_form(path, &form).await;
        assert!(r.status.is_client_error(), "{path}: {}", r.status);
    }
}

#[tokio::test]
async fn a_developers_runs_are_theirs() {
    let h = harness().await;
    let mut a = Browser::new(&h);
    let a_secret = developer_with_client(&mut a, "dev-a", "a-client").await;
    let form = [
        ("input[flow]", "client-credentials"),
        ("input[step]", "token"),
        ("input[client_id]", "a-client"),
        ("input[client_secret]", a_secret.as_str()),
        ("input[scope]", "patient.read"),
        ("input[auth]", "post"),
    ];
    let run = a.call_form("/api/sandbox/step", &form).await.json();
    let id = run["id"].as_str().unwrap().to_owned();
    // Its owner sees it, exports it, and may reveal the secret in it.
    let listed = a.call_form("/api/sandbox/runs", &[]).await.text();
    assert!(listed.contains(&id));
    let export = a
        .get(&format!("/sandbox/runs/{id}/export.sh?reveal=true"))
        .await;
    assert_eq!(export.status, 200);
    assert!(export.text().contains(&a_secret));
    // Nobody else does: not a visitor, not another developer.
    let mut visitor = Browser::new(&h);
    let mut b = Browser::new(&h);
    b.signup("dev-b", PASSWORD).await;
    for other in [&mut visitor, &mut b] {
        assert!(
            !other
                .call_form("/api/sandbox/runs", &[])
                .await
                .text()
                .contains(&id)
        );
        assert_eq!(
            other
                .call_form("/api/sandbox/run", &[("id", &id)])
                .await
                .text(),
            "null"
        );
        let export = other
            .get(&format!("/sandbox/runs/{id}/export.sh?reveal=true"))
            .await;
        assert_eq!(export.status, 404);
        // Continuing the run starts a new one instead of writing into it.
        let mut more = form.to_vec();
        more[1] = ("input[step]", "wrong-secret");
        more.push(("input[run]", &id));
        more[2] = ("input[client_id]", "service-client");
        let next = other.call_form("/api/sandbox/step", &more).await.json();
        assert_ne!(next["id"].as_str().unwrap(), id);
    }
    let mine = a.call_form("/api/sandbox/run", &[("id", &id)]).await.json();
    assert_eq!(mine["steps"].as_array().unwrap().len(), 1);
}
