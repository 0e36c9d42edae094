//! `POST /Launch`: an EHR launch for a SMART app (SMART App Launch 2.x §2.0.1 "Launch App: EHR
//! Launch"), made by an admin or by the developer who owns the client.
//!
//! The EHR knows the patient (and perhaps the encounter and the user) and opens the app's
//! launch URL with `iss` (the FHIR base) and `launch` (an opaque value). The app sends `launch`
//! back in its authorization request; the server finds the context by it. A launch value is
//! bound to its client, expires after [`LAUNCH_TTL`] seconds, and works once.

use super::context::LaunchContext;
use super::request::fhir_base;
use crate::admin::body::JsonBody;
use crate::admin::error::AdminError;
use crate::console::{Caller, clients};
use crate::model::FieldError;
use crate::model::client::GrantType;
use crate::model::user::validate_fhir_user;
use crate::resource::fhir;
use crate::secret::{digest, new_secret, ordered_id};
use crate::state::AppState;
use crate::storage::launches::{self, NewLaunch};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// How long a launch value may wait for the app's authorization request, in seconds.
pub const LAUNCH_TTL: i64 = 300;

/// The most `fhirContext` entries a launch carries.
const MAX_FHIR_CONTEXT: usize = 10;

/// What `POST /Launch` accepts.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LaunchInput {
    pub client_id: String,
    /// A Patient id of the demo FHIR API.
    #[serde(default)]
    pub patient: Option<String>,
    /// An Encounter id of that patient.
    #[serde(default)]
    pub encounter: Option<String>,
    /// The user's FHIR resource: `Practitioner/prac-1`, or an absolute URL under the FHIR base.
    #[serde(default, rename = "fhirUser")]
    pub fhir_user: Option<String>,
    /// More resources of the launch: `[{"reference": "Observation/obs-1-1"}]`.
    #[serde(default, rename = "fhirContext")]
    pub fhir_context: Vec<Value>,
}

/// The launch, answered once.
#[derive(Clone, Debug, Serialize)]
pub struct Created {
    pub launch: String,
    /// The app's launch URL with `iss` and `launch`: open it to launch the app.
    pub launch_url: String,
    pub client_id: String,
    pub expires_in: i64,
    /// The context the app's tokens will carry.
    pub context: LaunchContext,
}

/// True when the demo FHIR API holds `resource_type/id`.
fn exists(resource_type: &str, id: &str) -> bool {
    fhir::all(resource_type)
        .iter()
        .any(|r| r["id"].as_str() == Some(id))
}

/// Checks the launch's context against the FHIR data.
fn context_of(state: &AppState, input: &LaunchInput) -> Result<LaunchContext, FieldError> {
    if let Some(p) = &input.patient
        && !exists("Patient", p)
    {
        return Err(FieldError::new(
            "patient",
            format!("{p:?} is not a Patient of the FHIR API (try pat-1, pat-2 or pat-3)"),
        ));
    }
    if let Some(e) = &input.encounter {
        let encounter = fhir::all("Encounter")
            .iter()
            .find(|r| r["id"].as_str() == Some(e));
        let Some(encounter) = encounter else {
            return Err(FieldError::new(
                "encounter",
                format!("{e:?} is not an Encounter of the FHIR API"),
            ));
        };
        if input.patient.is_some() && fhir::patient_of(encounter) != input.patient.as_deref() {
            return Err(FieldError::new(
                "encounter",
                format!("{e:?} is not an encounter of the patient in context"),
            ));
        }
    }
    let base = fhir_base(state);
    let fhir_user = match &input.fhir_user {
        None => None,
        Some(given) => {
            let relative = given
                .strip_prefix(&format!("{base}/"))
                .unwrap_or(given.as_str());
            validate_fhir_user(relative)?;
            Some(format!("{base}/{relative}"))
        }
    };
    if input.fhir_context.len() > MAX_FHIR_CONTEXT {
        return Err(FieldError::new(
            "fhirContext",
            format!("holds more than {MAX_FHIR_CONTEXT} entries"),
        ));
    }
    for (i, item) in input.fhir_context.iter().enumerate() {
        let reference = item["reference"].as_str().unwrap_or_default();
        let known = reference
            .split_once('/')
            .is_some_and(|(t, id)| fhir::TYPES.contains(&t) && exists(t, id));
        if !item.is_object() || !known {
            return Err(FieldError::new(
                format!("fhirContext[{i}]"),
                "must be {\"reference\": \"Type/id\"} naming a resource of the FHIR API",
            ));
        }
    }
    Ok(LaunchContext {
        patient: input.patient.clone(),
        encounter: input.encounter.clone(),
        fhir_context: input.fhir_context.clone(),
        fhir_user,
        need_patient_banner: Some(false),
        smart_style_url: None,
    })
}

/// Creates a launch of `input.client_id` for `caller`, who must see the client.
pub async fn create(
    state: &AppState,
    caller: &Caller,
    input: LaunchInput,
) -> Result<Created, AdminError> {
    let client = clients::get(state, caller, &input.client_id)
        .await
        .map_err(|e| match e {
            AdminError::NotFound(_) => FieldError::new(
                "client_id",
                format!("{:?} is not a client you may launch", input.client_id),
            )
            .into(),
            other => other,
        })?;
    if !client.allows(GrantType::AuthorizationCode) {
        return Err(FieldError::new(
            "client_id",
            "the client is not registered for authorization_code, which a SMART launch uses",
        )
        .into());
    }
    let Some(launch_uri) = client.launch_uri.clone() else {
        return Err(FieldError::new(
            "client_id",
            "the client has no launch_uri: register the app's launch URL first",
        )
        .into());
    };
    let context = context_of(state, &input)?;
    let (handle, secret) = (ordered_id()?, new_secret()?);
    let now = state.clock.now();
    launches::insert(
        &state.db,
        &NewLaunch {
            handle: handle.clone(),
            secret_hash: digest(secret.expose()),
            client_id: client.client_id.clone(),
            context: context.stored(),
            created_by: caller.name().to_owned(),
            issued_at: now,
            expires_at: now + LAUNCH_TTL,
        },
    )
    .await
    .map_err(AdminError::internal)?;
    let launch = format!("{handle}.{}", secret.expose());
    let mut url = url::Url::parse(&launch_uri).map_err(AdminError::internal)?;
    url.query_pairs_mut()
        .append_pair("iss", &fhir_base(state))
        .append_pair("launch", &launch);
    Ok(Created {
        launch,
        launch_url: url.into(),
        client_id: client.client_id.clone(),
        expires_in: LAUNCH_TTL,
        context,
    })
}

/// `POST /Launch`: 201 with the launch value and the URL that launches the app.
pub async fn post(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(input): JsonBody<LaunchInput>,
) -> Result<Response, AdminError> {
    let created = create(&state, &caller, input).await?;
    let mut response = (StatusCode::CREATED, Json(created)).into_response();
    crate::oauth::error::no_store(response.headers_mut());
    Ok(response)
}
