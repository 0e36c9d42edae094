//! Server functions the sandbox pages call. Each runs on the server and uses the backend the
//! server provided as context.

#[cfg(feature = "ssr")]
use super::catalogue::Channel;
pub use super::catalogue::Flow;
pub use super::error::SandboxError;
use super::wire::{Outgoing, RunView, SavedRun, StepInput, TokenInspection};
#[cfg(feature = "ssr")]
use super::wire::{RunStep, next_number};
use leptos::prelude::*;

/// The endpoints the sandbox may send to: this server's own protocol endpoints and demo API,
/// and the admin REST API's clients, users and policies (which authenticate every request
/// themselves, so the sandbox can do there only what the credentials on the card may); never
/// the pages, the keys or anything else.
pub fn allowed(path: &str) -> bool {
    use crate::endpoints as ep;
    let path = path.split('?').next().unwrap_or(path);
    let one_of = |template: &str| {
        let prefix = template.trim_end_matches("{id}");
        path.strip_prefix(prefix)
            .is_some_and(|id| !id.is_empty() && !id.contains('/'))
    };
    [
        ep::TOKEN,
        ep::DEVICE_AUTHORIZATION,
        ep::INTROSPECT,
        ep::REVOKE,
        ep::USERINFO,
        ep::PATIENTS,
        ep::OBSERVATIONS,
        ep::ENCOUNTERS,
        ep::SMART_CONFIGURATION,
        ep::TEST_ISSUER_TOKEN,
        ep::LAUNCH,
    ]
    .contains(&path)
        || path.starts_with("/fhir/Patient/")
        || [ep::CLIENT, ep::USER, ep::POLICY, ep::TRUSTED_ISSUER]
            .into_iter()
            .any(one_of)
}

/// Runs one step of a flow for real: plans it from the run so far (or takes the learner's
/// edit of the planned request), sends it through the server, stores the run and returns it.
/// A plain form post (before hydration) is answered with a redirect to the flow page.
#[server(endpoint = "sandbox/step")]
pub async fn take_step(input: StepInput) -> Result<RunView, SandboxError> {
    use super::steps;
    let backend = backend()?;
    let headers = request_headers();
    let from = browser_extensions();
    let flow = input
        .flow
        .ok_or_else(|| SandboxError::refused("the step does not say which flow it belongs to"))?;
    let prior = prior_run(&backend, &headers, &input.run, flow).await?;
    let mut run_steps = prior.as_ref().map(|r| r.steps.clone()).unwrap_or_default();
    // Another server: its discovery document comes first, read once per run.
    let target = match input.target.trim() {
        "" => None,
        typed => {
            let found = discover(&backend, &mut run_steps, typed).await?;
            if found.is_none() || input.step == Some(super::catalogue::StepKind::Discover) {
                return finish(&backend, headers, prior, flow, run_steps, &input).await;
            }
            found
        }
    };
    let held = steps::held(&run_steps, &input.token);
    let mut input = input;
    input.issuer = backend.issuer();
    if !input.client_id.is_empty() && target.is_none() && flow != Flow::JwtAuth {
        ensure_may_use(&backend, &headers, &input.client_id).await?;
    }
    let plan = steps::plan(&input, &held).map_err(SandboxError::refused)?;
    let (mut request, edited) = match input.edited.clone() {
        Some(edit) if edit != plan.request => (edit, true),
        _ => (plan.request.clone(), false),
    };
    match &target {
        Some(t) => {
            if request.path.starts_with('/') {
                request.path = t
                    .relocate(&request.path, &input.api_url)
                    .map_err(SandboxError::refused)?;
            }
            if !t.allows(&request.path) {
                return Err(SandboxError::refused(format!(
                    "the sandbox sends only to the endpoints {} advertises and to its own origin, not to {}",
                    t.issuer, request.path
                )));
            }
        }
        None if !allowed(&request.path) => {
            return Err(SandboxError::refused(format!(
                "the sandbox does not send to {}",
                request.path
            )));
        }
        None => {}
    }
    let mut exchange = backend
        .send(from, request)
        .await
        .map_err(SandboxError::refused)?;
    if let Some(t) = &target {
        let endpoint = exchange
            .request
            .start_line
            .split(' ')
            .nth(1)
            .and_then(|path| t.endpoint_at(path));
        exchange.checks = super::client_checks::of(endpoint, &exchange);
    }
    let number = next_number(&run_steps);
    let arrows: Vec<_> = plan
        .arrow
        .into_iter()
        .flat_map(|a| std::iter::once(a).chain(a.answer()))
        .collect();
    let title = match edited {
        true => format!("{number}. {} (edited)", plan.title),
        false => format!("{number}. {}", plan.title),
    };
    run_steps.push(RunStep {
        number,
        title,
        lesson: plan.lesson.into(),
        arrows,
        channel: match plan.arrow {
            Some(_) => Channel::Back,
            None => Channel::Admin,
        },
        params: Vec::new(),
        exchange,
    });
    finish(&backend, headers, prior, flow, run_steps, &input).await
}

