//! Two real server processes of one issuer on one database (a SQLite file, or PostgreSQL when
//! `TEST_POSTGRES_URL` names a server), as two nodes behind a load balancer: a code flow whose
//! pages alternate between them, a secret regenerated on one refused by the other, a key rotated
//! on one verifying on the other, a refresh token reused across them, wrong passwords spread
//! over both counted as one guesser's, and a SIGKILL of one that
//! loses nothing it acknowledged.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;
use common::browser::hidden;
use common::wire::start_ready;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use serde_json::Value;
use std::collections::HashMap;
use std::process::Child;

const ADMIN: &str = "two-nodes-admin-password";
const ISSUER: &str = "http://sandbox.test";
const REDIRECT: &str = "http://127.0.0.1:8080/callback";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

fn start(dir: &std::path::Path, addr: &str) -> Child {
    common::wire::spawn_server(dir, addr, ADMIN, &["--issuer", ISSUER])
}

/// An HTTP answer: status, the headers that matter here, body.
struct Answer {
    status: u16,
    location: Option<String>,
    cookies: Vec<String>,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

/// A browser's worth of HTTP: one cookie jar, any node.
#[derive(Default)]
struct Agent {
    jar: HashMap<String, String>,
}

impl Agent {
    async fn send(
        &mut self,
        method: &str,
        node: &str,
        path: &str,
        auth: Option<&str>,
        form: Option<&[(&str, &str)]>,
    ) -> Answer {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let mut request = client.request(method.parse().unwrap(), format!("http://{node}{path}"));
        if !self.jar.is_empty() {
            let jar: Vec<String> = self.jar.iter().map(|(k, v)| format!("{k}={v}")).collect();
            request = request.header(COOKIE, jar.join("; "));
        }
        if let Some(auth) = auth {
            request = request.header(AUTHORIZATION, auth);
        }
        if let Some(form) = form {
            let body = form_urlencoded::Serializer::new(String::new())
                .extend_pairs(form)
                .finish();
            request = request
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let cookies: Vec<String> = response
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect();
        for set in &cookies {
            if let Some((k, v)) = set.split(';').next().and_then(|p| p.split_once('=')) {
                self.jar.insert(k.to_owned(), v.to_owned());
            }
        }
        let body = response.text().await.unwrap();
        Answer {
            status,
            location,
            cookies,
            body,
        }
    }
}

fn basic(id: &str, secret: &str) -> String {
    common::wire::basic(id, secret)
}

async fn token(node: &str, client: (&str, &str), form: &[(&str, &str)]) -> Answer {
    Agent::default()
        .send(
            "POST",
            node,
            "/auth/token",
            Some(&basic(client.0, client.1)),
            Some(form),
        )
        .await
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_serve_one_issuer() {
    let dir = tempfile::tempdir().unwrap();
    let (mut first, a) = start_ready(|addr| start(dir.path(), addr)).await;
    let (mut second, b) = start_ready(|addr| start(dir.path(), addr)).await;
    let admin = basic("admin", ADMIN);

    // A code flow: authorize on A, sign in on B, consent on A, redeem on B.
    let mut person = Agent::default();
    let query = format!(
        "response_type=code&client_id=web-client&redirect_uri={}&scope=openid&state=s1&code_challenge={CHALLENGE}&code_challenge_method=S256",
        urlencode(REDIRECT)
    );
    let page = person
        .send("GET", &a, &format!("/auth/authorize?{query}"), None, None)
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let (request, csrf) = (hidden(&page.body, "request"), hidden(&page.body, "csrf"));
    let form = [
        ("request", request.as_str()),
        ("csrf", csrf.as_str()),
        ("username", "alice"),
        ("password", "alice-password"),
    ];
    let signed_in = person
        .send("POST", &b, "/auth/login", None, Some(&form))
        .await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.body);
    assert!(!signed_in.cookies.is_empty());
    let consent = signed_in.location.unwrap();
    let page = person.send("GET", &a, &consent, None, None).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let (request, csrf) = (hidden(&page.body, "request"), hidden(&page.body, "csrf"));
    let answer = [
        ("request", request.as_str()),
        ("csrf", csrf.as_str()),
        ("decision", "approve"),
    ];
    let back = person
        .send("POST", &b, "/auth/consent", None, Some(&answer))
        .await;
    assert_eq!(back.status, 303, "{}", back.body);
    let back = url::Url::parse(&back.location.unwrap()).unwrap();
    let code = back
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let redeemed = token(
        &a,
        ("web-client", "web-secret"),
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(redeemed.status, 200, "{}", redeemed.body);

    // A secret regenerated on A is refused by B at once (B verified the old one first).
    let cc = [("grant_type", "client_credentials")];
    assert_eq!(
        token(&b, ("service-client", "service-secret"), &cc)
            .await
            .status,
        200
    );
    let fresh = Agent::default()
        .send(
            "POST",
            &a,
            "/Client/service-client/$secret",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(fresh.status, 200, "{}", fresh.body);
    let new_secret = fresh.json()["client_secret"].as_str().unwrap().to_owned();
    assert_eq!(
        token(&b, ("service-client", "service-secret"), &cc)
            .await
            .status,
        401
    );
    assert_eq!(
        token(&b, ("service-client", &new_secret), &cc).await.status,
        200
    );

    // A key rotated on A: its tokens verify on B at once.
    let rotated = Agent::default()
        .send("POST", &a, "/Key/$rotate", Some(&admin), None)
        .await;
    assert!((200..300).contains(&rotated.status), "{}", rotated.body);
    let jwt = token(&a, ("service-client", &new_secret), &cc).await.json()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let api = Agent::default()
        .send(
            "GET",
            &b,
            "/fhir/Patient",
            Some(&format!("Bearer {jwt}")),
            None,
        )
        .await;
    assert_eq!(api.status, 200, "{}", api.body);

    // A refresh token rotated on B and reused on A: the family is revoked.
    let pw = token(
        &a,
        ("password-client", "password-secret"),
        &[
            ("grant_type", "password"),
            ("username", "alice"),
            ("password", "alice-password"),
        ],
    )
    .await
    .json();
    let r1 = pw["refresh_token"].as_str().unwrap().to_owned();
    let refresh = |node: String, value: String| async move {
        token(
            &node,
            ("password-client", "password-secret"),
            &[("grant_type", "refresh_token"), ("refresh_token", &value)],
        )
        .await
    };
    let rotated = refresh(b.clone(), r1.clone()).await;
    assert_eq!(rotated.status, 200, "{}", rotated.body);
    let r2 = rotated.json()["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(
        refresh(a.clone(), r1).await.json()["error"],
        "invalid_grant"
    );
    assert_eq!(
        refresh(b.clone(), r2).await.json()["error"],
        "invalid_grant"
    );

    // Wrong passwords for bob alternating between the nodes count once: after the fifth, B
    // (which counted it) refuses at once, and A within a second, even the right password.
    let bob = |node: String, password: &'static str| async move {
        token(
            &node,
            ("password-client", "password-secret"),
            &[
                ("grant_type", "password"),
                ("username", "bob"),
                ("password", password),
            ],
        )
        .await
    };
    for node in [&a, &b, &a, &b, &b] {
        assert_eq!(bob(node.clone(), "wrong").await.status, 400);
    }
    assert_eq!(bob(b.clone(), "bob-password").await.status, 429);
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(bob(a.clone(), "bob-password").await.status, 429);

    // SIGKILL A while it issues tokens: B knows every token A acknowledged.
    let issued = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let mut workers = Vec::new();
    for _ in 0..4 {
        let (node, issued) = (a.clone(), issued.clone());
        workers.push(tokio::spawn(async move {
            loop {
                let client = reqwest::Client::new();
                let sent = client
                    .post(format!("http://{node}/auth/token"))
                    .header(
                        AUTHORIZATION,
                        basic("service-client-opaque", "service-secret"),
                    )
                    .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body("grant_type=client_credentials")
                    .send()
                    .await;
                let Ok(response) = sent else { break };
                let Ok(text) = response.text().await else {
                    break;
                };
                let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                if let Some(t) = v["access_token"].as_str() {
                    issued.lock().unwrap().push(t.to_owned());
                }
            }
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    first.kill().unwrap();
    first.wait().unwrap();
    for w in workers {
        w.await.unwrap();
    }
    let issued = issued.lock().unwrap().clone();
    assert!(!issued.is_empty());
    let mut inspector = Agent::default();
    for t in &issued {
        let r = inspector
            .send(
                "POST",
                &b,
                "/auth/introspect",
                Some(&basic("service-client-opaque", "service-secret")),
                Some(&[("token", t.as_str())]),
            )
            .await;
        assert_eq!(
            r.json()["active"],
            true,
            "a token A acknowledged is unknown to B"
        );
    }
    second.kill().unwrap();
    second.wait().unwrap();
}
