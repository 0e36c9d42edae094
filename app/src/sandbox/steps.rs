//! The catalogue of steps the flow pages offer: for each flow and step, the request it sends,
//! what it teaches, and the diagram arrow it travels on. The server plans and sends every step,
//! whether it came from a hydrated click or from a plain form post before hydration.

use super::catalogue::{ArrowId, Channel, Flow, StepKind};
use super::requests::{self, ClientAuth};
use super::setup;
use super::target::{Endpoint, Target};
use super::wire::{RunStep, StepInput};
use crate::endpoints as ep;

/// A step, ready to send.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    pub title: &'static str,
    pub lesson: &'static str,
    /// The diagram arrow the request travels on (its answer comes back on the next); none for
    /// the setup through the admin REST API, which happens before the flow.
    pub arrow: Option<ArrowId>,
    pub request: super::wire::Outgoing,
}

/// What a run holds after its steps so far.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Held {
    /// The newest access token.
    pub token: Option<String>,
    /// The newest refresh token.
    pub refresh: Option<String>,
    /// The first refresh token of the run, once a newer one replaced it.
    pub retired_refresh: Option<String>,
    /// The current access token was revoked by a step of this run.
    pub revoked: bool,
    /// The newest ID token, and the access token that came with it.
    pub id_token: Option<(String, Option<String>)>,
    /// The newest authorization request's client_id and nonce (front channel).
    pub authorized_as: Option<(String, Option<String>)>,
    /// The client the run registered through the admin API, and the secret its answer showed
    /// (none for a public client).
    pub registered: Option<(String, Option<String>)>,
    /// The person the run created through the admin API, and the password it gave them.
    pub person: Option<(String, String)>,
    /// The newest device code the device authorization endpoint gave (RFC 8628 §3.2).
    pub device_code: Option<String>,
    /// The patient in context: the newest token response's `patient` (SMART App Launch 2.x).
    pub patient: Option<String>,
    /// The newest client assertion the client signed (RFC 7523 §2.2), and whether a token
    /// request of the run has sent it already.
    pub assertion: Option<(String, bool)>,
    /// The newest EHR launch: its `launch_url` (SMART App Launch 2.x §2.0.1).
    pub launch_url: Option<String>,
}

/// What `steps` leave the client holding. A token from outside the run (the implicit flow's
/// fragment) is used when the run issued none.
pub fn held(steps: &[RunStep], outside_token: &str) -> Held {
    let mut held = Held::default();
    let mut first_refresh = None;
    let target = relayed_target(steps);
    for step in steps {
        let param = |name: &str| {
            step.params
                .iter()
                .find(|p| p.name == name)
                .map(|p| p.value.clone())
        };
        if step.channel == Channel::Front
            && let Some(client) = param("client_id")
        {
            held.authorized_as = Some((client, param("nonce")));
        }
        let x = &step.exchange;
        let path = x.request.start_line.split(' ').nth(1).unwrap_or_default();
        if let Some((assertion, used)) = held.assertion.as_mut()
            && path == ep::TOKEN
            && x.request.body.contains(assertion.as_str())
        {
            *used = true;
        }
        if x.status >= 300 {
            continue;
        }
        let endpoint = match x.relayed() {
            true => relayed_endpoint(target.as_ref(), path),
            false => Endpoint::of_own_path(path),
        };
        // The setup steps go to this server's admin REST API only.
        let put = !x.relayed() && x.request.start_line.starts_with("PUT ");
        if put && path.starts_with("/Client/") {
            if let Some(id) = requests::field_of(&x.response.body, "client_id") {
                held.registered = Some((id, requests::field_of(&x.response.body, "client_secret")));
            }
        } else if put && path.starts_with("/User/") {
            if let (Some(name), Some(password)) = (
                requests::field_of(&x.response.body, "username"),
                requests::field_of(&x.request.body, "password"),
            ) {
                held.person = Some((name, password));
            }
        } else if endpoint == Some(Endpoint::Token) {
            if let Some(t) = requests::access_token_of(&x.response.body) {
                held.token = Some(t);
                held.revoked = false;
            }
            if let Some(id) = requests::field_of(&x.response.body, "id_token") {
                held.id_token = Some((id, requests::access_token_of(&x.response.body)));
            }
            if let Some(r) = requests::field_of(&x.response.body, "refresh_token") {
                first_refresh.get_or_insert_with(|| r.clone());
                held.refresh = Some(r);
            }
            if let Some(p) = requests::field_of(&x.response.body, "patient") {
                held.patient = Some(p);
            }
        } else if !x.relayed()
            && path == ep::TEST_ISSUER_TOKEN
            && step.arrows.contains(&ArrowId::AssertionRequest)
        {
            // The client's own signed assertion, for its token request.
            held.assertion = requests::access_token_of(&x.response.body).map(|a| (a, false));
        } else if !x.relayed() && path == ep::TEST_ISSUER_TOKEN {
            // The outside issuer's JWT, for the JWT Auth page's API call.
            held.token = requests::access_token_of(&x.response.body);
            held.revoked = false;
        } else if !x.relayed() && path == ep::LAUNCH {
            held.launch_url = requests::field_of(&x.response.body, "launch_url");
        } else if endpoint == Some(Endpoint::DeviceAuthorization) {
            held.device_code = requests::field_of(&x.response.body, "device_code");
        } else if endpoint == Some(Endpoint::Revocation) {
            held.revoked = true;
        }
    }
    held.retired_refresh = first_refresh.filter(|f| Some(f) != held.refresh.as_ref());
    if held.token.is_none() && !outside_token.is_empty() {
        held.token = Some(outside_token.to_owned());
    }
    held
}

