//! Mock mode (`--mock`, `SANDBOX_MOCK=true`): the server as a mock authorization server for
//! other apps' tests. Everything of a real server stays; in addition, a control API under
//! [`PREFIX`], closed with the admin's credentials, mints tokens without a browser
//! ([`mint`]), injects faults ([`faults`]), shows every request received ([`journal`]), moves
//! or stops the clock ([`clock`]) and resets to the seed ([`reset`]). Every token says
//! `"mock": true` and every page carries a banner. Without mock mode none of these routes
//! exists: they answer 404 like any unknown path.

pub mod banner;
pub mod clock;
pub mod faults;
pub mod journal;
pub mod mint;
pub mod reset;
pub mod sign_in;

use crate::admin::auth::Admin;
use crate::admin::body::JsonBody;
use crate::admin::error::AdminError;
use crate::oauth::error::{OAuthError, Text};
use crate::state::AppState;
use app::endpoints as ep;
use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use std::sync::Arc;

/// The prefix of every control route.
pub const PREFIX: &str = "/mock/";

/// What mock mode keeps.
#[derive(Debug)]
pub struct Mock {
    pub clock: Arc<clock::MockClock>,
    pub faults: faults::Faults,
    pub journal: journal::Journal,
    /// The seeds applied at start, in order (name, text): a reset applies them again.
    pub seeds: Vec<(String, String)>,
    /// The seed file carries signing keys: a reset restores them.
    pub seed_has_keys: bool,
    /// One reset at a time.
    pub resetting: tokio::sync::Mutex<()>,
}

impl Mock {
    /// Mock mode over `clock`, remembering the seeds to reset to.
    pub fn new(
        clock: Arc<clock::MockClock>,
        seeds: Vec<(String, String)>,
        seed_has_keys: bool,
    ) -> Self {
        Self {
            clock,
            faults: Default::default(),
            journal: Default::default(),
            seeds,
            seed_has_keys,
            resetting: Default::default(),
        }
    }
}

/// The control routes, merged only in mock mode.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(ep::MOCK_TOKEN, post(mint::mint))
        .route(
            ep::MOCK_FAULTS,
            get(faults::list).post(faults::add).delete(faults::clear),
        )
        .route(ep::MOCK_REQUESTS, get(journal::list).delete(journal::clear))
        .route(ep::MOCK_CLOCK, get(show_clock).post(set_clock))
        .route(ep::MOCK_RESET, post(reset::reset))
}

/// A control API failure: JSON `{"error", "error_description"}` like the OAuth endpoints.
#[derive(Debug)]
pub enum MockError {
    /// 400 `invalid_request`, naming the field.
    Invalid(Text),
    /// 404: not in mock mode.
    NotFound,
    /// 500 `server_error`; the cause is logged, not sent.
    Internal,
    /// The admin API's own answers (credentials, body).
    Admin(AdminError),
}

impl MockError {
    /// A 400 with `description`, cleaned to RFC 6749 §5.2's character set like every OAuth
    /// error text.
    pub fn invalid(description: &str) -> Self {
        MockError::Invalid(Text::from(description.to_owned()))
    }

    /// A 500, the cause logged.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "mock control API");
        MockError::Internal
    }

    /// The description of a 400 (empty for other kinds).
    pub fn description(&self) -> &str {
        match self {
            MockError::Invalid(d) => d.as_str(),
            _ => "",
        }
    }
}

impl From<OAuthError> for MockError {
    fn from(e: OAuthError) -> Self {
        MockError::internal(e)
    }
}

impl From<AdminError> for MockError {
    fn from(e: AdminError) -> Self {
        MockError::Admin(e)
    }
}

impl IntoResponse for MockError {
    fn into_response(self) -> Response {
        let (status, error, description) = match self {
            MockError::Invalid(d) => (
                StatusCode::BAD_REQUEST,
                "invalid_request",
                Some(d.as_str().to_owned()),
            ),
            MockError::NotFound => (StatusCode::NOT_FOUND, "not_found", None),
            MockError::Internal => (StatusCode::INTERNAL_SERVER_ERROR, "server_error", None),
            MockError::Admin(e) => return e.into_response(),
        };
        let mut body = serde_json::json!({ "error": error });
        if let Some(d) = description {
            body["error_description"] = serde_json::json!(d);
        }
        let mut response = (status, Json(body)).into_response();
        crate::oauth::error::no_store(response.headers_mut());
        response
    }
}

/// A JSON body of the control API: the admin API's reader, its refusals as
/// `invalid_request` naming the field.
#[derive(Debug)]
pub struct MockJson<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequest<S> for MockJson<T> {
    type Rejection = MockError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, MockError> {
        match JsonBody::<T>::from_request(req, state).await {
            Ok(JsonBody(value)) => Ok(MockJson(value)),
            Err(
                e @ (AdminError::BadBody(_)
                | AdminError::UnsupportedMediaType
                | AdminError::TooLarge(_)),
            ) => Err(MockError::invalid(&e.to_string())),
            Err(e) => Err(MockError::Admin(e)),
        }
    }
}

/// The mock state, or 404 when the server is not in mock mode.
pub fn mock_of(state: &AppState) -> Result<&Mock, MockError> {
    state.mock.as_deref().ok_or(MockError::NotFound)
}

/// `POST /mock/clock`: `{"advance_seconds": N}` and/or `{"freeze": true|false}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockRequest {
    pub advance_seconds: Option<i64>,
    pub freeze: Option<bool>,
}

/// The longest single move of the clock: ten years.
const MAX_ADVANCE: i64 = 10 * 365 * 24 * 3600;

/// `GET /mock/clock`.
async fn show_clock(_admin: Admin, State(state): State<AppState>) -> Result<Response, MockError> {
    Ok(Json(mock_of(&state)?.clock.state()).into_response())
}

/// `POST /mock/clock`. Freezing comes first, so `{"freeze": true, "advance_seconds": 60}`
/// stops the clock a minute ahead.
async fn set_clock(
    _admin: Admin,
    State(state): State<AppState>,
    MockJson(request): MockJson<ClockRequest>,
) -> Result<Response, MockError> {
    let mock = mock_of(&state)?;
    if request.advance_seconds.is_none() && request.freeze.is_none() {
        return Err(MockError::invalid(
            "give advance_seconds (a number of seconds) or freeze (true or false)",
        ));
    }
    if let Some(n) = request.advance_seconds
        && !(0..=MAX_ADVANCE).contains(&n)
    {
        return Err(MockError::invalid(
            "advance_seconds: 0 to 315360000; the clock only moves forward",
        ));
    }
    if let Some(freeze) = request.freeze {
        mock.clock.freeze(freeze);
    }
    if let Some(n) = request.advance_seconds {
        mock.clock.advance(n);
    }
    Ok(Json(mock.clock.state()).into_response())
}