/// Stores the run's steps and answers with the run as the page shows it; a plain form post is
/// redirected to the flow page instead.
#[cfg(feature = "ssr")]
async fn finish(
    backend: &super::backend::Backend,
    headers: http::HeaderMap,
    prior: Option<SavedRun>,
    flow: Flow,
    run_steps: Vec<RunStep>,
    input: &StepInput,
) -> Result<RunView, SandboxError> {
    let id = backend
        .save_run(headers, prior.map(|r| r.id), flow, run_steps.clone())
        .await
        .map_err(SandboxError::server)?;
    if super::error::is_form_post() {
        leptos_axum::redirect(&format!("{}?run={id}#results", flow.path()));
    }
    Ok(view_of(backend, id, flow, run_steps, &input.token).await)
}

/// The server `typed` names, from the run's discovery step, reading its document first when
/// the run has none: the RFC 8414 address, then the OpenID one, each fetch a card of its own.
/// `None` when no document could be used (the cards say why).
#[cfg(feature = "ssr")]
pub(super) async fn discover(
    backend: &super::backend::Backend,
    run_steps: &mut Vec<RunStep>,
    typed: &str,
) -> Result<Option<super::target::Target>, SandboxError> {
    use super::target::Target;
    if let Some(t) = Target::of_run(run_steps) {
        return match t.is(typed) {
            true => Ok(Some(t)),
            false => Err(SandboxError::refused(format!(
                "this run talks to {}; start a new run to use another server",
                t.issuer
            ))),
        };
    }
    if run_steps.iter().any(|s| !s.exchange.relayed()) {
        return Err(SandboxError::refused(
            "this run talks to this server; start a new run to use another one",
        ));
    }
    let number = next_number(run_steps);
    let mut found = None;
    for (mut exchange, reading) in read_metadata(backend, typed).await? {
        exchange.checks = reading.checks;
        let lesson = match (&reading.target, exchange.status) {
            (Some(_), _) => {
                "The server's metadata: the endpoints each step will use and what it supports. A client checks the document before it trusts any of it."
            }
            (None, 200) => {
                "This document cannot be used: a client that trusted it could be sent to someone else's endpoints (a mix-up attack). Its checks say what is wrong."
            }
            (None, _) => {
                "Nothing usable at this address. Servers publish their metadata at the RFC 8414 address, the OpenID one, or both."
            }
        };
        run_steps.push(RunStep {
            number,
            title: format!("{number}. Read the discovery document"),
            lesson: lesson.into(),
            arrows: Vec::new(),
            channel: Channel::Discovery,
            params: reading.found,
            exchange,
        });
        found = reading.target;
    }
    Ok(found)
}

/// Fetches the metadata `typed` names: the RFC 8414 address, then the OpenID one, stopping at
/// the first that answers 200. Each fetch with what a client reads from it.
#[cfg(feature = "ssr")]
pub(super) async fn read_metadata(
    backend: &super::backend::Backend,
    typed: &str,
) -> Result<Vec<(super::wire::Exchange, super::target::Reading)>, SandboxError> {
    use super::target::{discovery_urls, read};
    let mut out = Vec::new();
    for (url, issuer) in discovery_urls(typed).map_err(SandboxError::refused)? {
        let get = super::requests::get_json(&url);
        let exchange = backend
            .send(browser_extensions(), get)
            .await
            .map_err(SandboxError::refused)?;
        let reading = read(
            &url,
            &issuer,
            exchange.status,
            &exchange.response.headers,
            &exchange.response.body,
        );
        let done = reading.target.is_some() || exchange.status == 200;
        out.push((exchange, reading));
        if done {
            break;
        }
    }
    Ok(out)
}

