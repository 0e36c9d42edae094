//! Server functions the sandbox pages call. Each runs on the server and uses the backend the
//! server provided as context.

#[cfg(feature = "ssr")]
use super::wire::RunStep;
use super::wire::{RunView, SavedRun, StepInput, TokenInspection};
use leptos::prelude::*;

/// The endpoints the sandbox may send to: this server's own protocol endpoints, never the admin
/// API or the pages.
pub fn allowed(path: &str) -> bool {
    use crate::endpoints as ep;
    let path = path.split('?').next().unwrap_or(path);
    [
        ep::TOKEN,
        ep::INTROSPECT,
        ep::REVOKE,
        ep::USERINFO,
        ep::PATIENTS,
    ]
    .contains(&path)
        || path.starts_with("/fhir/Patient/")
}

/// Runs one step of a flow for real: plans it from the run so far, sends it through the server,
/// stores the run and returns it. A plain form post (before hydration) is answered with a
/// redirect to the flow page showing the run.
#[server(endpoint = "sandbox/step")]
pub async fn take_step(input: StepInput) -> Result<RunView, ServerFnError> {
    use super::steps;
    let backend = backend()?;
    let headers = request_headers();
    let prior = match input.run.as_str() {
        "" => None,
        id => backend
            .run(headers.clone(), id.to_owned())
            .await
            .map_err(ServerFnError::new)?
            .filter(|r| r.flow == input.flow),
    };
    let mut run_steps = prior.as_ref().map(|r| r.steps.clone()).unwrap_or_default();
    let held = steps::held(&run_steps, &input.token);
    // A mistake of the caller's (an unknown flow or step, a step that needs a token the run
    // does not hold, a client that is not theirs, a header value that is not one) is a 400:
    // `Args` is the server-function error for refused arguments.
    if !input.client_id.is_empty()
        && !backend
            .may_use(headers.clone(), input.client_id.clone())
            .await
    {
        return Err(refused(format!(
            "there is no client named {:?} that you may use",
            input.client_id
        )));
    }
    let plan = steps::plan(&input, &held).map_err(refused)?;
    if !allowed(&plan.request.path) {
        return Err(refused(format!(
            "the sandbox does not send to {}",
            plan.request.path
        )));
    }
    let exchange = backend.send(plan.request).await.map_err(refused)?;
    let arrow = plan.arrow + usize::from(exchange.status < 400);
    run_steps.push(RunStep {
        title: format!("{}. {}", run_steps.len() + 1, plan.title),
        lesson: plan.lesson.into(),
        arrow,
        exchange,
    });
    let id = backend
        .save_run(
            headers,
            prior.map(|r| r.id),
            input.flow.clone(),
            run_steps.clone(),
        )
        .await
        .map_err(ServerFnError::new)?;
    if is_form_post() {
        leptos_axum::redirect(&format!("/sandbox/{}?run={id}#results", input.flow));
    }
    Ok(view_of(&backend, id, input.flow, run_steps, &input.token).await)
}

/// A request the caller got wrong: answered 400, not 500 (`Args` is the server-function error
/// for refused arguments).
#[cfg(feature = "ssr")]
fn refused(message: impl Into<String>) -> ServerFnError {
    ServerFnError::Args(message.into())
}

/// A stored run as its flow page shows it.
#[server(endpoint = "sandbox/open-run")]
pub async fn open_run(id: String) -> Result<Option<RunView>, ServerFnError> {
    let backend = backend()?;
    let Some(run) = backend
        .run(request_headers(), id)
        .await
        .map_err(ServerFnError::new)?
    else {
        return Ok(None);
    };
    Ok(Some(
        view_of(&backend, run.id, run.flow, run.steps, "").await,
    ))
}

#[cfg(feature = "ssr")]
async fn view_of(
    backend: &super::backend::Backend,
    id: String,
    flow: String,
    steps: Vec<RunStep>,
    outside_token: &str,
) -> RunView {
    let held = super::steps::held(&steps, outside_token);
    let inspection = match &held.token {
        Some(t) => Some(backend.inspect(t.clone()).await),
        None => None,
    };
    let mut steps = steps;
    super::credentials::hide_typed_secrets(&mut steps);
    RunView {
        id,
        flow,
        steps,
        token: held.token,
        has_refresh: held.refresh.is_some(),
        has_retired_refresh: held.retired_refresh.is_some(),
        inspection,
    }
}

/// True when the request is a plain HTML form post rather than a call from the page's script.
#[cfg(feature = "ssr")]
fn is_form_post() -> bool {
    use_context::<http::request::Parts>()
        .and_then(|p| {
            p.headers
                .get(http::header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.contains("text/html"))
        })
        .unwrap_or(false)
}

/// The headers of the request being served (the console session cookie travels in them).
#[cfg(feature = "ssr")]
fn request_headers() -> http::HeaderMap {
    use_context::<http::request::Parts>()
        .map(|p| p.headers)
        .unwrap_or_default()
}

#[cfg(feature = "ssr")]
fn backend() -> Result<super::backend::Backend, ServerFnError> {
    use_context::<super::backend::Backend>().ok_or_else(|| ServerFnError::new("no sandbox backend"))
}

/// This browser's newest runs, typed secrets masked.
#[server(endpoint = "sandbox/runs")]
pub async fn list_runs() -> Result<Vec<SavedRun>, ServerFnError> {
    let mut runs = backend()?
        .runs(request_headers())
        .await
        .map_err(ServerFnError::new)?;
    for run in &mut runs {
        super::credentials::hide_typed_secrets(&mut run.steps);
    }
    Ok(runs)
}

/// One of this browser's runs, typed secrets masked.
#[server(endpoint = "sandbox/run")]
pub async fn get_run(id: String) -> Result<Option<SavedRun>, ServerFnError> {
    let mut run = backend()?
        .run(request_headers(), id)
        .await
        .map_err(ServerFnError::new)?;
    if let Some(run) = &mut run {
        super::credentials::hide_typed_secrets(&mut run.steps);
    }
    Ok(run)
}

/// Deletes one of this browser's runs. A plain form post goes back to the run list.
#[server(endpoint = "sandbox/delete-run")]
pub async fn delete_run(id: String) -> Result<bool, ServerFnError> {
    let deleted = backend()?
        .delete_run(request_headers(), id)
        .await
        .map_err(ServerFnError::new)?;
    if is_form_post() {
        leptos_axum::redirect(crate::endpoints::RUNS);
    }
    Ok(deleted)
}

/// Decodes and checks a token.
#[server(endpoint = "sandbox/inspect")]
pub async fn inspect_token(token: String) -> Result<TokenInspection, ServerFnError> {
    Ok(backend()?.inspect(token).await)
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_protocol_endpoints_are_allowed() {
        for ok in [
            "/auth/token",
            "/auth/introspect",
            "/auth/revoke",
            "/fhir/Patient",
            "/fhir/Patient/pat-1",
            "/auth/token?x=1",
        ] {
            assert!(super::allowed(ok), "{ok}");
        }
        for no in [
            "/Client",
            "/User/alice",
            "/Key/$rotate",
            "/",
            "/auth/login",
            "/api/sandbox/send",
        ] {
            assert!(!super::allowed(no), "{no}");
        }
    }
}
