//! The patient picker of a standalone SMART launch (SMART App Launch 2.x §2.0.5: "If an
//! application requests launch/patient without a launch parameter, the EHR SHALL ask the user
//! to select a patient" in the sense of `context-standalone-patient`).
//!
//! It comes after sign-in and before consent: `GET /auth/patient?request=…` shows the demo
//! patients the person may choose, and its form (with the browser's CSRF token for that
//! request) posts the choice, which joins the request's launch context. Then the request goes
//! on as any other. Whom a person may choose is the EHR's decision: a person whose `fhirUser`
//! is a Patient opens their own record only; anyone else chooses among all the demo patients.

use super::request::AuthorizeRequest;
use super::respond::{Via, html, server_error_page};
use super::{
    after_login, bad_request, banner, page_form, see_other, signed_in_pending, with_cookies,
};
use crate::resource::fhir;
use crate::security::csrf;
use crate::state::AppState;
use app::auth_pages::{PatientChoice, PatientPickerPage, PatientPickerView};
use app::sandbox::catalogue::ArrowId;
use axum::extract::{RawQuery, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use leptos::prelude::*;

/// True when `request` waits for the person to pick its patient.
pub fn waits_for_patient(request: &AuthorizeRequest) -> bool {
    request
        .smart
        .as_ref()
        .is_some_and(|s| s.pick_patient && s.context.patient.is_none())
}

/// The patient id of a `fhirUser` reference that names a Patient (`Patient/pat-2`, or an
/// absolute URL ending so), if it does.
fn own_patient(reference: &str) -> Option<&str> {
    let mut segments = reference.rsplit('/');
    let id = segments.next()?;
    (segments.next()? == "Patient" && !id.is_empty()).then_some(id)
}

/// The patients `username` may choose: only their own when their `fhirUser` is a Patient,
/// else every demo patient.
async fn choices_for(state: &AppState, username: &str) -> Result<Vec<PatientChoice>, Response> {
    let user = crate::storage::users::get(&state.db, username)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "the person's record for the patient picker");
            server_error_page()
        })?;
    let own = user.and_then(|u| u.fhir_user);
    let mut all = choices();
    if let Some(id) = own.as_deref().and_then(own_patient) {
        all.retain(|c| c.id == id);
    }
    Ok(all)
}

/// The demo patients, as the picker lists them.
fn choices() -> Vec<PatientChoice> {
    fhir::all("Patient")
        .iter()
        .filter_map(|p| {
            let id = p["id"].as_str()?.to_owned();
            let name = &p["name"][0];
            let given: Vec<&str> = name["given"]
                .as_array()
                .map(|g| g.iter().filter_map(|x| x.as_str()).collect())
                .unwrap_or_default();
            let label = format!(
                "{} {} (born {}, {})",
                given.join(" "),
                name["family"].as_str().unwrap_or_default(),
                p["birthDate"].as_str().unwrap_or("unknown"),
                p["gender"].as_str().unwrap_or("unknown"),
            );
            Some(PatientChoice { id, label })
        })
        .collect()
}

/// The picker page for pending request `id`.
pub async fn show(
    state: &AppState,
    headers: &HeaderMap,
    id: &str,
    request: &AuthorizeRequest,
    username: &str,
    error: Option<String>,
) -> Response {
    let patients = match choices_for(state, username).await {
        Ok(p) => p,
        Err(response) => return response,
    };
    let Ok((browser, set)) = csrf::browser_cookie(state, headers) else {
        return server_error_page();
    };
    let view = PatientPickerView {
        client_name: request.client.client_name.clone(),
        username: username.to_owned(),
        request_id: id.to_owned(),
        csrf: state.csrf.token(&browser, id),
        patients,
        error,
        sandbox: banner(request, ArrowId::PickPatient),
    };
    let status = if view.error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let mut response = html(
        status,
        "Choose a patient",
        view! { <PatientPickerPage view /> },
        &set.into_iter().collect::<Vec<_>>(),
    );
    response
        .extensions_mut()
        .insert(crate::sandbox::recorder::PageShown(ArrowId::PickPatient));
    response
}

/// Sends the browser to the picker of request `id` (after the login form: a 303, so a reload
/// does not resend the password), or shows it at once.
pub async fn ask(
    state: &AppState,
    headers: &HeaderMap,
    id: &str,
    request: &AuthorizeRequest,
    username: &str,
    via: Via,
    cookies: &[String],
) -> Response {
    match via {
        Via::Post => see_other(app::endpoints::PATIENT_PICKER, id, cookies),
        Via::Get => with_cookies(
            show(state, headers, id, request, username, None).await,
            cookies,
        ),
    }
}

/// `GET /auth/patient?request=…`.
pub async fn picker_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    match signed_in_pending(&state, query.as_deref()).await {
        Some((id, request, username)) if waits_for_patient(&request) => {
            show(&state, &headers, &id, &request, &username, None).await
        }
        _ => bad_request(
            "This request does not wait for a patient: it expired, was answered, or never asked. Go back to the application and start again.",
        ),
    }
}

/// `POST /auth/patient`: the chosen patient joins the launch context; then consent, or the
/// code.
pub async fn picker_post(State(state): State<AppState>, request: Request) -> Response {
    let (params, pending, id, _, headers) = match page_form(&state, request).await {
        Ok(parts) => parts,
        Err(response) => return response,
    };
    let Some((username, auth_time)) = pending.user.clone() else {
        return bad_request("Sign in first.");
    };
    let mut request = pending.request;
    if !waits_for_patient(&request) {
        return bad_request("This request does not wait for a patient.");
    }
    let chosen = params.get("patient").unwrap_or_default().to_owned();
    let allowed = match choices_for(&state, &username).await {
        Ok(choices) => choices.iter().any(|c| c.id == chosen),
        Err(response) => return response,
    };
    crate::checks::record(
        "the patient is one this person may choose",
        "SMART App Launch 2.x §2.0.5",
        allowed,
    );
    if !allowed {
        return show(
            &state,
            &headers,
            &id,
            &request,
            &username,
            Some("Choose one of the patients listed.".into()),
        )
        .await;
    }
    if let Some(smart) = request.smart.as_mut() {
        smart.context.patient = Some(chosen);
    }
    if state.pending.replace(&state, &id, &request).await.is_err() {
        return super::respond::server_error_page();
    }
    after_login(
        &state,
        &headers,
        request,
        &username,
        auth_time,
        Some(id),
        Via::Post,
        &[],
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_patient_reference_names_the_person_s_own_record() {
        assert_eq!(own_patient("Patient/pat-2"), Some("pat-2"));
        assert_eq!(
            own_patient("https://ehr.example/fhir/Patient/pat-3"),
            Some("pat-3")
        );
        assert_eq!(own_patient("Practitioner/prac-1"), None);
        assert_eq!(own_patient("Patient/"), None);
        assert_eq!(own_patient("pat-2"), None);
    }
}
