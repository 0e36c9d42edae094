//! The demo FHIR data and its read and search endpoints: three fictional patients, each with
//! vital-sign Observations and an Encounter (FHIR R4 shapes), from `demo_fhir.json`.
//!
//! `GET /fhir/{type}` answers a `searchset` Bundle (FHIR R4 §3.1.1.4.1, "search"), filtered by
//! `_id` and, for Observation and Encounter, by `patient` or `subject` (`pat-1` or
//! `Patient/pat-1`); other parameters are ignored, as FHIR's lenient handling allows.
//! `GET /fhir/{type}/{id}` answers the resource, or a 404 OperationOutcome.

use super::guard::Allowed;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::OnceLock;

/// The resource types the demo API serves.
pub const TYPES: [&str; 4] = ["Patient", "Observation", "Encounter", "Practitioner"];

/// The types of [`TYPES`] whose resources belong to a patient (searchable by `patient`).
pub const PATIENT_DATA: [&str; 2] = ["Observation", "Encounter"];

/// Every demo resource, by type.
pub fn all(resource_type: &str) -> &'static [Value] {
    static DATA: OnceLock<HashMap<String, Vec<Value>>> = OnceLock::new();
    let data = DATA
        .get_or_init(|| serde_json::from_str(include_str!("demo_fhir.json")).unwrap_or_default());
    data.get(resource_type).map_or(&[], Vec::as_slice)
}

/// The patient a resource belongs to: itself for a Patient, its `subject` otherwise.
pub fn patient_of(resource: &Value) -> Option<&str> {
    match resource["resourceType"].as_str() {
        Some("Patient") => resource["id"].as_str(),
        _ => resource["subject"]["reference"]
            .as_str()
            .and_then(|r| r.strip_prefix("Patient/")),
    }
}

fn not_found(resource_type: &str, id: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({
            "resourceType": "OperationOutcome",
            "issue": [{ "severity": "error", "code": "not-found", "diagnostics": format!("{resource_type}/{id} is not known") }],
        })),
    )
        .into_response()
}

fn search(
    state: &AppState,
    allowed: &Allowed,
    resource_type: &str,
    query: &HashMap<String, String>,
) -> Response {
    let wanted_patient = query
        .get("patient")
        .or_else(|| query.get("subject"))
        .filter(|_| PATIENT_DATA.contains(&resource_type))
        .map(|p| p.trim_start_matches("Patient/").to_owned());
    let entries: Vec<Value> = all(resource_type)
        .iter()
        .filter(|r| query.get("_id").is_none_or(|id| r["id"] == id.as_str()))
        .filter(|r| {
            wanted_patient
                .as_deref()
                .is_none_or(|p| patient_of(r) == Some(p))
        })
        // A patient/ SMART scope: only that patient's compartment.
        .filter(|r| {
            allowed
                .compartment
                .as_deref()
                .is_none_or(|p| patient_of(r) == Some(p))
        })
        .map(|r| {
            json!({
                "fullUrl": state.url(&format!("/fhir/{resource_type}/{}", r["id"].as_str().unwrap_or_default())),
                "resource": r,
                "search": { "mode": "match" },
            })
        })
        .collect();
    Json(json!({
        "resourceType": "Bundle",
        "type": "searchset",
        "total": entries.len(),
        "entry": entries,
        "meta": { "tag": [{ "code": "allowed-by", "display": allowed.decision.allowed_by }] },
    }))
    .into_response()
}

fn read(allowed: &Allowed, resource_type: &str, id: &str) -> Response {
    match all(resource_type).iter().find(|r| r["id"] == id) {
        Some(r) => match &allowed.compartment {
            Some(p) if patient_of(r) != Some(p.as_str()) => super::guard::Refusal::Scope(format!(
                "{resource_type}/{id} is outside the compartment of Patient/{p}, the patient in the token's context"
            ))
            .into_response(),
            _ => Json(r.clone()).into_response(),
        },
        None => not_found(resource_type, id),
    }
}

/// `GET /fhir/Patient`.
pub async fn search_patients(
    State(state): State<AppState>,
    allowed: Allowed,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    search(&state, &allowed, "Patient", &q)
}

/// `GET /fhir/Patient/{id}`.
pub async fn read_patient(allowed: Allowed, Path(id): Path<String>) -> Response {
    read(&allowed, "Patient", &id)
}

/// `GET /fhir/Observation`.
pub async fn search_observations(
    State(state): State<AppState>,
    allowed: Allowed,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    search(&state, &allowed, "Observation", &q)
}

/// `GET /fhir/Observation/{id}`.
pub async fn read_observation(allowed: Allowed, Path(id): Path<String>) -> Response {
    read(&allowed, "Observation", &id)
}

/// `GET /fhir/Encounter`.
pub async fn search_encounters(
    State(state): State<AppState>,
    allowed: Allowed,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    search(&state, &allowed, "Encounter", &q)
}

/// `GET /fhir/Practitioner`.
pub async fn search_practitioners(
    State(state): State<AppState>,
    allowed: Allowed,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    search(&state, &allowed, "Practitioner", &q)
}

/// `GET /fhir/Practitioner/{id}`.
pub async fn read_practitioner(allowed: Allowed, Path(id): Path<String>) -> Response {
    read(&allowed, "Practitioner", &id)
}

/// `GET /fhir/Encounter/{id}`.
pub async fn read_encounter(allowed: Allowed, Path(id): Path<String>) -> Response {
    read(&allowed, "Encounter", &id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed(compartment: Option<&str>) -> Allowed {
        use crate::model::policy::{AuthKind, Decision, RequestFacts};
        Allowed {
            facts: RequestFacts {
                method: "GET".into(),
                path: String::new(),
                auth: AuthKind::Bearer,
                client_id: "c".into(),
                username: None,
                scopes: vec![],
                issuer: "http://own.test".into(),
                outside: false,
                trusted_by: vec![],
                patient: None,
            },
            decision: Decision {
                allowed: true,
                allowed_by: Some("patient/*.rs".into()),
                trace: vec![],
            },
            compartment: compartment.map(str::to_owned),
        }
    }

    #[test]
    fn a_compartment_keeps_reads_to_its_patient() {
        let inside = allowed(Some("pat-1"));
        assert_eq!(read(&inside, "Patient", "pat-1").status(), StatusCode::OK);
        assert_eq!(
            read(&inside, "Observation", "obs-1-2").status(),
            StatusCode::OK
        );
        let outside = read(&inside, "Patient", "pat-2");
        assert_eq!(outside.status(), StatusCode::FORBIDDEN);
        let challenge = outside.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            challenge.contains("error=\"insufficient_scope\""),
            "{challenge}"
        );
        assert_eq!(
            read(&inside, "Encounter", "enc-3").status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            read(&allowed(None), "Patient", "pat-2").status(),
            StatusCode::OK
        );
    }

    #[test]
    fn every_patient_has_observations_and_an_encounter() {
        let patients = all("Patient");
        assert_eq!(patients.len(), 3);
        for p in patients {
            let id = p["id"].as_str().unwrap();
            let of = |t| all(t).iter().filter(|r| patient_of(r) == Some(id)).count();
            assert!(of("Observation") >= 2, "{id}");
            assert_eq!(of("Encounter"), 1, "{id}");
        }
    }
}
