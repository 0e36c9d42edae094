//! The tutorial's learner workspace: a private developer account per browser, opened on the
//! first visit, owning what it makes; its password replaceable by the browser that holds it;
//! collected with everything it owns when it ends; kept by choosing a name and a password;
//! refused across sites; and throttled per address.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;

use axum::body::Body;
use axum::http::{Request, header};
use common::browser::Browser;
use common::*;
use oauth_sandbox::clock::Clock;
use oauth_sandbox::storage::collect::Collector;
use oauth_sandbox::storage::runs::RunOwner;
use serde_json::{Value, json};

/// Opens (with `start`) or reads this browser's workspace.
async fn workspace(b: &mut Browser<'_>, start: bool, new_password: bool) -> Reply {
    let (start, new_password) = (start.to_string(), new_password.to_string());
    b.call_form(
        "/api/console/workspace",
        &[("start", &start), ("new_password", &new_password)],
    )
    .await
}

/// A browser with a new workspace: its name and password.
async fn learner(h: &Harness) -> (Browser<'_>, String, String) {
    let mut b = Browser::new(h);
    assert_eq!(b.get("/tutorial").await.status, 200);
    let r = workspace(&mut b, true, false).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let w = r.json();
    (
        b,
        w["username"].as_str().unwrap().to_owned(),
        w["password"].as_str().unwrap().to_owned(),
    )
}

/// A request to the admin REST API as `user`.
async fn admin_as(h: &Harness, user: (&str, &str), method: &str, path: &str, body: Value) -> Reply {
    h.send(
        Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, basic(user.0, user.1))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap(),
    )
    .await
}