/// The other server a run talks to, from its discovery card. Only the server reads discovery
/// documents, which keeps the URL parser out of the browser's bundle; in the browser (the
/// tutorial's checklist) every exchange counts as this server's.
#[cfg(feature = "ssr")]
fn relayed_target(steps: &[RunStep]) -> Option<Target> {
    Target::of_run(steps)
}

#[cfg(not(feature = "ssr"))]
fn relayed_target(_: &[RunStep]) -> Option<Target> {
    None
}

/// The endpoint of the run's other server a relayed request reached.
#[cfg(feature = "ssr")]
fn relayed_endpoint(target: Option<&Target>, path: &str) -> Option<Endpoint> {
    target?.endpoint_at(path)
}

#[cfg(not(feature = "ssr"))]
fn relayed_endpoint(_: Option<&Target>, _: &str) -> Option<Endpoint> {
    None
}

fn auth_of(input: &StepInput, secret: &str) -> ClientAuth {
    match input.auth.as_str() {
        _ if secret.is_empty() => ClientAuth::None,
        "post" => ClientAuth::Post,
        _ => ClientAuth::Basic,
    }
}

/// Plans step `input.step` of flow `input.flow` for a run that holds `held`.
pub fn plan(input: &StepInput, held: &Held) -> Result<Plan, String> {
    let flow = input
        .flow
        .ok_or("the step does not say which flow it belongs to")?;
    let step = input
        .step
        .ok_or("the form does not say which step to run")?;
    let (to_server, to_api, manage) = (
        ArrowId::TokenRequest,
        ArrowId::ApiCall,
        ArrowId::ManageRequest,
    );
    // A step that names no client uses the one the run registered (or sent the browser with);
    // a step that names the registered client without its secret uses the secret its
    // registration showed.
    let fallback = held
        .registered
        .clone()
        .or_else(|| held.authorized_as.clone().map(|(id, _)| (id, None)));
    let (id, secret) = match (&fallback, input.client_id.as_str()) {
        (Some((id, secret)), "") => (id.clone(), secret.clone().unwrap_or_default()),
        (Some((id, Some(secret))), named) if named == id && input.client_secret.is_empty() => {
            (id.clone(), secret.clone())
        }
        _ => (input.client_id.clone(), input.client_secret.clone()),
    };
    let (id, secret) = (id.as_str(), secret.as_str());
    let auth = auth_of(input, secret);
    // The person: the one named on the page, or the one the run created.
    let (username, password) = match (&held.person, input.username.as_str()) {
        (Some((name, password)), "") => (name.clone(), password.clone()),
        _ => (input.username.clone(), input.password.clone()),
    };
    let token = || {
        held.token
            .clone()
            .ok_or_else(|| "this step needs an access token: get one first".to_owned())
    };
    let password_grant =
        |password: &str| requests::password(auth, id, secret, &username, password, &input.scope);
    let plan = |title, lesson, arrow, request| Plan {
        title,
        lesson,
        arrow: Some(arrow),
        request,
    };
    // Setup through the admin REST API, as the learner's workspace (HTTP Basic): no arrow of
    // the flow's diagram.
    let ws = input.workspace.as_str();
    let admin = |title, lesson, template: &str, id: String, body: serde_json::Value| {
        if ws.is_empty() || input.workspace_password.is_empty() {
            return Err("this step needs your workspace's name and password".to_owned());
        }
        Ok(Plan {
            title,
            lesson,
            arrow: None,
            request: requests::admin_put(
                &setup::path(template, &id),
                ws,
                &input.workspace_password,
                &body,
            ),
        })
    };
    let admin_post = |title, lesson, path: &str, body: serde_json::Value| {
        if ws.is_empty() || input.workspace_password.is_empty() {
            return Err("this step needs your workspace's name and password".to_owned());
        }
        Ok(Plan {
            title,
            lesson,
            arrow: Some(ArrowId::AppLaunch),
            request: requests::admin_post(path, ws, &input.workspace_password, &body),
        })
    };
    use Flow as F;
    use StepKind as S;
    Ok(match (flow, step) {
        (F::Basic, S::Api) => plan(
            "Call the API with Basic credentials",
            "The client sends its id and secret on every call. The API verifies the secret (argon2 once, then a cached HMAC) and asks its access policies.",
            to_api,
            requests::api_call_basic(id, secret),
        ),
        (F::Basic, S::WrongSecret) => plan(
            "Lesson: a wrong secret",
            "401 with a Basic challenge (RFC 7617 §2): the client is asked to authenticate again.",
            to_api,
            requests::api_call_basic(id, "not-the-secret"),
        ),
        (F::Basic, S::NoGrant) => plan(
            "Lesson: a client without the basic grant",
            "service-client has a valid secret but is not registered for the basic grant, so Basic credentials do not open the API for it.",
            to_api,
            requests::api_call_basic("service-client", "service-secret"),
        ),
        (F::ClientCredentials, S::Token) => plan(
            "Request a token",
            "The client proves who it is with its secret and asks for a scope. No user is involved.",
            to_server,
            requests::client_credentials(auth, id, secret, &input.scope),
        ),
        (F::ClientCredentials, S::WrongSecret) => plan(
            "Lesson: a wrong secret",
            "The server answers 401 invalid_client with a Basic challenge (RFC 6749 §5.2) and issues nothing. A secret is compared with the stored argon2 hash; the server never stores or logs it.",
            to_server,
            requests::client_credentials(auth, id, "not-the-secret", &input.scope),
        ),
        (F::Password, S::Token) => plan(
            "Trade the password for tokens",
            "The client collects the user's password itself and sends it to the token endpoint. That is the problem: the client sees the password.",
            to_server,
            password_grant(&password),
        ),
        (F::Password, S::WrongPassword) => plan(
            "Lesson: a wrong password",
            "400 invalid_grant. An unknown user takes exactly as long as a wrong password, so the answer does not reveal who has an account.",
            to_server,
            password_grant("not-her-password"),
        ),
        (F::AuthorizationCode, S::Exchange) => plan(
            "Exchange the code",
            "The back channel: the code, the same redirect_uri, and the code_verifier whose hash is the challenge sent in step 1.",
            to_server,
            code_exchange(input, (auth, id, secret), &input.verifier),
        ),
        (F::AuthorizationCode, S::WrongVerifier) => plan(
            "Lesson: a wrong code_verifier",
            "400 invalid_grant: SHA-256 of this verifier is not the challenge. A stolen code is useless without the verifier (RFC 7636 §1).",
            to_server,
            code_exchange(input, (auth, id, secret), &"x".repeat(43)),
        ),
        (F::AuthorizationCode, S::Replay) => plan(
            "Lesson: replay the code",
            "400 invalid_grant, and every token issued from this code is revoked at once (RFC 6749 §10.5).",
            to_server,
            code_exchange(input, (auth, id, secret), &input.verifier),
        ),
        (
            F::ClientCredentials | F::Password | F::AuthorizationCode | F::Implicit | F::Device,
            S::Api,
        ) if input.placement == "query" => plan(
            "Lesson: the token in the query",
            "RFC 6750 §2.3 allows access_token in the URI but says clients SHOULD NOT send it there: URIs end up in logs, history and Referer headers. This API reads only the Authorization header, so the call counts as unauthenticated: 401 with a challenge.",
            to_api,
            requests::api_call_query(&token()?),
        ),
        (
            F::ClientCredentials | F::Password | F::AuthorizationCode | F::Implicit | F::Device,
            S::Api,
        ) if held.revoked => plan(
            "Call the API after revoking",
            "401 invalid_token: revoked tokens stop working at once, JWTs included, because the API checks each token's id on every call. An expired token gets the same answer.",
            to_api,
            requests::api_call(&token()?),
        ),
        (
            F::ClientCredentials | F::Password | F::AuthorizationCode | F::Implicit | F::Device,
            S::Api,
        ) => plan(
            "Call the demo API",
            "The resource server checks the token's signature, expiry and revocation, then asks its access policies.",
            to_api,
            requests::api_call(&token()?),
        ),
        (
            F::Password | F::AuthorizationCode | F::Device | F::SmartStandalone | F::SmartEhr,
            S::Refresh,
        ) => plan(
            "Refresh",
            "A new access token without the user. A client that rotates refresh tokens gets a new one each time, and the old one is retired.",
            to_server,
            requests::refresh(
                auth,
                id,
                secret,
                &held
                    .refresh
                    .clone()
                    .ok_or("this step needs a refresh token: ask for offline_access")?,
            ),
        ),
        (F::Password | F::AuthorizationCode | F::Device, S::Reuse) => plan(
            "Lesson: reuse a rotated refresh token",
            "Presenting a retired refresh token means it was copied: the server revokes the whole grant, the newest tokens included (RFC 9700 §4.14.2).",
            to_server,
            requests::refresh(
                auth,
                id,
                secret,
                &held
                    .retired_refresh
                    .clone()
                    .ok_or("this lesson needs a retired refresh token: refresh first")?,
            ),
        ),
        (
            F::ClientCredentials | F::Password | F::AuthorizationCode | F::Implicit | F::Device,
            S::Introspect,
        ) if auth == ClientAuth::None => plan(
            "Lesson: a public client cannot introspect",
            "401 invalid_client: RFC 7662 §2.1 lets only authenticated callers introspect, usually resource servers. A browser app reads what it needs from the token response instead.",
            manage,
            requests::introspect(auth, id, secret, &token()?),
        ),
        (
            F::ClientCredentials | F::Password | F::AuthorizationCode | F::Implicit | F::Device,
            S::Introspect,
        ) => plan(
            "Introspect the token",
            "RFC 7662: the server says whether the token is active and what it allows.",
            manage,
            requests::introspect(auth, id, secret, &token()?),
        ),
        (
            F::ClientCredentials | F::Password | F::AuthorizationCode | F::Implicit | F::Device,
            S::Revoke,
        ) => plan(
            "Revoke the token",
            "RFC 7009: 200 whether or not the token was known, so a client cannot probe for tokens. Call the API again to see the 401.",
            manage,
            requests::revoke(auth, id, secret, &token()?),
        ),
        // OpenID Connect Core §5.3: the UserInfo endpoint returns claims about the user the
        // access token was issued for.
        (
            F::AuthorizationCode | F::Implicit | F::Device | F::SmartStandalone | F::SmartEhr,
            S::Userinfo,
        ) => plan(
            "Ask the userinfo endpoint who signed in",
            "OpenID Connect Core §5.3: with the access token, the client asks the authorization server for the user's claims. Its sub must equal the ID token's sub (§5.3.2); a token without the openid scope gets 403 insufficient_scope.",
            ArrowId::UserinfoRequest,
            requests::userinfo(&token()?),
        ),
        (F::Device, S::DeviceAuthorization) => plan(
            "Ask for a device code",
            "RFC 8628 §3.1: the device names itself and a scope; the answer is a device_code only it keeps, a short user_code for the person, and where to type it. The device shows the code and starts polling.",
            ArrowId::DeviceRequest,
            requests::device_authorization(auth, id, secret, &input.scope),
        ),
        (F::Device, S::Token) => plan(
            "Poll the token endpoint",
            "RFC 8628 §3.4: the device asks with its device_code. Until the person answers: authorization_pending. Sooner than the interval after the last poll: slow_down, and the interval grows by five seconds. Approved: the tokens; denied: access_denied; too late: expired_token (§3.5).",
            to_server,
            requests::device_poll(
                auth,
                id,
                secret,
                &held
                    .device_code
                    .clone()
                    .ok_or("this step needs a device code: ask for one first")?,
            ),
        ),
        (F::JwtAuth, S::CreateTrust) => admin(
            "Trust the test issuer",
            "PUT /TrustedIssuer/{id}, as your workspace: the exact iss, the audience meant for this API, where the issuer's public keys are, and the one algorithm it signs with. Nothing else about the issuer is trusted.",
            ep::TRUSTED_ISSUER,
            setup::trust_id(ws),
            setup::trust_body(&input.issuer),
        )?,
        (F::JwtAuth, S::CreatePolicy) => admin(
            "Let its tokens read patients",
            "PUT /AccessPolicy/{id} with issuers: a policy without it admits only this server's own tokens, so trusting an issuer opens nothing by itself.",
            ep::POLICY,
            setup::policy_id(ws, flow),
            setup::outside_policy_body(&input.issuer),
        )?,
        (F::JwtAuth, S::Api) => plan(
            "Call the demo API with the outside JWT",
            "The API sees an iss that is not its own, finds your trust, fetches the issuer's key set (once; then it keeps it), and checks the algorithm, the signature, exp and aud. Then the access policies decide, on the claims the trust maps: sub, azp and scope.",
            to_api,
            requests::api_call(&token()?),
        ),
        (F::JwtAuth, mint) if mint_lesson(mint).is_some() => {
            let (title, lesson, signing, audience, expires_in) =
                mint_lesson(mint).unwrap_or_default();
            let aud = match audience {
                Some(other) => other.to_owned(),
                None if input.audience.is_empty() => setup::api_audience(&input.issuer),
                None => input.audience.clone(),
            };
            let mut claims = serde_json::json!({ "aud": aud });
            if !input.username.is_empty() {
                claims["sub"] = input.username.clone().into();
            }
            if !input.scope.is_empty() {
                claims["scope"] = input.scope.clone().into();
            }
            if !input.client_id.is_empty() {
                claims["azp"] = input.client_id.clone().into();
            }
            plan(
                title,
                lesson,
                ArrowId::MintRequest,
                requests::mint(&claims, signing, expires_in),
            )
        }
        (F::SmartStandalone | F::SmartEhr, S::SmartDiscovery) => plan(
            "Read the SMART configuration",
            "SMART App Launch 2.x §2.0.3: the app asks the FHIR server (iss, or the server it was configured with) where to authorize and what it supports. It must use these endpoints, not guess them, and can check the capabilities before it asks for launch/patient or PKCE.",
            ArrowId::SmartDiscovery,
            requests::get_json(ep::SMART_CONFIGURATION),
        ),
        (F::SmartStandalone | F::SmartEhr, S::Exchange) => plan(
            "Exchange the code",
            "The same back channel as the authorization code flow, for a public client with PKCE. The answer carries the launch context next to the tokens: patient, need_patient_banner, smart_style_url, and an ID token whose fhirUser names the user's FHIR resource.",
            to_server,
            code_exchange(input, (auth, id, secret), &input.verifier),
        ),
        (F::SmartStandalone | F::SmartEhr, S::ReadPatient) => plan(
            "Read the patient in context",
            "The token's patient/ scopes open one compartment: the patient the token response named. The API checks the scope (resource type and r for read) and that the resource belongs to that patient.",
            to_api,
            requests::fhir_get(&patient_path(held)?, &token()?),
        ),
        (F::SmartStandalone | F::SmartEhr, S::ReadObservations) => plan(
            "Search the patient's observations",
            "patient/*.rs allows searching (s) any resource type inside the compartment. A search for another patient's observations would be refused the same way as the lesson's read.",
            to_api,
            requests::fhir_get(
                &format!("{}?patient={}", ep::OBSERVATIONS, held_patient(held)?),
                &token()?,
            ),
        ),
        (F::SmartStandalone | F::SmartEhr, S::OtherPatient) => plan(
            "Lesson: a patient outside the compartment",
            "The same token, another patient's record: 403 with insufficient_scope in WWW-Authenticate (RFC 6750 §3.1). A patient/ scope never reaches past the patient in context, however the id is guessed.",
            to_api,
            requests::fhir_get(
                &ep::PATIENT.replace("{id}", other_patient(&held_patient(held)?)),
                &token()?,
            ),
        ),
        (F::SmartStandalone | F::SmartEhr, S::Api) => plan(
            "Search patients",
            "A search of Patient with a patient/ scope finds the patient in context only: the compartment filters the results, so the app never learns who else is in the EHR.",
            to_api,
            requests::fhir_get(ep::PATIENTS, &token()?),
        ),
        (F::SmartEhr, S::CreateLaunch) => admin_post(
            "The EHR launches your app",
            "POST /Launch, as your workspace, which owns the app: the patient open in the EHR and the user's FHIR resource. The answer is a launch value (bound to your app, five minutes, once) and launch_url, the app's launch URL with iss and launch.",
            ep::LAUNCH,
            setup::launch_body(
                &held
                    .registered
                    .clone()
                    .map(|(id, _)| id)
                    .unwrap_or_else(|| setup::client_id(ws, flow)),
                &input.patient,
                &input.fhir_user,
            ),
        )?,
        (F::BackendServices, S::SignAssertion) => plan(
            "Sign a client assertion",
            "RFC 7523 §3 and SMART Backend Services: iss and sub are the client_id, aud is the token endpoint's URL, exp at most five minutes away, and a fresh jti. The client signs it with its private key; here the test issuer holds the key whose public half the client registered (its jwks_uri).",
            ArrowId::AssertionRequest,
            requests::mint(
                &serde_json::json!({
                    "iss": id,
                    "sub": id,
                    "aud": format!("{}{}", input.issuer.trim_end_matches('/'), ep::TOKEN),
                }),
                "rs256",
                300,
            ),
        ),
        (F::BackendServices, S::Token) => plan(
            "Get a token with the assertion",
            "client_credentials with client_assertion_type and client_assertion instead of a secret. The server finds the client by iss, fetches its key set, checks the signature, aud, exp (at most five minutes) and that it has never seen this jti, then issues a token with system/ scopes.",
            to_server,
            requests::client_credentials_with_assertion(&input.scope, &fresh_assertion(held)?),
        ),
        (F::BackendServices, S::ReplayAssertion) => plan(
            "Lesson: replay the client assertion",
            "The very assertion the token request already used: 401 invalid_client. The server keeps every jti until its assertion expires, so a copied assertion opens nothing (RFC 7523 §3, item 7).",
            to_server,
            requests::client_credentials_with_assertion(&input.scope, &used_assertion(held)?),
        ),
        (F::BackendServices, S::Api) => plan(
            "Call the FHIR API",
            "system/*.rs reads across patients: there is no patient in context and no person. The API checks the scope for each resource type it answers.",
            to_api,
            requests::api_call(&token()?),
        ),
        (flow, S::CreateClient) if !matches!(flow, F::JwtAuth | F::BackendServices) => admin(
            "Register your client",
            "PUT /Client/{id} on the admin REST API, as your workspace. The answer is 201 Created and, for a confidential client, the secret the server generated: shown this once, stored only as an argon2 hash.",
            ep::CLIENT,
            setup::client_id(ws, flow),
            setup::client_body(flow, &input.redirect_uri),
        )?,
        // The SMART flows need no policy: their scopes decide at the FHIR API.
        (flow, S::CreatePolicy)
            if !matches!(flow, F::JwtAuth | F::BackendServices) && !flow.is_smart_launch() =>
        {
            admin(
                "Let your client read patients",
                "PUT /AccessPolicy/{id}: the demo API answers a request only when a policy matches its method, path and credentials. This one names your client.",
                ep::POLICY,
                setup::policy_id(ws, flow),
                setup::policy_body(flow, &setup::client_id(ws, flow)),
            )?
        }
        (flow, S::CreateUser) if setup::has_person(flow) => {
            if input.password.is_empty() {
                return Err("this step needs the password to give the person".into());
            }
            admin(
                "Create a person to sign in as",
                "PUT /User/{id}: a resource owner of your workspace. The server keeps only an argon2 hash of the password.",
                ep::USER,
                setup::username(ws),
                setup::user_body(&input.password),
            )?
        }
        (_, S::Discover) => {
            return Err("discovery reads another server's metadata: name that server first".into());
        }
        (flow, step) => {
            return Err(format!("the {flow} flow has no step {:?}", step.slug()));
        }
    })
}

