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
    if !input.client_id.is_empty()
        && !backend
            .may_use(headers.clone(), input.client_id.clone())
            .await
    {
        return Err(ServerFnError::new(format!(
            "there is no client named {:?} that you may use",
            input.client_id
        )));
    }
    let plan = steps::plan(&input, &held).map_err(ServerFnError::new)?;
    if !allowed(&plan.request.path) {
        return Err(ServerFnError::new(format!(
            "the sandbox does not send to {}",
            plan.request.path
        )));
    }
    let exchange = backend
        .send(plan.request)
        .await
        .map_err(ServerFnError::new)?;
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

/// The newest runs.
#[server(endpoint = "sandbox/runs")]
pub async fn list_runs() -> Result<Vec<SavedRun>, ServerFnError> {
    backend()?
        .runs(request_headers())
        .await
        .map_err(ServerFnError::new)
}

/// One run.
#[server(endpoint = "sandbox/run")]
pub async fn get_run(id: String) -> Result<Option<SavedRun>, ServerFnError> {
    backend()?
        .run(request_headers(), id)
        .await
        .map_err(ServerFnError::new)
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
