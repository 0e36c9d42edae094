//! The request journal: every request the server received in mock mode (but the control API's
//! own), with secrets masked, for a test to assert on (`GET /mock/requests`).

use super::{MockError, mock_of};
use crate::admin::auth::Admin;
use crate::state::AppState;
use axum::Json;
use axum::body::Body;
use axum::extract::{Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::VecDeque;
use std::sync::Mutex;

/// The most entries kept; older ones are dropped (and counted).
pub const CAPACITY: usize = 10_000;
/// The largest body read into an entry; a larger one passes unread.
const MAX_BODY: usize = 64 * 1024;
/// What a masked value reads as.
pub const MASK: &str = "***";
/// Parameters and JSON members whose values are credentials: never kept.
const SECRET_NAMES: &[&str] = &[
    "client_secret",
    "password",
    "secret",
    "code",
    "code_verifier",
    "refresh_token",
    "access_token",
    "id_token",
    "token",
    "client_assertion",
    "assertion",
    "device_code",
    "subject_token",
    "actor_token",
    "id_token_hint",
    "initial_access_token",
];

/// One request as received.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub id: u64,
    /// The server's clock (the mock clock) when it arrived, Unix seconds.
    pub at: i64,
    pub method: String,
    /// The path.
    pub endpoint: String,
    pub query: Map<String, Value>,
    /// The client the request names: `client_id` in the query or form, else the user-id of
    /// `Authorization: Basic` at the OAuth endpoints.
    pub client_id: Option<String>,
    /// The authorization scheme, its credentials masked: `Basic ***`, `Bearer ***`.
    pub authorization: Option<String>,
    pub content_type: Option<String>,
    /// A form or JSON body, masked; `None` for no body, or one not read (not form or JSON, or
    /// over 64 KiB).
    pub body: Option<Value>,
    pub status: u16,
    /// The fault that answered it, if one did.
    pub fault: Option<u64>,
}

/// The entries, newest last.
#[derive(Debug, Default)]
pub struct Journal {
    inner: Mutex<Kept>,
}

#[derive(Debug, Default)]
struct Kept {
    next_id: u64,
    dropped: u64,
    entries: VecDeque<Entry>,
}

/// The filters of `GET /mock/requests`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filter {
    pub endpoint: Option<String>,
    pub client_id: Option<String>,
    pub method: Option<String>,
    /// Only entries with a greater id.
    pub since: Option<u64>,
}

impl Journal {
    fn lock(&self) -> std::sync::MutexGuard<'_, Kept> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn push(&self, mut entry: Entry) {
        let mut kept = self.lock();
        kept.next_id += 1;
        entry.id = kept.next_id;
        if kept.entries.len() == CAPACITY {
            kept.entries.pop_front();
            kept.dropped += 1;
        }
        kept.entries.push_back(entry);
    }

    /// The entries that pass `filter`, oldest first, and how many were dropped in all.
    pub fn select(&self, filter: &Filter) -> (Vec<Entry>, u64) {
        let kept = self.lock();
        let entries = kept
            .entries
            .iter()
            .filter(|e| filter.endpoint.as_ref().is_none_or(|p| &e.endpoint == p))
            .filter(|e| {
                filter
                    .client_id
                    .as_ref()
                    .is_none_or(|c| e.client_id.as_ref() == Some(c))
            })
            .filter(|e| {
                filter
                    .method
                    .as_ref()
                    .is_none_or(|m| e.method.eq_ignore_ascii_case(m))
            })
            .filter(|e| filter.since.is_none_or(|s| e.id > s))
            .cloned()
            .collect();
        (entries, kept.dropped)
    }

    /// Forgets every entry (ids go on counting).
    pub fn clear(&self) {
        let mut kept = self.lock();
        kept.entries.clear();
        kept.dropped = 0;
    }
}

/// Form pairs as a JSON object, secrets masked; a repeated name becomes an array.
fn masked_pairs(pairs: impl Iterator<Item = (String, String)>) -> Map<String, Value> {
    let mut map = Map::new();
    for (name, value) in pairs {
        let value = if SECRET_NAMES.contains(&name.as_str()) {
            Value::from(MASK)
        } else {
            Value::from(value)
        };
        match map.get_mut(&name) {
            Some(Value::Array(values)) => values.push(value),
            Some(first) => *first = Value::Array(vec![first.take(), value]),
            None => {
                map.insert(name, value);
            }
        }
    }
    map
}