/// The patient the run's token is for.
fn held_patient(held: &Held) -> Result<String, String> {
    held.patient.clone().ok_or_else(|| {
        "this step needs a token with a patient in context: exchange the code first".to_owned()
    })
}

/// `/fhir/Patient/{patient}` for the patient in context.
fn patient_path(held: &Held) -> Result<String, String> {
    Ok(ep::PATIENT.replace("{id}", &held_patient(held)?))
}

/// A demo patient other than `patient`.
fn other_patient(patient: &str) -> &'static str {
    setup::DEMO_PATIENTS
        .into_iter()
        .find(|p| *p != patient)
        .unwrap_or(setup::DEMO_PATIENTS[0])
}

/// The run's newest client assertion, if no token request has sent it yet.
fn fresh_assertion(held: &Held) -> Result<String, String> {
    match &held.assertion {
        Some((a, false)) => Ok(a.clone()),
        Some((_, true)) => Err(
            "that assertion was sent already, and its jti works once: sign a new one first".into(),
        ),
        None => Err("this step needs a client assertion: sign one first".into()),
    }
}

/// The run's newest client assertion once a token request has sent it.
fn used_assertion(held: &Held) -> Result<String, String> {
    match &held.assertion {
        Some((a, true)) => Ok(a.clone()),
        Some((_, false)) => {
            Err("send the assertion with a token request first; the lesson sends it again".into())
        }
        None => Err(
            "this lesson needs a client assertion: sign one, get a token with it, then replay it"
                .into(),
        ),
    }
}

