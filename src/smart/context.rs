//! The launch context of a SMART grant (SMART App Launch 2.x §2.0.9 "Launch context arrives with
//! your access_token"): who the patient is, the encounter, other resources, the user's FHIR
//! resource, and how the app should show itself.
//!
//! It is fixed when the authorization request is accepted (from an EHR launch, or the patient
//! the person picked), stored as JSON with the code and with every token of the grant, and read
//! back by the token response, introspection and the FHIR API's compartment check.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A grant's launch context.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LaunchContext {
    /// The patient in context: a Patient id of the FHIR API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patient: Option<String>,
    /// The encounter in context: an Encounter id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encounter: Option<String>,
    /// §2.0.9 `fhirContext`: other resources of the launch, each `{"reference": "Type/id"}`.
    #[serde(default, rename = "fhirContext", skip_serializing_if = "Vec::is_empty")]
    pub fhir_context: Vec<Value>,
    /// The user's FHIR resource, an absolute URL (the ID token's `fhirUser`).
    #[serde(default, rename = "fhirUser", skip_serializing_if = "Option::is_none")]
    pub fhir_user: Option<String>,
    /// §2.0.9: "Boolean value indicating whether the app was launched in a UX context where a
    /// patient banner is required (when true) or may be omitted (when false)".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub need_patient_banner: Option<bool>,
    /// §2.0.9: "String URL where the EHR's style parameters can be retrieved".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smart_style_url: Option<String>,
}

/// The context as the token response carries it: everything but `fhirUser`, which the ID
/// token carries (§2.0.9 lists `patient`, `encounter`, `fhirContext`, `need_patient_banner`
/// and `smart_style_url` as token response parameters).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ResponseContext {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patient: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encounter: Option<String>,
    #[serde(rename = "fhirContext", skip_serializing_if = "Vec::is_empty")]
    pub fhir_context: Vec<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub need_patient_banner: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub smart_style_url: Option<String>,
}

impl LaunchContext {
    /// Reads a stored context; `None` for none or for text that is not one.
    pub fn parse(stored: Option<&str>) -> Option<Self> {
        stored.and_then(|s| serde_json::from_str(s).ok())
    }

    /// The JSON to store.
    pub fn stored(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }

    /// True when it says nothing.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// The token response's parameters.
    pub fn response(&self) -> ResponseContext {
        ResponseContext {
            patient: self.patient.clone(),
            encounter: self.encounter.clone(),
            fhir_context: self.fhir_context.clone(),
            need_patient_banner: self.need_patient_banner,
            smart_style_url: self.smart_style_url.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_and_answered_with_the_spec_names() {
        let context = LaunchContext {
            patient: Some("pat-1".into()),
            encounter: Some("enc-1".into()),
            fhir_context: vec![serde_json::json!({"reference": "Observation/obs-1-1"})],
            fhir_user: Some("https://as.example/fhir/Practitioner/prac-1".into()),
            need_patient_banner: Some(false),
            smart_style_url: None,
        };
        let stored = context.stored();
        assert_eq!(LaunchContext::parse(Some(&stored)), Some(context.clone()));
        let answered = serde_json::to_value(context.response()).unwrap();
        assert_eq!(
            answered,
            serde_json::json!({
                "patient": "pat-1", "encounter": "enc-1",
                "fhirContext": [{"reference": "Observation/obs-1-1"}],
                "need_patient_banner": false
            })
        );
        assert!(LaunchContext::default().is_empty());
        assert_eq!(LaunchContext::parse(Some("not json")), None);
    }
}
