//! `GET /fhir/metadata`: the FHIR CapabilityStatement (FHIR R4 §3.1.0.5, "capabilities"), which
//! names what the demo API serves and, in the `oauth-uris` extension of `rest.security`, the
//! authorization server's endpoints (SMART App Launch: "Capability Statement").

use super::fhir::TYPES;
use crate::state::AppState;
use app::endpoints as ep;
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

const OAUTH_URIS: &str = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris";

/// The search parameters each type accepts.
fn search_params(resource_type: &str) -> Value {
    let mut params = vec![json!({"name": "_id", "type": "token"})];
    if super::fhir::PATIENT_DATA.contains(&resource_type) {
        params.push(json!({"name": "patient", "type": "reference"}));
        params.push(json!({"name": "subject", "type": "reference"}));
    }
    Value::Array(params)
}

/// The statement. Public, as FHIR requires: a client reads it before it has a token.
pub async fn metadata(State(state): State<AppState>) -> Response {
    let uri = |name: &str, path: &str| json!({"url": name, "valueUri": state.url(path)});
    let resources: Vec<Value> = TYPES
        .iter()
        .map(|t| {
            json!({
                "type": t,
                "interaction": [{"code": "read"}, {"code": "search-type"}],
                "searchParam": search_params(t),
            })
        })
        .collect();
    Json(json!({
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": "2026-12-02",
        "kind": "instance",
        "software": {"name": "oauth-sandbox", "version": env!("CARGO_PKG_VERSION")},
        "implementation": {
            "description": "The oauth-sandbox demo FHIR API (fictional data)",
            "url": state.url("/fhir"),
        },
        "fhirVersion": "4.0.1",
        "format": ["json"],
        "rest": [{
            "mode": "server",
            "security": {
                "service": [{"coding": [{
                    "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                    "code": "OAuth",
                }]}],
                "extension": [{
                    "url": OAUTH_URIS,
                    "extension": [
                        uri("authorize", ep::AUTHORIZE),
                        uri("token", ep::TOKEN),
                        uri("introspect", ep::INTROSPECT),
                        uri("revoke", ep::REVOKE),
                        uri("register", ep::REGISTER),
                    ],
                }],
            },
            "resource": resources,
        }],
    }))
    .into_response()
}
