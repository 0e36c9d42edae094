//! What the sandbox needs from the server, as a trait the server implements and hands to the
//! app as context. The app never depends on the server crate.

use super::catalogue::Flow;
use super::wire::{Exchange, Outgoing, RunStep, SavedRun, TokenInspection};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// A boxed future, so the trait stays object-safe.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The sandbox's access to the server it runs in.
pub trait SandboxBackend: Send + Sync {
    /// Sends `request` to one of this server's own endpoints, for real, and records what
    /// crossed in both directions. `from` are the extensions of the browser's own request: the
    /// in-process request comes from the browser's address, so every credential it carries is
    /// throttled as that browser's, never as everyone's.
    fn send(
        &self,
        from: http::Extensions,
        request: Outgoing,
    ) -> BoxFuture<'_, Result<Exchange, String>>;

    /// Decodes a token and checks its signature against the server's published keys.
    fn inspect(&self, token: String) -> BoxFuture<'_, TokenInspection>;

    /// Decodes any token and checks its signature with `key` (a JWK Set, a JWK, a PEM public
    /// key or an HMAC secret), or with this server's keys when `key` is empty.
    fn inspect_with(&self, token: String, key: String) -> BoxFuture<'_, TokenInspection>;

    /// What the server knows of a token the run holds, as introspection would tell its client
    /// (JSON), `{"active":false}` when it is not active.
    fn introspect_own(&self, token: String) -> BoxFuture<'_, String>;

    /// The server's issuer identifier.
    fn issuer(&self) -> String;

    /// Stores the steps of a run (a new run when `id` is `None`); returns its id. A run made by
    /// a developer signed in to the console (in the browser that sent `headers`) is theirs.
    fn save_run(
        &self,
        headers: http::HeaderMap,
        id: Option<String>,
        flow: Flow,
        steps: Vec<RunStep>,
    ) -> BoxFuture<'_, Result<String, String>>;

    /// Starts recording the front channel of run `id` (a new run when `None`): the browser that
    /// sent `headers` is about to visit the authorization endpoint as `client_id` with `state`,
    /// and its exchanges there join the run as step `number`. Returns the run's id.
    fn watch_front_channel(
        &self,
        headers: http::HeaderMap,
        id: Option<String>,
        flow: Flow,
        watch: FrontChannelWatch,
    ) -> BoxFuture<'_, Result<String, String>>;

    /// The run whose front channel came back with `state` to this browser, if any.
    fn watched_run(
        &self,
        headers: http::HeaderMap,
        flow: Flow,
        state: String,
    ) -> BoxFuture<'_, Result<Option<SavedRun>, String>>;

    /// The newest runs of this browser (or of its developer, when signed in to the console).
    fn runs(&self, headers: http::HeaderMap) -> BoxFuture<'_, Result<Vec<SavedRun>, String>>;

    /// One run, if it is this browser's (or its developer's).
    fn run(
        &self,
        headers: http::HeaderMap,
        id: String,
    ) -> BoxFuture<'_, Result<Option<SavedRun>, String>>;

    /// Deletes one run, if it is this browser's (or its developer's); false when it is not.
    fn delete_run(
        &self,
        headers: http::HeaderMap,
        id: String,
    ) -> BoxFuture<'_, Result<bool, String>>;

    /// False when `client_id` belongs to a developer other than the one signed in to the
    /// console in the browser that sent `headers`: a flow may use the demo clients and the
    /// developer's own, never another developer's.
    fn may_use(&self, headers: http::HeaderMap, client_id: String) -> BoxFuture<'_, bool>;
}

/// What the front-channel recorder waits for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrontChannelWatch {
    pub client_id: String,
    pub state: String,
    /// The step number its exchanges get.
    pub number: u32,
}

/// The context value server functions look up.
pub type Backend = Arc<dyn SandboxBackend>;
