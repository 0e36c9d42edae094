//! What the console needs from the server, as a trait the server implements and hands to the
//! app as context. Every method acts as the account signed in to the console in the browser
//! whose request headers it is given; what that account may not see does not exist (404).

use super::wire::*;
use crate::sandbox::backend::BoxFuture;
use http::HeaderMap;
use std::sync::Arc;

pub use super::wire::Failure;

/// What a console call returns.
pub type Outcome<T> = Result<T, Failure>;

/// The console's access to the server.
pub trait ConsoleBackend: Send + Sync {
    /// The signed-in account, if any.
    fn me(&self, headers: HeaderMap) -> BoxFuture<'_, Option<Me>>;
    fn clients(&self, headers: HeaderMap) -> BoxFuture<'_, Outcome<Vec<ClientSummary>>>;
    fn client(&self, headers: HeaderMap, id: String) -> BoxFuture<'_, Outcome<ClientSummary>>;
    /// `create`: the id must be new.
    fn save_client(
        &self,
        headers: HeaderMap,
        form: ClientForm,
        create: bool,
    ) -> BoxFuture<'_, Outcome<SavedClient>>;
    fn delete_client(&self, headers: HeaderMap, id: String) -> BoxFuture<'_, Outcome<()>>;
    /// A new secret, shown this once; the old one stops working at once.
    fn regenerate_secret(&self, headers: HeaderMap, id: String) -> BoxFuture<'_, Outcome<String>>;
    fn users(&self, headers: HeaderMap) -> BoxFuture<'_, Outcome<Vec<UserSummary>>>;
    fn save_user(&self, headers: HeaderMap, form: UserForm) -> BoxFuture<'_, Outcome<UserSummary>>;
    fn delete_user(&self, headers: HeaderMap, username: String) -> BoxFuture<'_, Outcome<()>>;
    /// An admin promotes, demotes, disables or enables an account.
    fn set_account(
        &self,
        headers: HeaderMap,
        username: String,
        admin: bool,
        disabled: bool,
    ) -> BoxFuture<'_, Outcome<UserSummary>>;
    fn policies(&self, headers: HeaderMap) -> BoxFuture<'_, Outcome<Vec<PolicyForm>>>;
    fn save_policy(
        &self,
        headers: HeaderMap,
        form: PolicyForm,
    ) -> BoxFuture<'_, Outcome<PolicyForm>>;
    fn delete_policy(&self, headers: HeaderMap, id: String) -> BoxFuture<'_, Outcome<()>>;
    fn trusts(&self, headers: HeaderMap) -> BoxFuture<'_, Outcome<Vec<TrustForm>>>;
    fn save_trust(&self, headers: HeaderMap, form: TrustForm) -> BoxFuture<'_, Outcome<TrustForm>>;
    fn delete_trust(&self, headers: HeaderMap, id: String) -> BoxFuture<'_, Outcome<()>>;
    /// An EHR launch of one of the caller's SMART apps (SMART App Launch 2.x §2.0.1).
    fn test_launch(
        &self,
        headers: HeaderMap,
        form: LaunchForm,
    ) -> BoxFuture<'_, Outcome<LaunchMade>>;
    /// Asks the demo API's access policies about a request, without sending it.
    fn debug(
        &self,
        headers: HeaderMap,
        request: DebugRequest,
    ) -> BoxFuture<'_, Outcome<DebugResult>>;
    /// The tokens one of the caller's clients would get, decoded; nothing is issued or stored.
    fn preview(
        &self,
        headers: HeaderMap,
        request: PreviewRequest,
    ) -> BoxFuture<'_, Outcome<TokenPreview>>;
    /// A new initial access token for RFC 7591 registration, shown this once.
    fn initial_token(&self, headers: HeaderMap) -> BoxFuture<'_, Outcome<String>>;
    /// The workspace of the browser that sent `request`: its console account. With `start`, a
    /// browser without one gets a new learner workspace, signed in (the `Set-Cookie` value
    /// comes back with it). With `new_password`, a learner workspace gets a new password.
    fn workspace(
        &self,
        request: http::request::Parts,
        start: bool,
        new_password: bool,
    ) -> BoxFuture<'_, Outcome<(Option<Workspace>, Option<String>)>>;
    /// Keeps this browser's learner workspace as the lasting developer account `username`.
    fn keep_workspace(
        &self,
        headers: HeaderMap,
        username: String,
        password: String,
    ) -> BoxFuture<'_, Outcome<Workspace>>;
}

/// The context value server functions look up.
pub type Console = Arc<dyn ConsoleBackend>;