/// A JSON value with every secret member masked, at any depth.
fn masked_json(value: Value) -> Value {
    match value {
        Value::Object(members) => Value::Object(
            members
                .into_iter()
                .map(|(k, v)| {
                    if SECRET_NAMES.contains(&k.as_str()) {
                        (k, Value::from(MASK))
                    } else {
                        (k, masked_json(v))
                    }
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(masked_json).collect()),
        other => other,
    }
}

fn is_form(content_type: &str) -> bool {
    content_type.split(';').next().is_some_and(|m| {
        m.trim()
            .eq_ignore_ascii_case("application/x-www-form-urlencoded")
    })
}

fn is_json(content_type: &str) -> bool {
    content_type.split(';').next().is_some_and(|m| {
        let m = m.trim().to_ascii_lowercase();
        m == "application/json" || m.ends_with("+json")
    })
}

/// The client a request names.
fn client_of(
    path: &str,
    query: &Map<String, Value>,
    body: Option<&Value>,
    headers: &HeaderMap,
) -> Option<String> {
    let named = |m: &Map<String, Value>| {
        m.get("client_id")
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    named(query)
        .or_else(|| body.and_then(Value::as_object).and_then(named))
        .or_else(|| {
            // At the OAuth endpoints a Basic user-id is a client id (RFC 6749 §2.3.1).
            if !path.starts_with("/auth/") {
                return None;
            }
            let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
            crate::oauth::client_auth::decode_basic(value)
                .ok()
                .map(|(id, _)| id)
        })
}

/// The middleware: reads what it may of the request, lets it through, and keeps the entry.
pub async fn record(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(mock) = state.mock.as_ref() else {
        return next.run(request).await;
    };
    let path = request.uri().path().to_owned();
    if path == super::PREFIX.trim_end_matches('/') || path.starts_with(super::PREFIX) {
        return next.run(request).await;
    }
    let at = state.clock.now();
    let (parts, body) = request.into_parts();
    let query = masked_pairs(
        url::form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes()).into_owned(),
    );
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let length = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    // The declared length, or the size a body already in memory knows it has.
    let size = length.or_else(|| {
        axum::body::HttpBody::size_hint(&body)
            .upper()
            .and_then(|n| usize::try_from(n).ok())
    });
    let readable = content_type
        .as_deref()
        .is_some_and(|t| is_form(t) || is_json(t))
        && size.is_some_and(|n| n <= MAX_BODY);
    let (body, read) = if readable {
        match axum::body::to_bytes(body, MAX_BODY).await {
            Ok(bytes) => {
                let read = match content_type.as_deref() {
                    Some(t) if is_form(t) => Some(Value::Object(masked_pairs(
                        url::form_urlencoded::parse(&bytes).into_owned(),
                    ))),
                    _ => serde_json::from_slice(&bytes).ok().map(masked_json),
                };
                (Body::from(bytes), read)
            }
            // The body was cut short (its length lied): the handler would have failed too.
            Err(_) => return StatusCode::BAD_REQUEST.into_response(),
        }
    } else {
        (body, None)
    };
    let authorization = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(|v| match v.trim().split_once(' ') {
            Some((scheme, _)) => format!("{scheme} {MASK}"),
            None => MASK.to_owned(),
        });
    let client_id = client_of(&path, &query, read.as_ref(), &parts.headers);
    let method = parts.method.to_string();
    let response = next.run(Request::from_parts(parts, body)).await;
    let fault = response
        .headers()
        .get(super::faults::FAULT_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    mock.journal.push(Entry {
        id: 0,
        at,
        method,
        endpoint: path,
        query,
        client_id,
        authorization,
        content_type,
        body: read,
        status: response.status().as_u16(),
        fault,
    });
    response
}

/// `GET /mock/requests?endpoint=&client_id=&method=&since=`.
pub async fn list(
    _admin: Admin,
    State(state): State<AppState>,
    filter: Result<Query<Filter>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, MockError> {
    let Query(filter) = filter.map_err(|e| MockError::invalid(&e.body_text()))?;
    let (requests, dropped) = mock_of(&state)?.journal.select(&filter);
    Ok(Json(serde_json::json!({ "requests": requests, "dropped": dropped })).into_response())
}

/// `DELETE /mock/requests`.
pub async fn clear(_admin: Admin, State(state): State<AppState>) -> Result<Response, MockError> {
    mock_of(&state)?.journal.clear();
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_masked_in_forms_and_json_at_any_depth() {
        let form = masked_pairs(
            url::form_urlencoded::parse(
                b"grant_type=password&username=alice&password=p%40ss&scope=a&scope=b",
            )
            .into_owned(),
        );
        assert_eq!(form["password"], MASK);
        assert_eq!(form["username"], "alice");
        assert_eq!(form["scope"], serde_json::json!(["a", "b"]));
        let json = masked_json(serde_json::json!({
            "client_id": "c", "client_secret": "s", "users": [{"password": "p", "name": "n"}]
        }));
        assert_eq!(json["client_secret"], MASK);
        assert_eq!(json["users"][0]["password"], MASK);
        assert_eq!(json["users"][0]["name"], "n");
    }

    #[test]
    fn the_journal_keeps_its_capacity_and_counts_what_it_dropped() {
        let journal = Journal::default();
        let entry = |endpoint: &str| Entry {
            id: 0,
            at: 0,
            method: "POST".into(),
            endpoint: endpoint.into(),
            query: Map::new(),
            client_id: Some("c".into()),
            authorization: None,
            content_type: None,
            body: None,
            status: 200,
            fault: None,
        };
        for _ in 0..CAPACITY + 3 {
            journal.push(entry("/auth/token"));
        }
        journal.push(entry("/auth/introspect"));
        let all = Filter {
            endpoint: None,
            client_id: None,
            method: None,
            since: None,
        };
        let (entries, dropped) = journal.select(&all);
        assert_eq!((entries.len(), dropped), (CAPACITY, 4));
        let only = Filter {
            endpoint: Some("/auth/introspect".into()),
            ..all
        };
        assert_eq!(journal.select(&only).0.len(), 1);
    }
}
