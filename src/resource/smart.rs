//! What a token's SMART scopes allow at the demo FHIR API (SMART App Launch 2.x, "Scopes and
//! Launch Context"). A token with any SMART resource scope is judged by its scopes alone; a
//! token without one is left to the access policies.
//!
//! `GET /fhir/{type}` is a search (`s`), `GET /fhir/{type}/{id}` a read (`r`). A `user/` or
//! `system/` scope grants the interaction on every resource of its type; a `patient/` scope
//! only inside the compartment of the patient in the token's launch context, so a token with
//! patient scopes and no patient in context reads nothing.

use crate::model::smart_scope::{Context, Interaction, ResourceScope, resource_scopes};

/// What the scopes decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The token has no SMART resource scope: the access policies decide.
    NotSmart,
    /// Allowed by `scope`; `compartment`, when set, is the only patient whose data it reaches.
    Allowed {
        scope: String,
        compartment: Option<String>,
    },
    /// Refused, and why (RFC 6750 §3.1 `insufficient_scope`).
    Refused(String),
}

/// The resource type and interaction of a request to the FHIR API, if it is one.
fn interaction(method: &str, path: &str) -> Option<(String, Interaction)> {
    let rest = path.strip_prefix("/fhir/")?;
    let mut parts = rest.split('/');
    let resource = parts.next().filter(|t| !t.is_empty())?;
    let interaction = match (method, parts.next(), parts.next()) {
        ("GET" | "HEAD", None, _) => Interaction::Search,
        ("GET" | "HEAD", Some(id), None) if !id.is_empty() => Interaction::Read,
        ("POST", None, _) => Interaction::Create,
        ("PUT" | "PATCH", Some(_), None) => Interaction::Update,
        ("DELETE", Some(_), None) => Interaction::Delete,
        _ => return None,
    };
    Some((resource.to_owned(), interaction))
}

/// Decides `method path` for a token holding `scopes`, with `patient` in its launch context.
pub fn decide<'a>(
    scopes: impl IntoIterator<Item = &'a str>,
    patient: Option<&str>,
    method: &str,
    path: &str,
) -> Verdict {
    let smart: Vec<ResourceScope> = resource_scopes(scopes);
    if smart.is_empty() {
        return Verdict::NotSmart;
    }
    let Some((resource, wanted)) = interaction(method, path) else {
        return Verdict::Refused(format!(
            "{method} {path} is not a FHIR interaction a SMART scope grants"
        ));
    };
    let granting: Vec<&ResourceScope> = smart
        .iter()
        .filter(|s| s.grants(&resource, wanted))
        .collect();
    // A user or system scope reaches every resource of its type; prefer it to a patient one.
    if let Some(wide) = granting.iter().find(|s| s.context != Context::Patient) {
        return Verdict::Allowed {
            scope: wide.to_string(),
            compartment: None,
        };
    }
    match (granting.first(), patient) {
        (Some(scope), Some(p)) => Verdict::Allowed {
            scope: scope.to_string(),
            compartment: Some(p.to_owned()),
        },
        (Some(_), None) => Verdict::Refused(
            "the token's patient/ scopes need a patient in its launch context (ask for launch/patient), and it has none".into(),
        ),
        (None, _) => Verdict::Refused(format!(
            "no SMART scope of the token grants {wanted:?} on {resource}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(scopes: &str, patient: Option<&str>, path: &str) -> Verdict {
        decide(scopes.split(' '), patient, "GET", path)
    }

    #[test]
    fn scopes_decide_inside_their_context() {
        assert_eq!(
            verdict("patient.read openid", None, "/fhir/Patient"),
            Verdict::NotSmart
        );
        assert_eq!(
            verdict("system/*.rs", None, "/fhir/Observation"),
            Verdict::Allowed {
                scope: "system/*.rs".into(),
                compartment: None
            }
        );
        assert_eq!(
            verdict("patient/Patient.rs", Some("pat-1"), "/fhir/Patient/pat-1"),
            Verdict::Allowed {
                scope: "patient/Patient.rs".into(),
                compartment: Some("pat-1".into())
            }
        );
        // The compartment itself is enforced where the resource is known (fhir.rs); without a
        // patient in context, patient scopes reach nothing.
        assert!(matches!(
            verdict("patient/Patient.rs", None, "/fhir/Patient/pat-1"),
            Verdict::Refused(_)
        ));
        // v1 read is rs: a search and a read; a read-only v2 scope is not a search.
        assert!(matches!(
            verdict("user/Patient.read", None, "/fhir/Patient"),
            Verdict::Allowed { .. }
        ));
        assert!(matches!(
            verdict("user/Patient.r", None, "/fhir/Patient"),
            Verdict::Refused(_)
        ));
        assert!(matches!(
            verdict("user/Patient.r", None, "/fhir/Patient/pat-2"),
            Verdict::Allowed { .. }
        ));
        assert!(matches!(
            verdict("user/Observation.rs", None, "/fhir/Encounter"),
            Verdict::Refused(_)
        ));
        // A user scope reaches past a patient scope's compartment.
        assert_eq!(
            verdict(
                "patient/*.rs user/Observation.rs",
                Some("pat-1"),
                "/fhir/Observation"
            ),
            Verdict::Allowed {
                scope: "user/Observation.rs".into(),
                compartment: None
            }
        );
        assert_eq!(
            decide(["system/*.rs"], None, "DELETE", "/fhir/Patient/pat-1"),
            Verdict::Refused("no SMART scope of the token grants Delete on Patient".into())
        );
    }
}
