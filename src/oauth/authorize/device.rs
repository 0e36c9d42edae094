//! The device flow's verification page (RFC 8628 §3.3): the person types the user code their
//! device shows, signs in (or is signed in already) and consents, through the same sign-in and
//! consent pages as the authorization endpoint; the decision is recorded on the device code,
//! which the device's next poll finds.
//!
//! Guessing a user code is throttled like every credential (§5.1): each wrong code counts
//! against the address that typed it.

use super::request::{AuthorizeRequest, DeviceRequest, Prompt, ResponseType, Target};
use super::respond::{Via, html, server_error_page};
use super::{PostedForm, csrf_ok, message_page, posted_form, proceed};
use crate::model::scope::Scope;
use crate::oauth::endpoints::device::{display_user_code, normalize_user_code};
use crate::security::csrf;
use crate::security::throttle::Subject;
use crate::state::AppState;
use crate::storage::device_codes;
use app::auth_pages::{DeviceDonePage, DevicePage, DeviceView};
use axum::extract::{Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use leptos::prelude::*;
use std::collections::HashMap;

/// What the page's CSRF token is bound to, besides the browser.
const PURPOSE: &str = "device";

fn page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    user_code: String,
    error: Option<String>,
) -> Response {
    let Ok((browser, set)) = csrf::browser_cookie(state, headers) else {
        return server_error_page();
    };
    let view = DeviceView {
        user_code,
        csrf: state.csrf.token(&browser, PURPOSE),
        error,
    };
    let cookies: Vec<String> = set.into_iter().collect();
    html(
        status,
        "Connect a device",
        view! { <DevicePage view /> },
        &cookies,
    )
}

/// `GET /auth/device/verify`, with `user_code` prefilled from `verification_uri_complete`.
/// §3.3.1: the person still confirms it, so a link alone approves nothing.
pub async fn verify_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let typed = query.get("user_code").cloned().unwrap_or_default();
    let shown = normalize_user_code(&typed).map_or(typed, |c| display_user_code(&c));
    page(&state, &headers, StatusCode::OK, shown, None)
}

/// `POST /auth/device/verify`: a pending code goes on to sign-in and consent.
pub async fn verify(State(state): State<AppState>, request: Request) -> Response {
    let form: PostedForm = match posted_form(request).await {
        Ok(f) => f,
        Err(response) => return response,
    };
    let typed = form.params.get("user_code").unwrap_or_default().to_owned();
    if !csrf_ok(&state, &form, PURPOSE) {
        return message_page(
            StatusCode::FORBIDDEN,
            "The form's security token does not match this browser. Reload the page and try again.",
        );
    }
    let normalized = normalize_user_code(&typed);
    let subject = Subject::UserCode(normalized.as_deref().unwrap_or("malformed"));
    if let Err(t) = state.throttle.check(subject, &form.address) {
        let mut response = page(
            &state,
            &form.headers,
            StatusCode::TOO_MANY_REQUESTS,
            typed,
            Some(format!(
                "Too many wrong codes from here. Try again in {} seconds.",
                t.retry_after
            )),
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(t.retry_after));
        return response;
    }
    let now = state.clock.now();
    let found = match &normalized {
        Some(code) => match device_codes::pending_by_user_code(&state.db, code, now).await {
            Ok(found) => found,
            Err(_) => return server_error_page(),
        },
        None => None,
    };
    let Some(code) = found else {
        state.throttle.fail(subject, &form.address).await;
        return page(
            &state,
            &form.headers,
            StatusCode::BAD_REQUEST,
            typed,
            Some("That code is not one a device is waiting with: check it, or start again on the device (codes last ten minutes).".into()),
        );
    };
    let client = match state.cache.client(&code.client_id).await {
        Ok(Some(c)) => c,
        Ok(None) => {
            return message_page(
                StatusCode::BAD_REQUEST,
                "The device's client no longer exists.",
            );
        }
        Err(_) => return server_error_page(),
    };
    let Ok(scope) = Scope::parse(&code.scope) else {
        return server_error_page();
    };
    let request = AuthorizeRequest {
        client,
        response_type: ResponseType::Device,
        target: Target {
            redirect_uri: String::new(),
            fragment: false,
            state: None,
        },
        redirect_uri_sent: None,
        scope,
        nonce: None,
        challenge: None,
        prompt: Prompt::default(),
        max_age: None,
        login_hint: None,
        sandbox: None,
        smart: None,
        claims: None,
        device: Some(DeviceRequest {
            handle: code.handle,
            user_code: display_user_code(&code.user_code),
        }),
    };
    proceed(&state, &form.headers, request, Via::Post).await
}

/// Records the person's answer on the device code: approved as `user` (who signed in at that
/// time), or denied. The device learns it from its next poll.
pub async fn decided(
    state: &AppState,
    request: &AuthorizeRequest,
    user: Option<(&str, i64)>,
) -> Response {
    let Some(device) = &request.device else {
        return server_error_page();
    };
    let now = state.clock.now();
    match device_codes::decide(&state.db, &device.handle, user, now).await {
        Ok(true) => {}
        Ok(false) => {
            return message_page(
                StatusCode::BAD_REQUEST,
                "This code expired or was already answered. Start again on the device.",
            );
        }
        Err(_) => return server_error_page(),
    }
    let approved = user.is_some();
    let client_name = request.client.client_name.clone();
    html(
        StatusCode::OK,
        if approved {
            "Device connected"
        } else {
            "Access denied"
        },
        view! { <DeviceDonePage approved client_name /> },
        &[],
    )
}