/// Runs a tutorial step of `flow` in `b`'s run `run` (empty: a new run).
async fn step(
    b: &mut Browser<'_>,
    (flow, step, run): (&str, &str, &str),
    (name, password): (&str, &str),
) -> Value {
    let r = b
        .call_form(
            "/api/sandbox/step",
            &[
                ("input[flow]", flow),
                ("input[step]", step),
                ("input[run]", run),
                ("input[workspace]", name),
                ("input[workspace_password]", password),
                ("input[scope]", "patient.read"),
                ("input[auth]", "basic"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
}

fn last_status(run: &Value) -> String {
    run["steps"].as_array().unwrap().last().unwrap()["exchange"]["response"]["start_line"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_first_visit_opens_a_private_workspace_that_owns_what_it_makes() {
    let h = harness().await;
    let (mut a, name, password) = learner(&h).await;
    assert!(
        name.starts_with("learner-") && name.len() == "learner-".len() + 10,
        "{name}"
    );
    assert_eq!(password.len(), 43, "256 random bits, base64url");
    let w = workspace(&mut a, false, false).await.json();
    assert_eq!(w["username"], name.as_str());
    assert_eq!(w["password"], Value::Null, "the password is shown once");
    assert_eq!(w["expires_at"], "2027-01-16T08:00:00Z", "T0 plus 24 hours");

    // The tutorial's steps: a client registered through the admin API as the workspace, then a
    // token with the secret its answer showed, then the API.
    let cc = "client-credentials";
    let run = step(&mut a, (cc, "create-client", ""), (&name, &password)).await;
    assert_eq!(last_status(&run), "HTTP/1.1 201 Created");
    assert_eq!(run["steps"][0]["channel"], "admin");
    assert_eq!(run["steps"][0]["arrows"], json!([]));
    let id = run["id"].as_str().unwrap().to_owned();
    let run = step(&mut a, (cc, "create-policy", &id), (&name, &password)).await;
    assert_eq!(last_status(&run), "HTTP/1.1 201 Created");
    let run = step(&mut a, (cc, "token", &id), (&name, &password)).await;
    assert_eq!(last_status(&run), "HTTP/1.1 200 OK");
    let run = step(&mut a, (cc, "api", &id), (&name, &password)).await;
    assert_eq!(last_status(&run), "HTTP/1.1 200 OK");
    let client = format!("{name}-{cc}");
    let seen = h
        .admin("GET", &format!("/Client/{client}"), None)
        .await
        .json();
    assert_eq!(seen["owner"], name.as_str());

    // Another browser has no workspace, sees neither the run nor the client, and opens one of
    // its own only when it asks.
    let mut b = Browser::new(&h);
    assert_eq!(b.get("/tutorial").await.status, 200);
    assert_eq!(workspace(&mut b, false, false).await.json(), Value::Null);
    let theirs = b.call_form("/api/sandbox/open-run", &[("id", &id)]).await;
    assert_eq!(theirs.json(), Value::Null);
    let (_, other, other_password) = learner(&h).await;
    assert_ne!(other, name);
    let r = admin_as(
        &h,
        (&other, &other_password),
        "GET",
        &format!("/Client/{client}"),
        json!(null),
    )
    .await;
    assert_eq!(r.status, 404, "{}", r.text());
    // A workspace's secret opens no one else's records, and a wrong one opens nothing.
    let r = admin_as(
        &h,
        (&name, "not-the-password"),
        "PUT",
        &format!("/Client/{name}-x"),
        json!({"client_name": "x", "grant_types": ["client_credentials"]}),
    )
    .await;
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn the_runs_a_browser_made_before_move_into_its_workspace() {
    let h = harness().await;
    let mut b = Browser::new(&h);
    assert_eq!(b.get("/").await.status, 200);
    let r = b
        .call_form(
            "/api/sandbox/step",
            &[
                ("input[flow]", "client-credentials"),
                ("input[step]", "token"),
                ("input[client_id]", "service-client"),
                ("input[client_secret]", "service-secret"),
                ("input[scope]", "patient.read"),
            ],
        )
        .await;
    let id = r.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(workspace(&mut b, true, false).await.status, 200);
    let listed = b.call_form("/api/sandbox/runs", &[]).await.text();
    assert!(listed.contains(&id), "{listed}");
}

#[tokio::test]
async fn a_lost_password_is_replaced_and_the_old_one_stops_working() {
    let h = harness().await;
    let (mut a, name, old) = learner(&h).await;
    let r = workspace(&mut a, true, true).await.json();
    let new = r["password"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    let body = json!({"client_name": "x", "grant_types": ["client_credentials"]});
    let path = format!("/Client/{name}-x");
    let r = admin_as(&h, (&name, &old), "PUT", &path, body.clone()).await;
    assert_eq!(r.status, 401);
    let r = admin_as(&h, (&name, &new), "PUT", &path, body).await;
    assert_eq!(r.status, 201, "{}", r.text());
    // A developer account that is no workspace never gets its password replaced.
    let mut d = Browser::new(&h);
    assert_eq!(
        d.signup("dev-keeps", "dev-keeps-password").await.status,
        303
    );
    let r = workspace(&mut d, true, true).await.json();
    assert_eq!(r["username"], "dev-keeps");
    assert_eq!(r["password"], Value::Null);
    assert_eq!(r["expires_at"], Value::Null);
}

#[tokio::test]
async fn an_ended_workspace_is_collected_with_everything_it_owns() {
    let h = harness().await;
    let (mut a, name, password) = learner(&h).await;
    let cc = "client-credentials";
    let run = step(&mut a, (cc, "create-client", ""), (&name, &password)).await;
    let id = run["id"].as_str().unwrap().to_owned();
    step(&mut a, (cc, "create-policy", &id), (&name, &password)).await;
    let run = step(&mut a, (cc, "token", &id), (&name, &password)).await;
    let body = run["steps"][2]["exchange"]["response"]["body"]
        .as_str()
        .unwrap();
    let token = serde_json::from_str::<Value>(body).unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let bearer = format!("Bearer {token}");
    assert_eq!(h.get("/fhir/Patient", Some(&bearer)).await.status, 200);
    let person = admin_as(
        &h,
        (&name, &password),
        "PUT",
        &format!("/User/{name}-patient"),
        json!({"password": "person-password"}),
    )
    .await;
    assert_eq!(person.status, 201, "{}", person.text());

    // Not a second early.
    h.clock.advance(24 * 3600 - 1);
    let mut collector = Collector::default();
    let now = h.clock.now();
    let done = collector
        .collect(&h.state.db, now, h.state.run_retention, 10)
        .await
        .unwrap();
    assert_eq!(done.workspaces, 0);
    h.clock.advance(2);
    let now = h.clock.now();
    let done = collector
        .collect(&h.state.db, now, h.state.run_retention, 10)
        .await
        .unwrap();
    assert_eq!(done.workspaces, 1);

    for path in [
        format!("/Client/{name}-{cc}"),
        format!("/AccessPolicy/{name}-{cc}-reads"),
        format!("/User/{name}-patient"),
        format!("/User/{name}"),
    ] {
        assert_eq!(h.admin("GET", &path, None).await.status, 404, "{path}");
    }
    // Its tokens went with its client: the API refuses the one it was given.
    assert_eq!(h.get("/fhir/Patient", Some(&bearer)).await.status, 401);
    let gone = oauth_sandbox::storage::runs::get(&h.state.db, &id, RunOwner::Developer(&name))
        .await
        .unwrap();
    assert!(gone.is_none());
    // The browser's session went with it: it has no workspace until it asks for a new one.
    assert_eq!(workspace(&mut a, false, false).await.json(), Value::Null);
}

/// Keeps `b`'s workspace as `username` with `password`.
async fn keep(b: &mut Browser<'_>, username: &str, password: &str) -> Reply {
    b.call_form(
        "/api/console/keep-workspace",
        &[("username", username), ("password", password)],
    )
    .await
}

#[tokio::test]
async fn a_kept_workspace_takes_the_chosen_name_keeps_what_it_made_and_stays() {
    let h = harness().await;
    let (mut a, name, password) = learner(&h).await;
    let cc = "client-credentials";
    step(&mut a, (cc, "create-client", ""), (&name, &password)).await;
    let r = keep(&mut a, "alice", "a-long-password").await;
    assert_eq!(r.status, 409, "a taken name: {}", r.text());
    let r = keep(&mut a, "learner-mine", "a-long-password").await;
    assert_eq!(r.status, 400, "{}", r.text());
    let r = keep(&mut a, "pat-dev", "short").await;
    assert_eq!(r.status, 400, "{}", r.text());
    let r = keep(&mut a, "pat-dev", "a-long-password").await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["expires_at"], Value::Null);

    let client = h
        .admin("GET", &format!("/Client/{name}-{cc}"), None)
        .await
        .json();
    assert_eq!(client["owner"], "pat-dev");
    assert_eq!(
        h.admin("GET", &format!("/User/{name}"), None).await.status,
        404
    );
    // The same browser stays signed in, as the new name; the new password works.
    assert_eq!(
        workspace(&mut a, false, false).await.json()["username"],
        "pat-dev"
    );
    let r = admin_as(
        &h,
        ("pat-dev", "a-long-password"),
        "GET",
        "/Client",
        json!(null),
    )
    .await;
    assert_eq!(r.status, 200);
    let r = keep(&mut a, "pat-dev-2", "a-long-password").await;
    assert_eq!(r.status, 409, "kept already: {}", r.text());

    // The collector leaves it alone.
    h.clock.advance(48 * 3600);
    let now = h.clock.now();
    let done = Collector::default()
        .collect(&h.state.db, now, h.state.run_retention, 10)
        .await
        .unwrap();
    assert_eq!(done.workspaces, 0);
    assert_eq!(h.admin("GET", "/User/pat-dev", None).await.status, 200);
}

#[tokio::test]
async fn another_site_cannot_open_or_keep_a_workspace() {
    let h = harness().await;
    let req = Request::post("/api/console/workspace")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .header(header::ORIGIN, "https://evil.example")
        .body(Body::from("start=true&new_password=false"))
        .unwrap();
    let r = h.send(req).await;
    assert_eq!(r.status, 403, "{}", r.text());
    assert!(
        r.headers_all("set-cookie")
            .iter()
            .all(|c| !c.starts_with("sandbox_console"))
    );
    let users = oauth_sandbox::storage::users::list(&h.state.db, None)
        .await
        .unwrap();
    assert!(users.iter().all(|u| !u.username.starts_with("learner-")));
}

#[tokio::test]
async fn one_address_opens_thirty_workspaces_then_waits() {
    let h = harness().await;
    for _ in 0..30 {
        let mut b = Browser::new(&h);
        assert_eq!(workspace(&mut b, true, false).await.status, 200);
    }
    let mut b = Browser::new(&h);
    let r = workspace(&mut b, true, false).await;
    assert_eq!(r.status, 429, "{}", r.text());
    assert!(
        r.text().contains("try again in 120 seconds"),
        "{}",
        r.text()
    );
    h.clock.advance(120);
    assert_eq!(workspace(&mut b, true, false).await.status, 200);
}
