//! Learner workspaces: the tutorial's private account for a browser that has none.
//!
//! A workspace is a developer account named `learner-<10 hex digits>` with a random 256-bit
//! password and an end (24 hours by default). The browser is signed in to the console as it,
//! for as long as the workspace lives, so everything it makes (clients, users, policies, runs)
//! is owned through the same rules as any developer's, and nobody else sees it. The collector
//! deletes it, with all it owns, when it ends; the learner keeps it by choosing a name and a
//! password.

use super::caller::Caller;
use crate::clock::rfc3339;
use crate::model::user::{User, developer_credentials};
use crate::secret::{Secret, fill_random, new_secret};
use crate::security::session::{self, Kind};
use crate::security::{PeerAddress, same_origin};
use crate::state::AppState;
use crate::storage::workspaces::{self, Kept};
use app::console::backend::{Failure, Outcome};
use app::console::wire::Workspace;
use axum::http::request::Parts;

/// The prefix of every learner account's name.
pub const LEARNER_PREFIX: &str = "learner-";

fn internal(e: impl std::fmt::Display) -> Failure {
    tracing::error!(error = %e, "learner workspace");
    Failure::server("the workspace could not be stored; try again")
}

fn refused(status: u16, message: impl Into<String>) -> Failure {
    Failure {
        status,
        message: message.into(),
    }
}

/// The workspace of `caller`, with the password when it was just set.
async fn view_of(
    state: &AppState,
    caller: &Caller,
    password: Option<String>,
) -> Outcome<Workspace> {
    let ends = workspaces::expiry(&state.db, caller.name())
        .await
        .map_err(internal)?;
    Ok(Workspace {
        username: caller.name().to_owned(),
        password,
        expires_at: ends.map(rfc3339),
    })
}

/// What [`app::console::backend::ConsoleBackend::workspace`] answers.
pub async fn open(
    state: &AppState,
    request: Parts,
    start: bool,
    new_password: bool,
) -> Outcome<(Option<Workspace>, Option<String>)> {
    let headers = &request.headers;
    let signed_in = super::caller::from_console(state, headers)
        .await
        .map_err(|e| internal(e.to_string()))?;
    if (start || new_password) && !same_origin(headers) {
        return Err(refused(
            403,
            "This request came from another site; it was refused.",
        ));
    }
    if let Some(caller) = signed_in {
        let learner = workspaces::expiry(&state.db, caller.name())
            .await
            .map_err(internal)?
            .is_some();
        let password = match learner && new_password {
            true => Some(replace_password(state, &caller).await?),
            false => None,
        };
        return Ok((Some(view_of(state, &caller, password).await?), None));
    }
    if !start {
        return Ok((None, None));
    }
    let address = PeerAddress::of(&request.extensions);
    if let Err(t) = state.throttle.new_workspace(&address.0).await {
        return Err(refused(
            429,
            format!(
                "This address opened many workspaces lately; try again in {} seconds.",
                t.retry_after
            ),
        ));
    }
    let (user, password) = new_learner(state).await?;
    let ends = state.clock.now() + state.workspace_ttl;
    let viewer = crate::sandbox::visitor::Viewer::of(state, headers).await;
    let visitor = match &viewer {
        crate::sandbox::visitor::Viewer::Visitor(digest) => Some(digest.as_str()),
        _ => None,
    };
    if !workspaces::create(&state.db, &user, ends, visitor)
        .await
        .map_err(internal)?
    {
        return Err(Failure::server("the workspace name was taken; try again"));
    }
    let cookie = session::start_for(state, &user.username, Kind::Console, state.workspace_ttl)
        .await
        .map_err(internal)?;
    tracing::info!(username = %user.username, "learner workspace opened");
    let workspace = Workspace {
        username: user.username,
        password: Some(password.expose().to_owned()),
        expires_at: Some(rfc3339(ends)),
    };
    Ok((Some(workspace), Some(cookie)))
}

/// A new learner account (not stored yet) and its password.
async fn new_learner(state: &AppState) -> Outcome<(User, Secret)> {
    let mut bytes = [0u8; 5];
    fill_random(&mut bytes).map_err(internal)?;
    let name: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let password = new_secret().map_err(internal)?;
    let hash = state.passwords.hash(&password).await.map_err(internal)?;
    let user = User::developer(format!("{LEARNER_PREFIX}{name}"), hash, state.clock.now());
    Ok((user, password))
}

/// Gives the learner workspace of `caller` a new random password, and returns it.
async fn replace_password(state: &AppState, caller: &Caller) -> Outcome<String> {
    let password = new_secret().map_err(internal)?;
    let hash = state.passwords.hash(&password).await.map_err(internal)?;
    let now = state.clock.now();
    workspaces::set_password(&state.db, caller.name(), &hash, now)
        .await
        .map_err(internal)?;
    Ok(password.expose().to_owned())
}

/// Keeps the learner workspace of `caller` as the lasting developer account `username` with
/// `password`: what it owns and its sessions follow the name.
pub async fn keep(
    state: &AppState,
    caller: &Caller,
    username: &str,
    password: &str,
) -> Outcome<Workspace> {
    let username = username.trim();
    if username.starts_with(LEARNER_PREFIX) {
        return Err(refused(
            400,
            format!("username: names starting with {LEARNER_PREFIX:?} are for workspaces"),
        ));
    }
    let (username, password) =
        developer_credentials(username, password).map_err(|e| refused(400, e.to_string()))?;
    let hash = state.passwords.hash(&password).await.map_err(internal)?;
    let now = state.clock.now();
    match workspaces::keep(&state.db, caller.name(), &username, &hash, now)
        .await
        .map_err(internal)?
    {
        Kept::Kept => Ok(Workspace {
            username,
            password: None,
            expires_at: None,
        }),
        Kept::Taken => Err(refused(
            409,
            format!("username: {username:?} is taken; choose another"),
        )),
        Kept::NotALearner => Err(refused(
            409,
            "This account is not a learner workspace: it is kept already.",
        )),
    }
}
