//! What the sandbox needs from the server, as a trait the server implements and hands to the
//! app as context. The app never depends on the server crate.

use super::wire::{Exchange, Outgoing, RunStep, SavedRun, TokenInspection};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// A boxed future, so the trait stays object-safe.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The sandbox's access to the server it runs in.
pub trait SandboxBackend: Send + Sync {
    /// Sends `request` to one of this server's own endpoints, for real, and records what
    /// crossed in both directions.
    fn send(&self, request: Outgoing) -> BoxFuture<'_, Result<Exchange, String>>;

    /// Decodes a token and checks its signature against the server's published keys.
    fn inspect(&self, token: String) -> BoxFuture<'_, TokenInspection>;

    /// Stores the steps of a run (a new run when `id` is `None`); returns its id. A run made by
    /// a developer signed in to the console (in the browser that sent `headers`) is theirs.
    fn save_run(
        &self,
        headers: http::HeaderMap,
        id: Option<String>,
        flow: String,
        steps: Vec<RunStep>,
    ) -> BoxFuture<'_, Result<String, String>>;

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

/// The context value server functions look up.
pub type Backend = Arc<dyn SandboxBackend>;
