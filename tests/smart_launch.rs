//! SMART App Launch 2.x end to end at the protocol level: discovery, `aud`, the standalone
//! patient picker, EHR launches (`POST /Launch`, bound to a client, expiring, single use), the
//! launch context in the token response, introspection and refreshes, `fhirUser` in the ID
//! token, and the patient compartment at the FHIR API.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;
use base64::Engine;
use common::browser::{Browser, hidden, location};
use common::*;
use serde_json::{Value, json};

const REDIRECT: &str = "http://127.0.0.1/smart/callback";
const VERIFIER: &str = "a-code-verifier-of-at-least-forty-three-characters-0123456789";
const SCOPE: &str = "openid fhirUser launch/patient patient/*.rs offline_access";

fn fhir_base() -> String {
    format!("{ISSUER}/fhir")
}

fn challenge() -> String {
    let hash = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, VERIFIER.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(hash.as_ref())
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The query of a SMART authorization request of `smart-app`.
fn query(scope: &str, aud: Option<&str>, launch: Option<&str>) -> String {
    let mut q = format!(
        "response_type=code&client_id=smart-app&redirect_uri={}&scope={}&state=s1&code_challenge={}&code_challenge_method=S256",
        enc(REDIRECT),
        enc(scope),
        challenge()
    );
    if let Some(a) = aud {
        q.push_str(&format!("&aud={}", enc(a)));
    }
    if let Some(l) = launch {
        q.push_str(&format!("&launch={}", enc(l)));
    }
    q
}

/// Redeems `code` at the token endpoint as the public smart-app.
async fn redeem(h: &Harness, code: &str) -> Reply {
    redeem_as(h, "smart-app", code).await
}

/// RFC 6749 §4.1.2.1 / §5.2: error_description is `%x20-21 / %x23-5B / %x5D-7E`.
fn assert_rfc6749_text(text: &str) {
    assert!(
        text.bytes()
            .all(|b| (0x20..=0x7e).contains(&b) && b != b'"' && b != b'\\'),
        "outside the RFC 6749 character set: {text:?}"
    );
}

fn claims_of(jwt: &str) -> Value {
    jwt_part(jwt, 1)
}

/// Signs in as `user` on the login page `page`, picks `patient` when the picker comes, and
/// approves; returns the redirect to the app.
async fn sign_in_pick_and_approve(
    b: &mut Browser<'_>,
    page: &Reply,
    user: &str,
    patient: Option<&str>,
) -> Reply {
    assert_eq!(page.status, 200, "{}", page.text());
    let mut r = b.login(page, user, &format!("{user}-password")).await;
    assert_eq!(r.status, 303, "{}", r.text());
    let mut loc = r.header("location").unwrap().to_owned();
    if loc.starts_with("/auth/patient") {
        let picker = b.get(&loc).await;
        assert_eq!(picker.status, 200, "{}", picker.text());
        let html = picker.text();
        let chosen = patient.expect("a patient to pick");
        assert!(
            html.contains(&format!("value=\"{chosen}\"")),
            "the picker lists {chosen}: {html}"
        );
        let (request, csrf) = (hidden(&html, "request"), hidden(&html, "csrf"));
        r = b
            .post(
                "/auth/patient",
                &[("request", &request), ("csrf", &csrf), ("patient", chosen)],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.text());
        loc = r.header("location").unwrap().to_owned();
    } else {
        assert!(patient.is_none(), "the picker was expected at {loc}");
    }
    if loc.starts_with("/auth/consent") {
        let consent = b.get(&loc).await;
        assert!(
            consent
                .text()
                .contains("of the patient chosen for this app only"),
            "SMART scopes in words: {}",
            consent.text()
        );
        if let Some(p) = patient {
            assert!(
                consent
                    .text()
                    .contains(&format!("know the patient in context: Patient/{p}")),
                "the consent page names the chosen patient"
            );
        }
        r = b.consent(&loc, "approve").await;
    }
    r
}

#[tokio::test]
async fn the_smart_configuration_lists_what_is_implemented() {
    let h = harness().await;
    let r = h.get("/fhir/.well-known/smart-configuration", None).await;
    assert_eq!(r.status, 200);
    let c = r.json();
    assert_eq!(c["issuer"], ISSUER);
    assert_eq!(
        c["authorization_endpoint"],
        format!("{ISSUER}/auth/authorize")
    );
    assert_eq!(c["token_endpoint"], format!("{ISSUER}/auth/token"));
    assert_eq!(c["code_challenge_methods_supported"], json!(["S256"]));
    let caps: Vec<&str> = c["capabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for cap in [
        "launch-ehr",
        "launch-standalone",
        "client-public",
        "client-confidential-asymmetric",
        "context-standalone-patient",
        "context-ehr-patient",
        "sso-openid-connect",
        "permission-v1",
        "permission-v2",
    ] {
        assert!(caps.contains(&cap), "{cap}");
    }
    // Nothing this server does not do.
    for absent in [
        "permission-online",
        "context-standalone-encounter",
        "context-passthrough-banner",
    ] {
        assert!(!caps.contains(&absent), "{absent}");
    }
    let methods = c["token_endpoint_auth_methods_supported"]
        .as_array()
        .unwrap();
    assert!(methods.contains(&json!("private_key_jwt")));
    let algs = c["token_endpoint_auth_signing_alg_values_supported"]
        .as_array()
        .unwrap();
    assert!(algs.contains(&json!("RS384")) && algs.contains(&json!("ES384")));
    // CORS: an app on another origin reads it first.
    let req = axum::http::Request::get("/fhir/.well-known/smart-configuration")
        .header("origin", "https://app.example")
        .body(axum::body::Body::empty())
        .unwrap();
    let r = h.send(req).await;
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    // The capability statement names the same endpoints.
    let m = h.get("/fhir/metadata", None).await.json();
    assert!(m.to_string().contains(&format!("{ISSUER}/auth/token")));
    assert_eq!(h.get("/fhir/smart-style.json", None).await.status, 200);
}

#[tokio::test]
async fn aud_must_be_the_fhir_base() {
    let h = harness().await;
    let mut b = Browser::new(&h);
    // Missing and wrong aud: back to the app with invalid_request, before any sign-in.
    for aud in [
        None,
        Some("https://evil.example/fhir"),
        Some(&*format!("{ISSUER}/fhir/Patient")),
    ] {
        let r = b
            .get(&format!("/auth/authorize?{}", query(SCOPE, aud, None)))
            .await;
        assert_eq!(r.status, 302, "{aud:?}: {}", r.text());
        let (base, q, _) = location(&r);
        assert_eq!(base, REDIRECT);
        assert_eq!(q["error"], "invalid_request", "{aud:?}");
        assert!(
            q["error_description"].contains("aud"),
            "{:?}",
            q["error_description"]
        );
        assert_rfc6749_text(&q["error_description"]);
        assert!(!q.contains_key("code"));
        assert_eq!(q["state"], "s1");
    }
    // A trailing slash is the same base.
    let r = b
        .get(&format!(
            "/auth/authorize?{}",
            query(SCOPE, Some(&format!("{}/", fhir_base())), None)
        ))
        .await;
    assert_eq!(r.status, 200, "the login page: {}", r.text());
    // A request with no SMART scope needs no aud.
    let plain = format!(
        "response_type=code&client_id=web-client&redirect_uri={}&scope=openid&code_challenge={}&code_challenge_method=S256",
        enc(&format!("{ISSUER}/sandbox/callback")),
        challenge()
    );
    assert_eq!(b.get(&format!("/auth/authorize?{plain}")).await.status, 200);
    // SMART never uses the implicit grant.
    let implicit = format!(
        "response_type=token&client_id=spa-client&redirect_uri={}&scope={}&aud={}",
        enc(&format!("{ISSUER}/sandbox/callback")),
        enc("openid"),
        enc(&fhir_base())
    );
    let r = b.get(&format!("/auth/authorize?{implicit}")).await;
    assert_eq!(location(&r).2["error"], "unsupported_response_type");
}

#[tokio::test]
async fn a_standalone_launch_picks_the_patient_and_the_tokens_carry_it() {
    let h = harness().await;
    let mut b = Browser::new(&h);
    let page = b
        .get(&format!(
            "/auth/authorize?{}",
            query(SCOPE, Some(&fhir_base()), None)
        ))
        .await;
    let r = sign_in_pick_and_approve(&mut b, &page, "alice", Some("pat-2")).await;
    let (base, q, _) = location(&r);
    assert_eq!(base, REDIRECT);
    let t = redeem(&h, &q["code"]).await;
    assert_eq!(t.status, 200, "{}", t.text());
    let t = t.json();
    assert_eq!(t["patient"], "pat-2");
    assert_eq!(t["need_patient_banner"], true);
    assert_eq!(
        t["smart_style_url"],
        format!("{ISSUER}/fhir/smart-style.json")
    );
    assert!(t.get("encounter").is_none());
    assert!(
        t.get("fhirUser").is_none(),
        "fhirUser travels in the ID token"
    );
    // The ID token names alice's FHIR resource.
    let id = claims_of(t["id_token"].as_str().unwrap());
    assert_eq!(id["fhirUser"], format!("{ISSUER}/fhir/Practitioner/prac-1"));
    assert_eq!(id["sub"], "alice");
    let access = t["access_token"].as_str().unwrap();
    let bearer = format!("Bearer {access}");
    // The compartment: pat-2 and its data, never pat-1's.
    let r = h.get("/fhir/Patient/pat-2", Some(&bearer)).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = h.get("/fhir/Patient/pat-1", Some(&bearer)).await;
    r.assert_error(403, "insufficient_scope");
    assert!(
        r.header("www-authenticate")
            .unwrap()
            .contains("insufficient_scope")
    );
    let obs = h
        .get("/fhir/Observation?patient=pat-2", Some(&bearer))
        .await
        .json();
    assert_eq!(obs["total"], 3);
    let leaked = h
        .get("/fhir/Observation?patient=pat-1", Some(&bearer))
        .await
        .json();
    assert_eq!(
        leaked["total"], 0,
        "a search outside the compartment finds nothing"
    );
    let all = h.get("/fhir/Encounter", Some(&bearer)).await.json();
    assert_eq!(all["total"], 1);
    // Introspection (by a confidential client of the same grant only) and userinfo.
    let info = h.get("/auth/userinfo", Some(&bearer)).await.json();
    assert_eq!(
        info["fhirUser"],
        format!("{ISSUER}/fhir/Practitioner/prac-1")
    );
    // A refresh keeps the context.
    let refresh = t["refresh_token"].as_str().unwrap();
    let r = h
        .post_form(
            "/auth/token",
            None,
            &format!(
                "grant_type=refresh_token&client_id=smart-app&refresh_token={}",
                enc(refresh)
            ),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["patient"], "pat-2");
    let again = format!("Bearer {}", r.json()["access_token"].as_str().unwrap());
    assert_eq!(h.get("/fhir/Patient/pat-1", Some(&again)).await.status, 403);
}

#[tokio::test]
async fn the_picker_refuses_a_forged_form_and_an_unknown_patient() {
    let h = harness().await;
    let mut b = Browser::new(&h);
    let page = b
        .get(&format!(
            "/auth/authorize?{}",
            query(SCOPE, Some(&fhir_base()), None)
        ))
        .await;
    let r = b.login(&page, "bob", "bob-password").await;
    let loc = r.header("location").unwrap().to_owned();
    assert!(loc.starts_with("/auth/patient?request="), "{loc}");
    let html = b.get(&loc).await.text();
    let (request, csrf) = (hidden(&html, "request"), hidden(&html, "csrf"));
    let r = b
        .post(
            "/auth/patient",
            &[
                ("request", &request),
                ("csrf", &csrf),
                ("patient", "pat-404"),
            ],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.text().contains("Choose one of the patients listed"));
    // bob is Patient/pat-2: his own record is the only one he may open, listed or forged.
    assert!(html.contains("value=\"pat-2\""), "{html}");
    assert!(!html.contains("value=\"pat-1\""), "{html}");
    let r = b
        .post(
            "/auth/patient",
            &[("request", &request), ("csrf", &csrf), ("patient", "pat-1")],
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.text().contains("Choose one of the patients listed"));
    // Another browser cannot answer it.
    let mut other = Browser::new(&h);
    let r = other
        .post(
            "/auth/patient",
            &[("request", &request), ("csrf", &csrf), ("patient", "pat-1")],
        )
        .await;
    assert_eq!(r.status, 403);
    // prompt=none cannot pick.
    let silent = format!("{}&prompt=none", query(SCOPE, Some(&fhir_base()), None));
    let r = b.get(&format!("/auth/authorize?{silent}")).await;
    assert_eq!(location(&r).1["error"], "interaction_required");
}

/// Registers a SMART app with a launch URL, owned by the system.
async fn launchable(h: &Harness) {
    let r = h
        .admin(
            "PUT",
            "/Client/ehr-app",
            Some(json!({
                "client_name": "EHR app",
                "token_endpoint_auth_method": "none",
                "grant_types": ["authorization_code"],
                "redirect_uris": [REDIRECT],
                "scope": "openid fhirUser launch launch/patient patient/*.rs",
                "launch_uri": "https://app.example/launch?mode=ehr"
            })),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
}

async fn launch(h: &Harness, body: Value) -> Reply {
    h.admin("POST", "/Launch", Some(body)).await
}

fn ehr_query(launch: &str) -> String {
    format!(
        "response_type=code&client_id=ehr-app&redirect_uri={}&scope={}&state=s1&code_challenge={}&code_challenge_method=S256&aud={}&launch={}",
        enc(REDIRECT),
        enc("openid fhirUser launch patient/*.rs"),
        challenge(),
        enc(&fhir_base()),
        enc(launch)
    )
}

#[tokio::test]
async fn an_ehr_launch_carries_its_context_once() {
    let h = harness().await;
    launchable(&h).await;
    let r = launch(
        &h,
        json!({"client_id": "ehr-app", "patient": "pat-3", "encounter": "enc-3",
               "fhirUser": "Practitioner/prac-2",
               "fhirContext": [{"reference": "Observation/obs-3-1"}]}),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let created = r.json();
    let value = created["launch"].as_str().unwrap().to_owned();
    let url = url::Url::parse(created["launch_url"].as_str().unwrap()).unwrap();
    assert_eq!(url.host_str(), Some("app.example"));
    let q: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(q["mode"], "ehr", "the launch URL's own query is kept");
    assert_eq!(q["iss"], fhir_base());
    assert_eq!(q["launch"], value);
    assert_eq!(created["expires_in"], 300);

    let mut b = Browser::new(&h);
    let page = b
        .get(&format!("/auth/authorize?{}", ehr_query(&value)))
        .await;
    let r = sign_in_pick_and_approve(&mut b, &page, "alice", None).await;
    let code = location(&r).1["code"].clone();
    let t = redeem_as(&h, "ehr-app", &code).await;
    assert_eq!(t.status, 200, "{}", t.text());
    let t = t.json();
    assert_eq!(t["patient"], "pat-3");
    assert_eq!(t["encounter"], "enc-3");
    assert_eq!(
        t["fhirContext"],
        json!([{"reference": "Observation/obs-3-1"}])
    );
    assert_eq!(t["need_patient_banner"], false);
    let id = claims_of(t["id_token"].as_str().unwrap());
    assert_eq!(
        id["fhirUser"],
        format!("{ISSUER}/fhir/Practitioner/prac-2"),
        "the launch's user wins"
    );
    let bearer = format!("Bearer {}", t["access_token"].as_str().unwrap());
    assert_eq!(
        h.get("/fhir/Patient/pat-3", Some(&bearer)).await.status,
        200
    );
    assert_eq!(
        h.get("/fhir/Patient/pat-1", Some(&bearer)).await.status,
        403
    );

    // The same launch value a second time: refused, no token.
    let r = b
        .get(&format!("/auth/authorize?{}", ehr_query(&value)))
        .await;
    let (_, q, _) = location(&r);
    assert_eq!(q["error"], "invalid_request");
    assert!(
        q["error_description"].contains("already used"),
        "{:?}",
        q["error_description"]
    );
    assert_rfc6749_text(&q["error_description"]);
}

async fn redeem_as(h: &Harness, client: &str, code: &str) -> Reply {
    let body = format!(
        "grant_type=authorization_code&client_id={client}&code={}&redirect_uri={}&code_verifier={VERIFIER}",
        enc(code),
        enc(REDIRECT)
    );
    h.post_form("/auth/token", None, &body).await
}

#[tokio::test]
async fn a_launch_is_bound_to_its_client_and_expires() {
    let h = harness().await;
    launchable(&h).await;
    let value = launch(&h, json!({"client_id": "ehr-app", "patient": "pat-1"}))
        .await
        .json()["launch"]
        .as_str()
        .unwrap()
        .to_owned();
    // smart-app cannot use ehr-app's launch.
    let other = format!(
        "{}&launch={}",
        query("openid launch patient/*.rs", Some(&fhir_base()), None),
        enc(&value)
    );
    let mut b = Browser::new(&h);
    let r = b.get(&format!("/auth/authorize?{other}")).await;
    assert!(location(&r).1["error_description"].contains("another client"));
    // A made-up value, and launch without the launch scope.
    let r = b
        .get(&format!(
            "/auth/authorize?{}",
            ehr_query("0123.not-a-launch")
        ))
        .await;
    assert!(location(&r).1["error_description"].contains("not one this server issued"));
    let r = b
        .get(&format!(
            "/auth/authorize?{}",
            query("openid patient/*.rs", Some(&fhir_base()), Some(&value))
        ))
        .await;
    assert!(location(&r).1["error_description"].contains("launch scope"));
    // Five minutes later it has expired (and the refusals above did not spend it).
    h.clock.advance(301);
    let r = b
        .get(&format!("/auth/authorize?{}", ehr_query(&value)))
        .await;
    assert!(location(&r).1["error_description"].contains("expired"));
}

#[tokio::test]
async fn only_the_owner_or_an_admin_launches_and_bad_context_is_named() {
    let h = harness().await;
    launchable(&h).await;
    for (body, field) in [
        (
            json!({"client_id": "ehr-app", "patient": "pat-9"}),
            "patient",
        ),
        (
            json!({"client_id": "ehr-app", "patient": "pat-1", "encounter": "enc-2"}),
            "encounter",
        ),
        (
            json!({"client_id": "ehr-app", "fhirUser": "Device/d1"}),
            "fhirUser",
        ),
        (
            json!({"client_id": "ehr-app", "fhirContext": [{"reference": "Patient/nope"}]}),
            "fhirContext[0]",
        ),
        (
            json!({"client_id": "web-client", "patient": "pat-1"}),
            "client_id",
        ),
        (
            json!({"client_id": "nobody", "patient": "pat-1"}),
            "client_id",
        ),
    ] {
        let r = launch(&h, body.clone()).await;
        assert_eq!(r.status, 400, "{body}: {}", r.text());
        assert_eq!(r.json()["field"], field, "{body}");
    }
    let r = launch(&h, json!({"client_id": "ehr-app", "patiant": "pat-1"})).await;
    assert_eq!(r.status, 400, "unknown fields are refused");
    // A developer may not launch a client that is not theirs.
    let mut dev = Browser::new(&h);
    assert_eq!(dev.signup("dora", "dora-password").await.status, 303);
    let as_dora = basic("dora", "dora-password");
    let r = h
        .send(json_request(
            "POST",
            "/Launch",
            &as_dora,
            Some(json!({"client_id": "ehr-app", "patient": "pat-1"})),
        ))
        .await;
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(r.json()["field"], "client_id");
    // Their own client they may launch.
    let r = h
        .send(json_request(
            "PUT",
            "/Client/dora-app",
            &as_dora,
            Some(json!({"client_name": "Dora's app", "token_endpoint_auth_method": "none",
                        "grant_types": ["authorization_code"], "redirect_uris": [REDIRECT],
                        "scope": "launch patient/*.rs", "launch_uri": "https://dora.example/launch"})),
        ))
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let r = h
        .send(json_request(
            "POST",
            "/Launch",
            &as_dora,
            Some(json!({"client_id": "dora-app", "patient": "pat-1"})),
        ))
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let r = h
        .send(json_request(
            "POST",
            "/Launch",
            &basic("alice", "alice-password"),
            Some(json!({"client_id": "ehr-app"})),
        ))
        .await;
    assert_eq!(r.status, 403, "{}", r.text());
    let r = h
        .send(json_request(
            "POST",
            "/Launch",
            "",
            Some(json!({"client_id": "ehr-app"})),
        ))
        .await;
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn introspection_returns_the_launch_context() {
    let h = harness().await;
    let r = h
        .admin(
            "PUT",
            "/Client/conf-app",
            Some(json!({
                "client_name": "Confidential SMART app", "client_secret": "conf-app-secret",
                "grant_types": ["authorization_code"], "redirect_uris": [REDIRECT],
                "scope": "openid fhirUser launch/patient patient/*.rs"
            })),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let mut b = Browser::new(&h);
    let q = query(SCOPE, Some(&fhir_base()), None)
        .replace("client_id=smart-app", "client_id=conf-app")
        .replace(
            &enc(SCOPE),
            &enc("openid fhirUser launch/patient patient/*.rs"),
        );
    let page = b.get(&format!("/auth/authorize?{q}")).await;
    let r = sign_in_pick_and_approve(&mut b, &page, "bob", Some("pat-2")).await;
    let code = location(&r).1["code"].clone();
    let body = format!(
        "grant_type=authorization_code&code={}&redirect_uri={}&code_verifier={VERIFIER}",
        enc(&code),
        enc(REDIRECT)
    );
    let t = h.token(("conf-app", "conf-app-secret"), &body).await;
    assert_eq!(t.status, 200, "{}", t.text());
    let access = t.json()["access_token"].as_str().unwrap().to_owned();
    let i = h
        .post_form(
            "/auth/introspect",
            Some(&basic("conf-app", "conf-app-secret")),
            &format!("token={}", enc(&access)),
        )
        .await
        .json();
    assert_eq!(i["active"], true);
    assert_eq!(i["patient"], "pat-2");
    assert_eq!(
        i["fhirUser"],
        format!("{ISSUER}/fhir/Patient/pat-2"),
        "bob is a patient"
    );
    assert_eq!(i["need_patient_banner"], true);
}