/// The JWT Auth page's requests to the test issuer: title, lesson, how it signs, another
/// audience (none: the page's), and the lifetime in seconds.
type Mint = (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    i64,
);

fn mint_lesson(step: StepKind) -> Option<Mint> {
    Some(match step {
        StepKind::MintToken => (
            "Get a JWT from the outside issuer",
            "The test issuer stands for an identity provider you do not run. It signs the claims with its RSA key and names that key's kid in the header. Edit the claims on the card if you like.",
            "rs256",
            None,
            300,
        ),
        StepKind::MintWrongAudience => (
            "Lesson: a token meant for another API",
            "A good signature, but aud names another API. Call the API: RFC 7519 §4.1.3 says a JWT whose aud does not identify the recipient MUST be rejected, or a token you gave one service could be replayed at every other.",
            "rs256",
            Some("https://another-api.example"),
            300,
        ),
        StepKind::MintExpired => (
            "Lesson: an expired token",
            "exp two minutes ago. Call the API: it allows the trust's clock skew (60 s by default) and no more (RFC 7519 §4.1.4).",
            "rs256",
            None,
            -120,
        ),
        StepKind::MintUnknownKid => (
            "Lesson: a key id nobody published",
            "The header names a kid that is not in the issuer's key set. Call the API: it fetches the set again once, in case the issuer rotated its keys, then refuses; it refetches at most every 30 s, so made-up kids cannot make it hammer the issuer.",
            "unknown-kid",
            None,
            300,
        ),
        StepKind::MintUnsigned => (
            "Lesson: alg none",
            "An unsecured JWT (RFC 7519 §6): header alg none, no signature. Anyone can write one. Call the API: it is never accepted (RFC 8725 §3.1).",
            "none",
            None,
            300,
        ),
        StepKind::MintHmacConfusion => (
            "Lesson: HMAC with the public key",
            "alg HS256, keyed by the issuer's public RSA key. A verifier that uses whatever key it has with whatever algorithm the token names would accept it: the public key is public. Call the API: the trust allows RS256 only, and an HMAC algorithm is only ever checked with a secret, never with a public key (RFC 8725 §3.1).",
            "hs256-public-key",
            None,
            300,
        ),
        _ => return None,
    })
}

