//! What the authorization endpoint sends back: a redirect to the client, or one of its own
//! pages.

use super::request::Target;
use crate::model::client::Client;
use crate::model::smart_scope;
use crate::oauth::error::OAuthError;
use crate::sandbox::recorder::PageShown;
use crate::state::AppState;
use app::auth_pages::{
    ConsentPage, ConsentView, ErrorPage, ErrorView, LeavingPage, LeavingView, LoginPage, LoginView,
    ScopeLine, document,
};
use app::sandbox::catalogue::ArrowId;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use leptos::prelude::*;

/// How the redirect answers: 302 after a GET, 303 after a form POST.
#[derive(Clone, Copy, Debug)]
pub enum Via {
    Get,
    Post,
}

/// A redirect to the client with `params`, plus `state` and `iss`, in the query or the
/// fragment as the target says.
///
/// RFC 6749 §4.1.2: "state REQUIRED if the "state" parameter was present in the client
/// authorization request. The exact value received from the client." RFC 9207 §2: "the
/// authorization server MUST include the iss parameter in all authorization responses".
pub fn redirect(state: &AppState, target: &Target, params: &[(&str, &str)], via: Via) -> Response {
    let Some(location) = location(state, target, params) else {
        return server_error_page();
    };
    let status = match via {
        Via::Get => StatusCode::FOUND,
        Via::Post => StatusCode::SEE_OTHER,
    };
    let mut response = status.into_response();
    if let Ok(v) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    no_store(response)
}

/// The URL a response to `target` goes to, with `params`, `state` and `iss`.
fn location(state: &AppState, target: &Target, params: &[(&str, &str)]) -> Option<String> {
    let mut all: Vec<(&str, &str)> = params.to_vec();
    if let Some(s) = &target.state {
        all.push(("state", s));
    }
    all.push(("iss", &state.issuer));
    let mut url = url::Url::parse(&target.redirect_uri).ok()?;
    if target.fragment {
        let encoded = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(all)
            .finish();
        url.set_fragment(Some(&encoded));
    } else {
        url.query_pairs_mut().extend_pairs(all);
    }
    Some(url.to_string())
}

/// An error found before the person did anything (an unknown scope, `prompt=none` with nobody
/// signed in).
///
/// RFC 9700 §4.11.2: "the authorization server […] MUST NOT automatically redirect the user
/// agent" to a redirect URI it has not vetted, when the error arises before user interaction.
/// A client a developer registered has such a URI: its error is shown on a page of this server
/// that names the destination, and the person chooses to go there. The system's own clients
/// (seeded by an admin) are redirected at once.
pub fn redirect_error_unseen(
    state: &AppState,
    client: &Client,
    target: &Target,
    error: &OAuthError,
    via: Via,
) -> Response {
    if client.owner.is_none() {
        return redirect_error(state, target, error, via);
    }
    let params = [
        ("error", error.code()),
        ("error_description", error.description()),
    ];
    let Some(location) = location(state, target, &params) else {
        return server_error_page();
    };
    let host = url::Url::parse(&location)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| location.clone());
    let view = LeavingView {
        client_name: client.client_name.clone(),
        client_id: client.client_id.clone(),
        host,
        location,
        error: format!("{}: {}", error.code(), error.description()),
    };
    html(
        StatusCode::BAD_REQUEST,
        "This request cannot go on",
        view! { <LeavingPage view /> },
        &[],
    )
}

/// An error sent back to the client (RFC 6749 §4.1.2.1, §4.2.2.1).
pub fn redirect_error(state: &AppState, target: &Target, error: &OAuthError, via: Via) -> Response {
    redirect(
        state,
        target,
        &[
            ("error", error.code()),
            ("error_description", error.description()),
        ],
        via,
    )
}

fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

pub fn html(
    status: StatusCode,
    title: &str,
    body: impl IntoView + 'static,
    cookies: &[String],
) -> Response {
    let mut response = (status, Html(document(title, body))).into_response();
    for c in cookies {
        if let Ok(v) = HeaderValue::from_str(c) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    no_store(response)
}

/// The error page for a request that cannot be redirected.
pub fn error_page(status: StatusCode, view: ErrorView) -> Response {
    let title = view.title.clone();
    html(status, &title, view! { <ErrorPage view /> }, &[])
}

/// The page for an internal failure.
pub fn server_error_page() -> Response {
    error_page(
        StatusCode::INTERNAL_SERVER_ERROR,
        ErrorView {
            title: "Something went wrong".into(),
            message: "The server could not complete the request. Try again.".into(),
            ..ErrorView::default()
        },
    )
}

/// The login page.
pub fn login_page(view: LoginView, cookies: &[String]) -> Response {
    let mut response = html(
        StatusCode::OK,
        "Sign in",
        view! { <LoginPage view /> },
        cookies,
    );
    response.extensions_mut().insert(PageShown(ArrowId::SignIn));
    response
}

/// The consent page.
pub fn consent_page(view: ConsentView, cookies: &[String]) -> Response {
    let mut response = html(
        StatusCode::OK,
        "Allow access?",
        view! { <ConsentPage view /> },
        cookies,
    );
    response
        .extensions_mut()
        .insert(PageShown(ArrowId::Consent));
    response
}

/// Plain words for a scope on the consent page of a request, naming the patient and encounter
/// of a SMART request's launch context when it has them.
pub fn describe_scope_in(
    scope: &str,
    smart: Option<&crate::smart::request::SmartRequest>,
) -> ScopeLine {
    let context = smart.map(|s| &s.context);
    let patient = context.and_then(|c| c.patient.as_deref());
    let encounter = context.and_then(|c| c.encounter.as_deref());
    let description = match (scope, patient, encounter) {
        (smart_scope::LAUNCH_PATIENT, Some(p), _) => {
            format!("know the patient in context: Patient/{p}")
        }
        (smart_scope::LAUNCH, Some(p), Some(e)) => {
            format!("receive the EHR's context: Patient/{p}, Encounter/{e}")
        }
        (smart_scope::LAUNCH, Some(p), None) => format!("receive the EHR's context: Patient/{p}"),
        _ => return describe_scope(scope),
    };
    ScopeLine {
        scope: scope.to_owned(),
        description,
    }
}

/// Plain words for a scope on the consent page.
pub fn describe_scope(scope: &str) -> ScopeLine {
    let description = match scope {
        "openid" => "confirm who you are (sign you in)",
        "profile" => "see your name",
        "email" => "see your email address",
        "offline_access" => "keep access when you are not here (a refresh token)",
        "patient.read" => "read patient records in the demo API",
        other => {
            let smart = match smart_scope::describe_launch_scope(other) {
                Some(words) => Some(words.to_owned()),
                None => smart_scope::ResourceScope::parse(other).map(|s| s.describe()),
            };
            return ScopeLine {
                scope: scope.to_owned(),
                description: smart.unwrap_or_else(|| "a permission this client asked for".into()),
            };
        }
    };
    ScopeLine {
        scope: scope.to_owned(),
        description: description.to_owned(),
    }
}
