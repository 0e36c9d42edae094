//! The console's account pages: sign up, sign in, sign out. Plain HTML forms with CSRF tokens
//! bound to the browser, the same failure limits as the authorization server's login, and a
//! console session kept apart from the resource-owner login session.

use crate::accounts::{self, CheckError};
use crate::model::user::{Role, User, developer_credentials};
use crate::oauth::authorize::respond::{html, server_error_page};
use crate::oauth::authorize::{bad_request, csrf_ok, posted_form};
use crate::oauth::params::Params;
use crate::secret::Secret;
use crate::security::csrf;
use crate::security::session::{self, Kind};
use crate::security::throttle::Subject;
use crate::state::AppState;
use crate::storage;
use app::account_pages::{AccountView, SignInPage, SignUpPage};
use app::endpoints as ep;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use leptos::prelude::*;

/// What the CSRF token of the console's forms is bound to, besides the browser.
const CSRF_PURPOSE: &str = "console";

#[derive(Clone, Copy)]
enum Page {
    SignIn,
    SignUp,
}

/// Renders a page with a fresh CSRF token for this browser.
fn page(
    state: &AppState,
    headers: &HeaderMap,
    which: Page,
    username: String,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let Ok((browser, set)) = csrf::browser_cookie(state, headers) else {
        return server_error_page();
    };
    let view = AccountView {
        csrf: state.csrf.token(&browser, CSRF_PURPOSE),
        username,
        error,
    };
    let cookies: Vec<String> = set.into_iter().collect();
    match which {
        Page::SignIn => html(status, "Sign in", view! { <SignInPage view /> }, &cookies),
        Page::SignUp => html(status, "Sign up", view! { <SignUpPage view /> }, &cookies),
    }
}

/// `GET /developer/signin`.
pub async fn signin_page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    page(
        &state,
        &headers,
        Page::SignIn,
        String::new(),
        None,
        StatusCode::OK,
    )
}

/// `GET /developer/signup`.
pub async fn signup_page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    page(
        &state,
        &headers,
        Page::SignUp,
        String::new(),
        None,
        StatusCode::OK,
    )
}

/// A posted account form: its fields, the caller's address and headers, CSRF verified.
async fn form(state: &AppState, request: Request) -> Result<(Params, String, HeaderMap), Response> {
    let form = posted_form(request).await?;
    if !csrf_ok(state, &form, CSRF_PURPOSE) {
        return Err(bad_request(
            "The form's security token does not match this browser. Reload the page and try again.",
        ));
    }
    Ok((form.params, form.address, form.headers))
}

/// Starts a console session and goes to the console.
async fn signed_in(state: &AppState, username: &str) -> Response {
    match session::start_of(state, username, Kind::Console).await {
        Ok(cookie) => {
            let mut response = Redirect::to(ep::CONSOLE).into_response();
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                response.headers_mut().append(header::SET_COOKIE, v);
            }
            response
        }
        Err(_) => server_error_page(),
    }
}

/// `POST /developer/signin`.
pub async fn signin(State(state): State<AppState>, request: Request) -> Response {
    let (params, address, headers) = match form(&state, request).await {
        Ok(f) => f,
        Err(response) => return response,
    };
    let username = params.get("username").unwrap_or_default().to_owned();
    let again = |error: String, status| {
        page(
            &state,
            &headers,
            Page::SignIn,
            username.clone(),
            Some(error),
            status,
        )
    };
    let password = Secret::new(params.get("password").unwrap_or_default());
    let user = match accounts::authenticate(&state, &username, &password, &address).await {
        Ok(user) => user,
        Err(CheckError::Throttled(t)) => {
            return throttled(again, t.retry_after);
        }
        Err(CheckError::Storage(_)) => return server_error_page(),
    };
    let Some(user) = user else {
        return again("The username or password is wrong.".into(), StatusCode::OK);
    };
    if !user.has_role(Role::Developer) && !user.has_role(Role::Admin) {
        return again(
            "This account is a resource owner for flows, not a developer account. Create a developer account to use the console.".into(),
            StatusCode::FORBIDDEN,
        );
    }
    signed_in(&state, &user.username).await
}

/// `POST /developer/signup`: a new developer account, signed in at once.
pub async fn signup(State(state): State<AppState>, request: Request) -> Response {
    let (params, address, headers) = match form(&state, request).await {
        Ok(f) => f,
        Err(response) => return response,
    };
    let now = state.clock.now();
    let username = params.get("username").unwrap_or_default().trim().to_owned();
    let again = |error: String, status| {
        page(
            &state,
            &headers,
            Page::SignUp,
            username.clone(),
            Some(error),
            status,
        )
    };
    // A refused sign-up counts like a failed sign-in, for the name and for the address, so
    // usernames cannot be probed at speed.
    if let Err(t) = state.throttle.check(Subject::Account(&username), &address) {
        return throttled(again, t.retry_after);
    }
    let password = params.get("password").unwrap_or_default();
    let (name, password) = match developer_credentials(&username, password) {
        Ok(valid) => valid,
        Err(e) => return again(e.to_string(), StatusCode::BAD_REQUEST),
    };
    let Ok(password_hash) = state.passwords.hash(&password).await else {
        return server_error_page();
    };
    let user = User::developer(name, password_hash, now);
    match storage::users::insert_new(&state.db, &user).await {
        Ok(true) => signed_in(&state, &user.username).await,
        Ok(false) => {
            state
                .throttle
                .fail(Subject::Account(&username), &address)
                .await;
            again(
                format!("username: {username:?} is taken; choose another"),
                StatusCode::CONFLICT,
            )
        }
        Err(_) => server_error_page(),
    }
}

/// A page answered 429 with `Retry-After`.
fn throttled(again: impl Fn(String, StatusCode) -> Response, seconds: u64) -> Response {
    let mut response = again(
        format!("Too many failed attempts. Try again in {seconds} seconds."),
        StatusCode::TOO_MANY_REQUESTS,
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    response
}

/// `POST /developer/signout`: ends the console session only; a resource-owner login in the
/// same browser is not touched. A post from another site's page is refused (its `Origin`).
pub async fn signout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if !crate::security::same_origin(&headers) {
        return crate::oauth::authorize::message_page(
            StatusCode::FORBIDDEN,
            "This sign-out came from another site; it was refused.",
        );
    }
    match session::end_of(&state, &headers, Kind::Console).await {
        Ok(cookie) => {
            let mut response = Redirect::to("/").into_response();
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                response.headers_mut().append(header::SET_COOKIE, v);
            }
            response
        }
        Err(_) => server_error_page(),
    }
}
