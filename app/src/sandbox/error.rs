//! The sandbox server functions' one error type. It crosses as JSON
//! (`{"kind":"refused","message":"…"}`), so the page reads a kind, never a status recovered
//! from the error's text, and the server answers each kind with its own status.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// Why a sandbox server function failed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "message", rename_all = "kebab-case")]
pub enum SandboxError {
    /// The caller asked for something the sandbox will not do: an unknown step, a step that
    /// needs a token the run does not hold, a client that is not theirs. 400.
    Refused(String),
    /// The server failed (its storage, say). 500.
    Server(String),
    /// The call did not reach the server, or its answer could not be read.
    Transport(String),
}

impl SandboxError {
    /// The HTTP status the server answers with.
    pub fn status(&self) -> u16 {
        match self {
            SandboxError::Refused(_) => 400,
            SandboxError::Server(_) | SandboxError::Transport(_) => 500,
        }
    }

    /// A refusal, answered 400 on the server.
    pub fn refused(message: impl Into<String>) -> Self {
        SandboxError::Refused(message.into()).answered()
    }

    /// A failure of the server, answered 500.
    pub fn server(message: impl Into<String>) -> Self {
        SandboxError::Server(message.into()).answered()
    }

    /// Sets the response's status from the kind, when serving a call from a page's script. A
    /// plain form post keeps its redirect back to the page, which shows the error.
    fn answered(self) -> Self {
        #[cfg(feature = "ssr")]
        {
            use leptos::prelude::use_context;
            if !is_form_post()
                && let Some(options) = use_context::<leptos_axum::ResponseOptions>()
                && let Ok(status) = http::StatusCode::from_u16(self.status())
            {
                options.set_status(status);
            }
        }
        self
    }
}

/// True when the request being served is a plain HTML form post (before hydration) rather than
/// a call from the page's script.
#[cfg(feature = "ssr")]
pub fn is_form_post() -> bool {
    leptos::prelude::use_context::<http::request::Parts>().is_some_and(|p| {
        p.headers
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"))
    })
}

impl std::fmt::Display for SandboxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SandboxError::Refused(m) => f.write_str(m),
            SandboxError::Server(m) => write!(f, "the server failed: {m}"),
            SandboxError::Transport(m) => write!(f, "the call did not get through: {m}"),
        }
    }
}

impl FromServerFnError for SandboxError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // The request's arguments could not be read: the caller's mistake.
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::MissingArg(m) => SandboxError::refused(m),
            ServerFnErrorErr::ServerError(m)
            | ServerFnErrorErr::MiddlewareError(m)
            | ServerFnErrorErr::Registration(m)
            | ServerFnErrorErr::Response(m) => SandboxError::server(m),
            // On the server, these come from reading the caller's request: its fault.
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Request(m)
            | ServerFnErrorErr::UnsupportedRequestMethod(m)
            | ServerFnErrorErr::Deserialization(m) => {
                SandboxError::refused(format!("the request could not be read: {m}"))
            }
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Serialization(m) => SandboxError::server(m),
            // In the browser, the call did not get through or its answer could not be read.
            #[cfg(not(feature = "ssr"))]
            ServerFnErrorErr::Request(m)
            | ServerFnErrorErr::UnsupportedRequestMethod(m)
            | ServerFnErrorErr::Deserialization(m)
            | ServerFnErrorErr::Serialization(m) => SandboxError::Transport(m),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crosses_as_a_kind_and_a_message() {
        let e = SandboxError::Refused("no such step".into());
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(json, r#"{"kind":"refused","message":"no such step"}"#);
        assert_eq!(serde_json::from_str::<SandboxError>(&json).unwrap(), e);
        assert_eq!(e.status(), 400);
        assert_eq!(
            SandboxError::from_server_fn_error(ServerFnErrorErr::Args("x".into())).status(),
            400
        );
        assert_eq!(
            SandboxError::from_server_fn_error(ServerFnErrorErr::ServerError("x".into())).status(),
            500
        );
    }
}
