//! The demo patients and the two read endpoints.

use super::guard::Allowed;
use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

fn patient(id: &str, family: &str, given: &str, gender: &str, birth: &str) -> Value {
    json!({
        "resourceType": "Patient",
        "id": id,
        "name": [{ "use": "official", "family": family, "given": [given] }],
        "gender": gender,
        "birthDate": birth,
    })
}

/// The demo patients (fictional).
pub fn all() -> Vec<Value> {
    vec![
        patient("pat-1", "Chalmers", "Peter", "male", "1974-12-25"),
        patient("pat-2", "Nguyen", "Linh", "female", "1990-03-14"),
        patient("pat-3", "Okafor", "Ada", "female", "1985-07-01"),
    ]
}

/// `GET /fhir/Patient`: a FHIR searchset Bundle of every demo patient.
pub async fn list(allowed: Allowed) -> Response {
    let entries: Vec<Value> = all()
        .into_iter()
        .map(|p| json!({ "resource": p }))
        .collect();
    let body = json!({
        "resourceType": "Bundle",
        "type": "searchset",
        "total": entries.len(),
        "entry": entries,
        "meta": { "tag": [{ "code": "allowed-by", "display": allowed.decision.allowed_by }] },
    });
    Json(body).into_response()
}

/// `GET /fhir/Patient/{id}`: one patient, or a FHIR OperationOutcome with 404.
pub async fn read(_allowed: Allowed, Path(id): Path<String>) -> Response {
    match all().into_iter().find(|p| p["id"] == id.as_str()) {
        Some(p) => Json(p).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Json(json!({
                "resourceType": "OperationOutcome",
                "issue": [{ "severity": "error", "code": "not-found", "diagnostics": format!("Patient/{id} is not known") }],
            })),
        )
            .into_response(),
    }
}
