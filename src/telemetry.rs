//! Logs: tracing, with a request id on every request's span.
//!
//! What reaches a log line: the method, the path (never the query string, which can carry codes
//! or state), the status, the latency and the request id. Never a header, a body, a secret, a
//! password, a code or a token.

use axum::http::{HeaderName, Request};
use tower_http::request_id::{
    MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

/// The header that carries the request id, in and out.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Installs the global subscriber with `filter` (e.g. `info`), and the panic hook.
pub fn init(filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
    quiet_panics();
}

/// Replaces the default panic hook, which prints the panic's message to standard error, with
/// one that logs only where it happened: a message can hold whatever the code was handling (a
/// password, a token), and nothing secret may reach a log.
pub fn quiet_panics() {
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        tracing::error!(at = %at, "a task panicked; its message is not logged");
    }));
}

/// The answer to a request whose handler panicked (tower-http's `CatchPanicLayer`): a 500 with
/// the one RFC error body, `server_error`, and nothing of the panic in it or in the log.
pub fn panic_response(
    _payload: Box<dyn std::any::Any + Send + 'static>,
) -> axum::response::Response {
    tracing::error!("a request handler panicked; answered 500 server_error");
    axum::response::IntoResponse::into_response(crate::oauth::OAuthError::ServerError)
}

/// Adds request ids and a span per request to `router`.
pub fn layer<S: Clone + Send + Sync + 'static>(router: axum::Router<S>) -> axum::Router<S> {
    let trace = TraceLayer::new_for_http()
        .make_span_with(|req: &Request<_>| {
            let id = req
                .extensions()
                .get::<RequestId>()
                .and_then(|id| id.header_value().to_str().ok())
                .unwrap_or("-")
                .to_owned();
            tracing::info_span!("request", id = %id, method = %req.method(), path = %req.uri().path())
        })
        .on_request(())
        .on_response(DefaultOnResponse::new().level(Level::INFO));
    router
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(trace)
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}