/// The server `typed` names, or why its metadata cannot be used.
#[cfg(feature = "ssr")]
async fn find_target(
    backend: &super::backend::Backend,
    typed: &str,
) -> Result<super::target::Target, SandboxError> {
    let readings = read_metadata(backend, typed).await?;
    let last = readings.last().map(|(x, r)| (x.status, r));
    match last {
        Some((_, r)) if r.target.is_some() => Ok(r.target.clone().unwrap_or_default()),
        Some((status, r)) => {
            let failed: Vec<&str> = r
                .checks
                .iter()
                .filter(|c| !c.passed)
                .map(|c| c.name.as_str())
                .collect();
            Err(SandboxError::refused(format!(
                "the metadata of {typed} cannot be used (last answer {status}): {}",
                failed.join("; ")
            )))
        }
        None => Err(SandboxError::refused(format!(
            "no metadata found for {typed}"
        ))),
    }
}

/// The request step `input.step` would send now, for its card to show and the learner to edit.
#[server(endpoint = "sandbox/plan")]
pub async fn plan_step(input: StepInput) -> Result<Outgoing, SandboxError> {
    let backend = backend()?;
    let prior = match input.flow {
        Some(flow) => prior_run(&backend, &request_headers(), &input.run, flow).await?,
        None => None,
    };
    let steps = prior.map(|r| r.steps).unwrap_or_default();
    let held = super::steps::held(&steps, &input.token);
    let mut plan = super::steps::plan(&input, &held).map_err(SandboxError::refused)?;
    // Against another server, the card shows where the request will really go.
    if let Some(t) = super::target::Target::of_run(&steps).filter(|t| t.is(&input.target))
        && plan.request.path.starts_with('/')
    {
        plan.request.path = t
            .relocate(&plan.request.path, &input.api_url)
            .map_err(SandboxError::refused)?;
    }
    Ok(plan.request)
}

/// Starts recording the browser's visit to the authorization server for run `run` (empty for
/// a new run): the exchanges of `client_id` with `state` join the run. `url` is the
/// authorization request as the page built it for this server; for another server (`target`),
/// the same request goes to the authorization endpoint that server advertises, and the run
/// records the URL the browser is sent to. Returns the run's id and the URL to go to.
#[server(endpoint = "sandbox/front-channel")]
pub async fn watch_front_channel(
    flow: Flow,
    run: String,
    client_id: String,
    state: String,
    #[server(default)] target: String,
    #[server(default)] url: String,
) -> Result<(String, String), SandboxError> {
    use super::backend::FrontChannelWatch;
    if !flow.entry().front_channel {
        return Err(SandboxError::refused(format!(
            "the {flow} flow has no front channel"
        )));
    }
    if state.is_empty() || client_id.is_empty() {
        return Err(SandboxError::refused(
            "the front channel is recorded by client_id and state: send both",
        ));
    }
    let backend = backend()?;
    let headers = request_headers();
    let prior = prior_run(&backend, &headers, &run, flow).await?;
    if !target.trim().is_empty() {
        return super::outside::send_browser(&backend, headers, prior, flow, &target, &url).await;
    }
    ensure_may_use(&backend, &headers, &client_id).await?;
    let number = prior.as_ref().map_or(1, |r| next_number(&r.steps));
    let id = backend
        .watch_front_channel(
            headers,
            prior.map(|r| r.id),
            flow,
            FrontChannelWatch {
                client_id,
                state,
                number,
            },
        )
        .await
        .map_err(SandboxError::server)?;
    Ok((id, url))
}

/// The run whose front channel came back to this browser with `state`: the callback page shows
/// it, oldest exchange first. From another server, whose pages the sandbox never sees, the
/// callback's parameters (`returned`) join the run, once, with the checks a client runs on them.
#[server(endpoint = "sandbox/watched-run")]
pub async fn watched_run(
    flow: Flow,
    state: String,
    #[server(default)] returned: Vec<(String, String)>,
) -> Result<Option<RunView>, SandboxError> {
    let backend = backend()?;
    let headers = request_headers();
    let run = match backend
        .watched_run(headers.clone(), flow, state.clone())
        .await
        .map_err(SandboxError::server)?
    {
        Some(run) => Some(run),
        None => super::outside::came_back(&backend, headers, flow, &state, returned).await?,
    };
    let Some(run) = run else {
        return Ok(None);
    };
    let flow = run.flow.unwrap_or(flow);
    Ok(Some(view_of(&backend, run.id, flow, run.steps, "").await))
}