fn code_exchange(
    input: &StepInput,
    (auth, id, secret): (ClientAuth, &str, &str),
    verifier: &str,
) -> super::wire::Outgoing {
    requests::code_exchange(auth, id, secret, &input.code, &input.redirect_uri, verifier)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::wire::{Exchange, HttpMessage};

    fn step(path: &str, status: u16, body: &str) -> RunStep {
        RunStep {
            exchange: Exchange {
                request: HttpMessage {
                    start_line: format!("POST {path} HTTP/1.1"),
                    ..Default::default()
                },
                response: HttpMessage {
                    body: body.into(),
                    ..Default::default()
                },
                status,
                ..Default::default()
            },
            ..Default::default()
        }
    }

    fn input(flow: Flow, step: StepKind) -> StepInput {
        StepInput {
            flow: Some(flow),
            step: Some(step),
            client_id: "c".into(),
            client_secret: "s".into(),
            workspace: "learner-1".into(),
            workspace_password: "pw".into(),
            password: "person-password".into(),
            ..Default::default()
        }
    }

    #[test]
    fn held_tracks_rotation_and_revocation() {
        let steps = [
            step(
                ep::TOKEN,
                200,
                r#"{"access_token":"a1","refresh_token":"r1"}"#,
            ),
            step(ep::TOKEN, 400, r#"{"error":"invalid_grant"}"#),
            step(
                ep::TOKEN,
                200,
                r#"{"access_token":"a2","refresh_token":"r2"}"#,
            ),
        ];
        let h = held(&steps, "");
        assert_eq!(h.token.as_deref(), Some("a2"));
        assert_eq!(h.refresh.as_deref(), Some("r2"));
        assert_eq!(h.retired_refresh.as_deref(), Some("r1"));
        assert!(!h.revoked);
        let mut more = steps.to_vec();
        more.push(step(ep::REVOKE, 200, ""));
        assert!(held(&more, "").revoked);
        assert_eq!(
            held(&[], "from-fragment").token.as_deref(),
            Some("from-fragment")
        );
    }

    #[test]
    fn held_tracks_the_patient_the_launch_and_a_spent_assertion() {
        let mut signed = step(ep::TEST_ISSUER_TOKEN, 200, r#"{"access_token":"jwt-1"}"#);
        signed.arrows = vec![ArrowId::AssertionRequest];
        let launch = step(
            ep::LAUNCH,
            201,
            r#"{"launch_url":"http://app/launch?launch=l"}"#,
        );
        let h = held(&[signed.clone(), launch], "");
        assert_eq!(h.assertion, Some(("jwt-1".into(), false)));
        assert_eq!(h.token, None, "an assertion is not an access token");
        assert_eq!(h.launch_url.as_deref(), Some("http://app/launch?launch=l"));
        let mut used = step(ep::TOKEN, 200, r#"{"access_token":"a","patient":"pat-2"}"#);
        used.exchange.request.body = "client_assertion=jwt-1".into();
        let h = held(&[signed, used], "");
        assert_eq!(h.assertion, Some(("jwt-1".into(), true)));
        assert_eq!(h.patient.as_deref(), Some("pat-2"));
        let mut input = input(Flow::BackendServices, StepKind::Token);
        input.scope = "system/*.rs".into();
        assert!(plan(&input, &h).unwrap_err().contains("works once"));
        input.step = Some(StepKind::ReplayAssertion);
        assert!(
            plan(&input, &h)
                .unwrap()
                .request
                .body
                .contains("client_assertion=jwt-1")
        );
    }

    #[test]
    fn steps_that_need_a_token_say_so() {
        let err = plan(
            &input(Flow::ClientCredentials, StepKind::Api),
            &Held::default(),
        )
        .unwrap_err();
        assert!(err.contains("access token"), "{err}");
        assert!(plan(&StepInput::default(), &Held::default()).is_err());
        assert!(plan(&input(Flow::Basic, StepKind::Refresh), &Held::default()).is_err());
    }

    #[test]
    fn the_api_step_after_revoking_is_the_revocation_lesson() {
        let held = Held {
            token: Some("t".into()),
            revoked: true,
            ..Default::default()
        };
        let p = plan(&input(Flow::Password, StepKind::Api), &held).unwrap();
        assert_eq!(p.title, "Call the API after revoking");
        assert_eq!(p.arrow, Some(ArrowId::ApiCall));
        assert_eq!(p.request.headers[0].1, "Bearer t");
    }

    #[test]
    fn a_public_client_authenticates_with_its_id_only() {
        let mut i = input(Flow::Implicit, StepKind::Revoke);
        i.client_secret.clear();
        let held = Held {
            token: Some("t".into()),
            ..Default::default()
        };
        let p = plan(&i, &held).unwrap();
        assert!(p.request.body.contains("client_id=c"));
        assert!(p.request.headers.iter().all(|(k, _)| k != "authorization"));
    }

    #[test]
    fn every_planned_step_travels_an_arrow_of_its_own_diagram() {
        let all = StepKind::ALL;
        let held = Held {
            token: Some("t".into()),
            refresh: Some("r".into()),
            retired_refresh: Some("r0".into()),
            device_code: Some("d".into()),
            patient: Some("pat-2".into()),
            assertion: Some(("a".into(), false)),
            ..Default::default()
        };
        let mut planned = 0;
        for flow in Flow::ALL {
            for step in all {
                if let Ok(p) = plan(&input(flow, step), &held) {
                    planned += 1;
                    let Some(arrow) = p.arrow else {
                        assert!(p.request.method == "PUT", "{flow} {step:?} has no arrow");
                        continue;
                    };
                    assert!(
                        flow.arrow_number(arrow).is_some(),
                        "{flow} {step:?} travels {:?}, which its diagram lacks",
                        arrow
                    );
                    assert!(
                        super::super::api::allowed(&p.request.path),
                        "{}",
                        p.request.path
                    );
                }
            }
        }
        // Each flow's own steps (the device flow: its request, the poll, the API, userinfo,
        // refresh, reuse, introspect, revoke), then its setup: client and policy for each, and
        // a person for the four where one signs in; JWT Auth: its trust, policy and API call,
        // and six requests to the test issuer. The SMART launches: discovery, the exchange,
        // userinfo, refresh and four FHIR calls, the EHR's launch, and a client and a person
        // each; Backend Services: the assertion, the token and the API (the replay needs a used
        // assertion).
        assert_eq!(
            planned,
            3 + 5 + 7 + 9 + 4 + 8 + 6 * 2 + 4 + 3 + 6 + (8 + 2) + (9 + 2) + 3
        );
    }
}
