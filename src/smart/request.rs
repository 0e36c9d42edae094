//! The SMART checks of an authorization request (SMART App Launch 2.x §2.0.5 "Obtain
//! authorization code"): `aud` names this FHIR server, an EHR launch's `launch` value is used
//! once, and a standalone `launch/patient` makes the server ask which patient.

use super::context::LaunchContext;
use crate::checks::check;
use crate::model::client::Client;
use crate::model::scope::Scope;
use crate::model::smart_scope::{FHIR_USER, LAUNCH, LAUNCH_PATIENT, is_smart};
use crate::oauth::error::OAuthError;
use crate::state::AppState;
use crate::storage::launches::{self, Refused};
use app::endpoints as ep;

/// A checked SMART authorization request.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SmartRequest {
    /// The context the tokens will carry; its patient is filled in by the picker when asked.
    pub context: LaunchContext,
    /// `launch/patient` without a patient from a launch: the person picks one after sign-in.
    pub pick_patient: bool,
}

/// The FHIR base URL, which a SMART request's `aud` must be.
pub fn fhir_base(state: &AppState) -> String {
    state.url(ep::FHIR_BASE)
}

/// True for a SMART request: it asks for a SMART scope, or sends `aud` or `launch`.
pub fn is_smart_request(scope: &Scope, aud: Option<&str>, launch: Option<&str>) -> bool {
    aud.is_some() || launch.is_some() || scope.iter().any(is_smart)
}

/// Checks the SMART parameters of a request from `client` for `scope`. `Ok(None)` for a request
/// that is not SMART. A `launch` value is used by this check: it never works twice.
pub async fn check_request(
    state: &AppState,
    client: &Client,
    scope: &Scope,
    aud: Option<&str>,
    launch: Option<&str>,
) -> Result<Option<SmartRequest>, OAuthError> {
    if !is_smart_request(scope, aud, launch) {
        return Ok(None);
    }
    let base = fhir_base(state);
    // §2.0.5: "aud: REQUIRED. URL of the EHR resource server from which the app wishes to
    // retrieve FHIR data. This parameter prevents leaking a genuine bearer token to a
    // counterfeit resource server."
    let Some(aud) = aud else {
        check(
            "aud names this server's FHIR base URL",
            "SMART App Launch 2.x §2.0.5",
            false,
        );
        return Err(OAuthError::invalid_request(format!(
            "a SMART authorization request must carry aud, the FHIR base URL the app will call: {base}"
        )));
    };
    if !check(
        "aud names this server's FHIR base URL",
        "SMART App Launch 2.x §2.0.5",
        aud.trim_end_matches('/') == base,
    ) {
        return Err(OAuthError::invalid_request(format!(
            "aud {aud:?} is not this server's FHIR base URL ({base}); no token is issued for another server"
        )));
    }
    let ehr = scope.contains(LAUNCH);
    let mut context = match (launch, ehr) {
        (Some(_), false) => {
            return Err(OAuthError::invalid_request(
                "the launch parameter comes with the launch scope: add launch to scope",
            ));
        }
        (None, true) => {
            return Err(OAuthError::invalid_request(
                "scope launch asks for an EHR launch's context: send the launch value the EHR gave the app",
            ));
        }
        (Some(value), true) => used_launch(state, client, value).await?,
        (None, false) => LaunchContext::default(),
    };
    let pick_patient = scope.contains(LAUNCH_PATIENT) && context.patient.is_none();
    if pick_patient {
        // A patient the person picked here: the app shows who it is about.
        context.need_patient_banner = Some(true);
    }
    if ehr || pick_patient {
        context.smart_style_url = Some(state.url(ep::SMART_STYLE));
    }
    Ok(Some(SmartRequest {
        context,
        pick_patient,
    }))
}

/// The context the grant of `smart` carries once `username` approved it: the request's, with
/// the user's `fhirUser` when the scope asks for it and the launch named none.
pub async fn grant_context(
    state: &AppState,
    smart: &SmartRequest,
    scope: &Scope,
    username: &str,
) -> Result<LaunchContext, crate::storage::StorageError> {
    let mut context = smart.context.clone();
    if !scope.contains(FHIR_USER) {
        context.fhir_user = None;
    } else if context.fhir_user.is_none() {
        let user = crate::storage::users::get(&state.db, username).await?;
        context.fhir_user = user.and_then(|u| fhir_user_url(state, &u));
    }
    Ok(context)
}

/// The user's FHIR resource as an absolute URL, the ID token's `fhirUser`.
pub fn fhir_user_url(state: &AppState, user: &crate::model::user::User) -> Option<String> {
    user.fhir_user
        .as_ref()
        .map(|r| format!("{}/{r}", fhir_base(state)))
}

/// The context of launch `value`, which this use spends.
async fn used_launch(
    state: &AppState,
    client: &Client,
    value: &str,
) -> Result<LaunchContext, OAuthError> {
    let now = state.clock.now();
    let used = launches::consume(&state.db, value, &client.client_id, now)
        .await
        .map_err(OAuthError::internal)?;
    let reason = match used {
        Ok(stored) => {
            check(
                "the launch value is known, for this client, unexpired and unused",
                "SMART App Launch 2.x §2.0.1",
                true,
            );
            let mut context = LaunchContext::parse(Some(&stored)).unwrap_or_default();
            // The EHR shows its own patient banner around an app it launched.
            context.need_patient_banner.get_or_insert(false);
            return Ok(context);
        }
        Err(Refused::Unknown) => "the launch value is not one this server issued",
        Err(Refused::OtherClient) => "the launch value was created for another client",
        Err(Refused::Expired) => "the launch value has expired; launch the app again",
        Err(Refused::Used) => "the launch value was already used; a launch works once",
    };
    check(
        "the launch value is known, for this client, unexpired and unused",
        "SMART App Launch 2.x §2.0.1",
        false,
    );
    Err(OAuthError::invalid_request(reason))
}