/// Run `id` of `flow`, if it is the caller's; none for an empty id, another flow's run or
/// someone else's.
#[cfg(feature = "ssr")]
async fn prior_run(
    backend: &super::backend::Backend,
    headers: &http::HeaderMap,
    id: &str,
    flow: Flow,
) -> Result<Option<SavedRun>, SandboxError> {
    if id.is_empty() {
        return Ok(None);
    }
    Ok(backend
        .run(headers.clone(), id.to_owned())
        .await
        .map_err(SandboxError::server)?
        .filter(|r| r.flow == Some(flow)))
}

/// Refuses a client the caller may not use: another developer's.
#[cfg(feature = "ssr")]
async fn ensure_may_use(
    backend: &super::backend::Backend,
    headers: &http::HeaderMap,
    client_id: &str,
) -> Result<(), SandboxError> {
    match backend.may_use(headers.clone(), client_id.to_owned()).await {
        true => Ok(()),
        false => Err(SandboxError::refused(format!(
            "there is no client named {client_id:?} that you may use"
        ))),
    }
}

/// A stored run as its flow page shows it.
#[server(endpoint = "sandbox/open-run")]
pub async fn open_run(id: String) -> Result<Option<RunView>, SandboxError> {
    let backend = backend()?;
    let Some(run) = backend
        .run(request_headers(), id)
        .await
        .map_err(SandboxError::server)?
    else {
        return Ok(None);
    };
    let Some(flow) = run.flow else {
        return Ok(None);
    };
    Ok(Some(view_of(&backend, run.id, flow, run.steps, "").await))
}

#[cfg(feature = "ssr")]
pub(super) async fn view_of(
    backend: &super::backend::Backend,
    id: String,
    flow: Flow,
    steps: Vec<RunStep>,
    outside_token: &str,
) -> RunView {
    let held = super::steps::held(&steps, outside_token);
    let keys = Keys::of_run(backend, &steps).await;
    let inspection = match &held.token {
        Some(t) => Some(keys.inspect(backend, t).await),
        None => None,
    };
    let refresh = match &held.refresh {
        Some(t) => Some(keys.inspect(backend, t).await),
        None => None,
    };
    let id_token = match &held.id_token {
        Some((t, access)) => {
            let (client_id, nonce) = held.authorized_as.clone().unwrap_or_default();
            let inspection = keys.inspect(backend, t).await;
            let expected = super::id_token::Expected {
                issuer: keys.issuer(backend),
                client_id,
                nonce,
                access_token: access.clone(),
                now: inspection.now,
            };
            let mut checks = vec![super::wire::CheckLine {
                name: "the signature verifies with the key its kid names in the JWKS".into(),
                rfc: "OpenID Core §3.1.3.7 step 6".into(),
                passed: inspection.signature_valid,
            }];
            checks.extend(super::id_token::checks(t, &expected));
            Some(super::wire::IdTokenView { inspection, checks })
        }
        None => None,
    };
    let mut steps = steps;
    super::credentials::hide_typed_secrets(&mut steps);
    RunView {
        id,
        flow: Some(flow),
        steps,
        token: held.token,
        has_refresh: held.refresh.is_some(),
        has_retired_refresh: held.retired_refresh.is_some(),
        inspection,
        refresh,
        id_token,
    }
}

/// The keys a run's tokens are checked with: this server's, or the key set another server
/// publishes at its `jwks_uri`, fetched through the relay.
#[cfg(feature = "ssr")]
enum Keys {
    Own,
    Outside {
        issuer: String,
        /// The key set and where it came from, or why there is none.
        jwks: Result<(String, String), String>,
    },
}

#[cfg(feature = "ssr")]
impl Keys {
    async fn of_run(backend: &super::backend::Backend, steps: &[RunStep]) -> Self {
        use super::target::{Endpoint, Target};
        let Some(target) = Target::of_run(steps) else {
            return Keys::Own;
        };
        let jwks = match target.url_of(Endpoint::Jwks) {
            Err(why) => Err(why),
            Ok(uri) => {
                let get = super::requests::get_json(&uri);
                match backend.send(browser_extensions(), get).await {
                    Ok(x) if x.status == 200 => Ok((x.response.body, uri)),
                    Ok(x) => Err(format!("{uri} answered {}", x.response.start_line)),
                    Err(e) => Err(format!("{uri}: {e}")),
                }
            }
        };
        Keys::Outside {
            issuer: target.issuer,
            jwks,
        }
    }

