//! Server functions the sandbox pages call. Each runs on the server and uses the backend the
//! server provided as context.

use super::wire::{Exchange, Outgoing, TokenInspection};
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
