//! Health checks for load balancers, orchestrators and CI: `GET /healthz` says the process
//! answers; `GET /readyz` says it can serve: the database answers a query and a signing key is
//! loaded. Both are cheap (no argon2, no write) and answer JSON with `Cache-Control: no-store`.

use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// `GET /healthz`: 200 while the process runs.
pub async fn healthz() -> Response {
    answer(StatusCode::OK, json!({ "status": "ok" }))
}

/// `GET /readyz`: 200 when the database answers and keys are loaded, 503 otherwise.
pub async fn readyz(State(state): State<AppState>) -> Response {
    let database = state.db.ping().await.is_ok();
    let keys = !state.keys.current().all.is_empty();
    let ready = database && keys;
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let word = |ok: bool| if ok { "ok" } else { "unavailable" };
    answer(
        status,
        json!({
            "status": if ready { "ready" } else { "not ready" },
            "database": word(database),
            "keys": word(keys),
        }),
    )
}

fn answer(status: StatusCode, body: serde_json::Value) -> Response {
    let mut response = (status, Json(body)).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    response
}
