//! Server functions the sandbox pages call. Each runs on the server and uses the backend the
//! server provided as context.

use super::wire::{Exchange, Outgoing, RunStep, SavedRun, TokenInspection};
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

/// Sends a request through the server and returns the recorded exchange.
#[server(endpoint = "sandbox/send")]
pub async fn send_exchange(request: Outgoing) -> Result<Exchange, ServerFnError> {
    if !allowed(&request.path) {
        return Err(ServerFnError::new(format!(
            "the sandbox does not send to {}",
            request.path
        )));
    }
    let backend = use_context::<super::backend::Backend>()
        .ok_or_else(|| ServerFnError::new("no sandbox backend"))?;
    backend.send(request).await.map_err(ServerFnError::new)
}

#[cfg(feature = "ssr")]
fn backend() -> Result<super::backend::Backend, ServerFnError> {
    use_context::<super::backend::Backend>().ok_or_else(|| ServerFnError::new("no sandbox backend"))
}

/// Stores a run's steps; returns the run's id.
#[server(endpoint = "sandbox/save-run")]
pub async fn save_run(
    id: Option<String>,
    flow: String,
    steps: Vec<RunStep>,
) -> Result<String, ServerFnError> {
    backend()?
        .save_run(id, flow, steps)
        .await
        .map_err(ServerFnError::new)
}

/// The newest runs.
#[server(endpoint = "sandbox/runs")]
pub async fn list_runs() -> Result<Vec<SavedRun>, ServerFnError> {
    backend()?.runs().await.map_err(ServerFnError::new)
}

/// One run.
#[server(endpoint = "sandbox/run")]
pub async fn get_run(id: String) -> Result<Option<SavedRun>, ServerFnError> {
    backend()?.run(id).await.map_err(ServerFnError::new)
}

/// Decodes and checks a token.
#[server(endpoint = "sandbox/inspect")]
pub async fn inspect_token(token: String) -> Result<TokenInspection, ServerFnError> {
    let backend = use_context::<super::backend::Backend>()
        .ok_or_else(|| ServerFnError::new("no sandbox backend"))?;
    Ok(backend.inspect(token).await)
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