    fn issuer(&self, backend: &super::backend::Backend) -> String {
        match self {
            Keys::Own => backend.issuer(),
            Keys::Outside { issuer, .. } => issuer.clone(),
        }
    }

    /// A token of the run, decoded; an opaque one of this server with what it knows of it.
    async fn inspect(&self, backend: &super::backend::Backend, token: &str) -> TokenInspection {
        match self {
            Keys::Own => inspected(backend, token).await,
            Keys::Outside { jwks, .. } => {
                let (key, uri) = match jwks {
                    Ok((key, uri)) => (key.clone(), uri.clone()),
                    Err(_) => (r#"{"keys":[]}"#.to_owned(), String::new()),
                };
                let mut inspection = backend.inspect_with(token.to_owned(), key).await;
                match jwks {
                    Ok(_) => {
                        inspection.signature_note =
                            format!("{} Keys from {uri}.", inspection.signature_note)
                    }
                    Err(why) => {
                        inspection.signature_valid = false;
                        inspection.signature_note = format!("Not checked: {why}.");
                    }
                }
                inspection
            }
        }
    }
}

/// A token of the run, decoded; an opaque one with what the server knows of it.
#[cfg(feature = "ssr")]
async fn inspected(backend: &super::backend::Backend, token: &str) -> TokenInspection {
    let mut inspection = backend.inspect(token.to_owned()).await;
    if !inspection.is_jwt {
        inspection.introspection = Some(backend.introspect_own(token.to_owned()).await);
    }
    inspection
}

/// The extensions of the browser's request (its address, for the throttle).
#[cfg(feature = "ssr")]
pub(super) fn browser_extensions() -> http::Extensions {
    use_context::<http::request::Parts>()
        .map(|p| p.extensions)
        .unwrap_or_default()
}

/// The headers of the request being served (the console session cookie travels in them).
#[cfg(feature = "ssr")]
fn request_headers() -> http::HeaderMap {
    use_context::<http::request::Parts>()
        .map(|p| p.headers)
        .unwrap_or_default()
}

#[cfg(feature = "ssr")]
fn backend() -> Result<super::backend::Backend, SandboxError> {
    use_context::<super::backend::Backend>()
        .ok_or_else(|| SandboxError::server("no sandbox backend"))
}

/// This browser's newest runs, typed secrets masked.
#[server(endpoint = "sandbox/runs")]
pub async fn list_runs() -> Result<Vec<SavedRun>, SandboxError> {
    let mut runs = backend()?
        .runs(request_headers())
        .await
        .map_err(SandboxError::server)?;
    for run in &mut runs {
        super::credentials::hide_typed_secrets(&mut run.steps);
    }
    Ok(runs)
}

/// One of this browser's runs, typed secrets masked.
#[server(endpoint = "sandbox/run")]
pub async fn get_run(id: String) -> Result<Option<SavedRun>, SandboxError> {
    let mut run = backend()?
        .run(request_headers(), id)
        .await
        .map_err(SandboxError::server)?;
    if let Some(run) = &mut run {
        super::credentials::hide_typed_secrets(&mut run.steps);
    }
    Ok(run)
}

/// Deletes one of this browser's runs. A plain form post goes back to the run list.
#[server(endpoint = "sandbox/delete-run")]
pub async fn delete_run(id: String) -> Result<bool, SandboxError> {
    let deleted = backend()?
        .delete_run(request_headers(), id)
        .await
        .map_err(SandboxError::server)?;
    if super::error::is_form_post() {
        leptos_axum::redirect(crate::endpoints::RUNS);
    }
    Ok(deleted)
}

/// Decodes and checks a token.
#[server(endpoint = "sandbox/inspect")]
pub async fn inspect_token(token: String) -> Result<TokenInspection, SandboxError> {
    Ok(backend()?.inspect(token).await)
}

/// The token inspector: decodes any token and checks its signature with the pasted `key`, or
/// with this server's published keys when it is empty. Nothing is stored.
#[server(endpoint = "tools/inspect")]
pub async fn inspect_with_key(token: String, key: String) -> Result<TokenInspection, SandboxError> {
    let token = token.trim().to_owned();
    if token.is_empty() {
        return Err(SandboxError::refused("paste a token first"));
    }
    Ok(backend()?.inspect_with(token, key).await)
}

/// The token inspector with the keys the token's issuer publishes: its `iss` claim, that
/// server's discovery document, then its `jwks_uri`, all fetched through the relay (this
/// server's own keys when `iss` is this server). Nothing is stored.
#[server(endpoint = "tools/inspect-issuer")]
pub async fn inspect_from_issuer(token: String) -> Result<TokenInspection, SandboxError> {
    use super::target::Endpoint;
    let token = token.trim().to_owned();
    let backend = backend()?;
    let iss = claim_of(&token, "iss")
        .ok_or_else(|| SandboxError::refused("the token has no iss claim to find its keys by"))?;
    if iss == backend.issuer() {
        let mut inspection = backend.inspect(token).await;
        inspection.signature_note = format!("{} (iss is this server.)", inspection.signature_note);
        return Ok(inspection);
    }
    let target = find_target(&backend, &iss).await?;
    let jwks_uri = target
        .url_of(Endpoint::Jwks)
        .map_err(SandboxError::refused)?;
    let get = super::requests::get_json(&jwks_uri);
    let keys = backend
        .send(browser_extensions(), get)
        .await
        .map_err(SandboxError::refused)?;
    if keys.status != 200 {
        return Err(SandboxError::refused(format!(
            "{jwks_uri} answered {}",
            keys.response.start_line
        )));
    }
    let mut inspection = backend.inspect_with(token, keys.response.body).await;
    inspection.signature_note = format!(
        "{} Keys from {jwks_uri}, named by {}.",
        inspection.signature_note, target.discovery_url
    );
    Ok(inspection)
}

/// A claim of a JWT's payload, read without any check.
#[cfg(feature = "ssr")]
fn claim_of(token: &str, name: &str) -> Option<String> {
    use base64::Engine;
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    claims.get(name)?.as_str().map(str::to_owned)
}

/// Introspects `token` (RFC 7662) at `server` (empty: this server) as the client `client_id`
/// with `client_secret`: the exchange as it crossed, with the checks the client ran on an
/// answer from another server. Nothing is stored.
#[server(endpoint = "tools/introspect")]
pub async fn introspect_at(
    server: String,
    client_id: String,
    client_secret: String,
    token: String,
) -> Result<super::wire::Exchange, SandboxError> {
    use super::requests::ClientAuth;
    use super::target::Endpoint;
    let token = token.trim().to_owned();
    if token.is_empty() || client_id.trim().is_empty() {
        return Err(SandboxError::refused(
            "introspection needs the token and the client that asks (RFC 7662 §2.1)",
        ));
    }
    let backend = backend()?;
    let auth = match client_secret.is_empty() {
        true => ClientAuth::None,
        false => ClientAuth::Basic,
    };
    let mut request = super::requests::introspect(auth, client_id.trim(), &client_secret, &token);
    let target = match server.trim() {
        "" => None,
        typed => Some(find_target(&backend, typed).await?),
    };
    if let Some(t) = &target {
        request.path = t
            .url_of(Endpoint::Introspection)
            .map_err(SandboxError::refused)?;
    }
    let mut exchange = backend
        .send(browser_extensions(), request)
        .await
        .map_err(SandboxError::refused)?;
    if target.is_some() {
        exchange.checks = super::client_checks::of(Some(Endpoint::Introspection), &exchange);
    }
    Ok(exchange)
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_protocol_endpoints_and_the_admin_records_are_allowed() {
        for ok in [
            "/auth/token",
            "/auth/introspect",
            "/auth/revoke",
            "/fhir/Patient",
            "/fhir/Patient/pat-1",
            "/auth/token?x=1",
            "/auth/device",
            "/Client/learner-1-basic",
            "/AccessPolicy/p",
            "/User/alice",
        ] {
            assert!(super::allowed(ok), "{ok}");
        }
        for no in [
            "/Client",
            "/Client/",
            "/Client/x/$secret",
            "/User/alice/Consent",
            "/Key/$rotate",
            "/Key/k1",
            "/",
            "/auth/login",
            "/auth/device/verify",
            "/api/sandbox/send",
        ] {
            assert!(!super::allowed(no), "{no}");
        }
    }
}
