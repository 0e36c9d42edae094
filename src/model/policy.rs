//! The AccessPolicy resource and its evaluation (SPEC "AccessPolicy").
//!
//! Deny by default. A policy allows a request when every field it sets matches; any one
//! allowing policy allows the request. Evaluation is pure: it takes the facts of a request and
//! returns a decision with a field-by-field trace, which the debugger shows.

use super::{FieldError, check_same_id, validate_id, validate_text};
use serde::{Deserialize, Serialize};

/// How the request authenticated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthKind {
    /// HTTP Basic with client credentials (RFC 7617).
    Basic,
    /// A Bearer access token (RFC 6750).
    Bearer,
}

/// A stored access policy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccessPolicy {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub methods: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_ids: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usernames: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<AuthKind>,
    /// The `iss` values whose tokens this policy admits. Absent: this server's own tokens only,
    /// so no policy admits an outside token unless it says so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuers: Option<Vec<String>>,
    #[serde(default)]
    pub owner: Option<String>,
}

/// A policy as the admin API and the seed file accept it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyInput {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub methods: Option<Vec<String>>,
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub client_ids: Option<Vec<String>>,
    #[serde(default)]
    pub usernames: Option<Vec<String>>,
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
    #[serde(default)]
    pub auth: Option<AuthKind>,
    #[serde(default)]
    pub issuers: Option<Vec<String>>,
    #[serde(default, rename = "owner")]
    _owner: Option<serde::de::IgnoredAny>,
}

const METHODS: [&str; 7] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

impl PolicyInput {
    /// Validates the input for the policy at `path_id`.
    pub fn validate(self, path_id: &str) -> Result<AccessPolicy, FieldError> {
        check_same_id("id", path_id, self.id.as_deref())?;
        validate_id("id", path_id)?;
        if let Some(d) = &self.description {
            validate_text("description", d, false)?;
        }
        let methods = self
            .methods
            .map(|ms| {
                ms.into_iter()
                    .enumerate()
                    .map(|(i, m)| {
                        let upper = m.to_ascii_uppercase();
                        if METHODS.contains(&upper.as_str()) {
                            Ok(upper)
                        } else {
                            Err(FieldError::new(
                                format!("methods[{i}]"),
                                format!("{m:?} is not an HTTP method"),
                            ))
                        }
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?;
        if let Some(p) = &self.path {
            validate_text("path", p, true)?;
            if !p.starts_with('/') {
                return Err(FieldError::new("path", format!("{p:?} must start with /")));
            }
            glob::Pattern::new(p)
                .map_err(|e| FieldError::new("path", format!("{p:?} is not a valid glob: {e}")))?;
        }
        for (field, list) in [
            ("client_ids", &self.client_ids),
            ("usernames", &self.usernames),
            ("scopes", &self.scopes),
            ("issuers", &self.issuers),
        ] {
            for (i, item) in list.iter().flatten().enumerate() {
                validate_text(&format!("{field}[{i}]"), item, true)?;
            }
        }
        Ok(AccessPolicy {
            id: path_id.to_owned(),
            description: self.description,
            methods,
            path: self.path,
            client_ids: self.client_ids,
            usernames: self.usernames,
            scopes: self.scopes,
            auth: self.auth,
            issuers: self.issuers,
            owner: None,
        })
    }
}

/// What the resource server knows about a request when it asks the policies.
#[derive(Clone, Debug, Serialize)]
pub struct RequestFacts {
    pub method: String,
    pub path: String,
    pub auth: AuthKind,
    pub client_id: String,
    pub username: Option<String>,
    pub scopes: Vec<String>,
    /// The token's issuer: this server's own for its own tokens and for Basic.
    pub issuer: String,
    /// True for a token of a trusted outside issuer.
    pub outside: bool,
    /// The owners of the trusts that verified an outside token (`None`: the system's own).
    #[serde(skip)]
    pub trusted_by: Vec<Option<String>>,
    /// The patient in a SMART token's launch context, which bounds its `patient/` scopes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patient: Option<String>,
}

/// How one field of one policy compared with the request.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct FieldCheck {
    pub field: &'static str,
    pub matched: bool,
    pub detail: String,
}

/// One policy's verdict, field by field.
#[derive(Clone, Debug, Serialize)]
pub struct PolicyTrace {
    pub policy_id: String,
    pub allowed: bool,
    pub checks: Vec<FieldCheck>,
}

/// The outcome of asking every policy.
#[derive(Clone, Debug, Serialize)]
pub struct Decision {
    pub allowed: bool,
    /// The first policy that allowed the request.
    pub allowed_by: Option<String>,
    pub trace: Vec<PolicyTrace>,
}

/// `*` matches within one path segment, `**` across segments.
fn path_matches(pattern: &str, path: &str) -> bool {
    let options = glob::MatchOptions {
        case_sensitive: true,
        require_literal_separator: true,
        require_literal_leading_dot: false,
    };
    glob::Pattern::new(pattern).is_ok_and(|p| p.matches_with(path, options))
}

impl AccessPolicy {
    /// Compares every field this policy sets with the request.
    pub fn check(&self, facts: &RequestFacts) -> PolicyTrace {
        let mut checks = Vec::new();
        let mut check = |field: &'static str, matched: bool, detail: String| {
            checks.push(FieldCheck {
                field,
                matched,
                detail,
            });
        };
        if let Some(auth) = self.auth {
            check(
                "auth",
                auth == facts.auth,
                format!("policy wants {auth:?}, request used {:?}", facts.auth),
            );
        }
        if let Some(methods) = &self.methods {
            check(
                "methods",
                methods.iter().any(|m| m == &facts.method),
                format!("policy allows {methods:?}, request is {}", facts.method),
            );
        }
        if let Some(path) = &self.path {
            check(
                "path",
                path_matches(path, &facts.path),
                format!("pattern {path:?} against {:?}", facts.path),
            );
        }
        if let Some(ids) = &self.client_ids {
            check(
                "client_ids",
                ids.contains(&facts.client_id),
                format!("policy allows {ids:?}, request from {:?}", facts.client_id),
            );
        }
        if let Some(users) = &self.usernames {
            let matched = facts.username.as_ref().is_some_and(|u| users.contains(u));
            check(
                "usernames",
                matched,
                format!("policy allows {users:?}, request for {:?}", facts.username),
            );
        }
        if let Some(scopes) = &self.scopes {
            let missing: Vec<&String> = scopes
                .iter()
                .filter(|s| !facts.scopes.contains(s))
                .collect();
            check(
                "scopes",
                missing.is_empty(),
                if missing.is_empty() {
                    format!("token holds all of {scopes:?}")
                } else {
                    format!("token lacks {missing:?}")
                },
            );
        }
        match &self.issuers {
            // Only an outside token needs the line: for this server's own tokens an absent
            // `issuers` always matches.
            None if facts.outside => check(
                "issuers",
                false,
                format!(
                    "policy admits only this server's own tokens, token from {:?}",
                    facts.issuer
                ),
            ),
            None => {}
            Some(issuers) => {
                let listed = issuers.contains(&facts.issuer);
                // A trust admits its tokens to its owner's policies only: another developer's
                // trust of the same `iss`, with keys of their choosing, opens nothing here.
                let trusted = !facts.outside || facts.trusted_by.contains(&self.owner);
                check(
                    "issuers",
                    listed && trusted,
                    match (listed, trusted) {
                        (false, _) => {
                            format!("policy admits {issuers:?}, token from {:?}", facts.issuer)
                        }
                        (true, false) => format!(
                            "{:?} is verified by another owner's trust, not this policy's",
                            facts.issuer
                        ),
                        (true, true) => format!("token from {:?}", facts.issuer),
                    },
                );
            }
        }
        let allowed = checks.iter().all(|c| c.matched);
        PolicyTrace {
            policy_id: self.id.clone(),
            allowed,
            checks,
        }
    }
}

/// Asks every policy; deny by default.
pub fn evaluate(policies: &[AccessPolicy], facts: &RequestFacts) -> Decision {
    let trace: Vec<PolicyTrace> = policies.iter().map(|p| p.check(facts)).collect();
    let allowed_by = trace
        .iter()
        .find(|t| t.allowed)
        .map(|t| t.policy_id.clone());
    Decision {
        allowed: allowed_by.is_some(),
        allowed_by,
        trace,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(method: &str, path: &str, auth: AuthKind, scopes: &[&str]) -> RequestFacts {
        RequestFacts {
            method: method.into(),
            path: path.into(),
            auth,
            client_id: "c1".into(),
            username: Some("alice".into()),
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            issuer: "http://own.test".into(),
            outside: false,
            trusted_by: vec![],
            patient: None,
        }
    }

    fn policy(json: serde_json::Value) -> AccessPolicy {
        serde_json::from_value::<PolicyInput>(json)
            .unwrap()
            .validate("p")
            .unwrap()
    }

    #[test]
    fn deny_by_default() {
        let d = evaluate(&[], &facts("GET", "/fhir/Patient", AuthKind::Bearer, &[]));
        assert!(!d.allowed);
        assert!(d.allowed_by.is_none());
    }

    #[test]
    fn decision_table() {
        let read = policy(serde_json::json!({
            "methods": ["get"], "path": "/fhir/**", "auth": "bearer", "scopes": ["patient.read"]
        }));
        let cases = [
            (
                facts("GET", "/fhir/Patient", AuthKind::Bearer, &["patient.read"]),
                true,
            ),
            (
                facts(
                    "GET",
                    "/fhir/Patient/1",
                    AuthKind::Bearer,
                    &["patient.read", "x"],
                ),
                true,
            ),
            (
                facts("POST", "/fhir/Patient", AuthKind::Bearer, &["patient.read"]),
                false,
            ),
            (
                facts("GET", "/fhir/Patient", AuthKind::Basic, &["patient.read"]),
                false,
            ),
            (facts("GET", "/fhir/Patient", AuthKind::Bearer, &[]), false),
            (
                facts("GET", "/other", AuthKind::Bearer, &["patient.read"]),
                false,
            ),
        ];
        for (f, want) in cases {
            assert_eq!(
                evaluate(std::slice::from_ref(&read), &f).allowed,
                want,
                "{f:?}"
            );
        }
    }

    #[test]
    fn single_star_stays_in_one_segment() {
        assert!(path_matches("/fhir/*", "/fhir/Patient"));
        assert!(!path_matches("/fhir/*", "/fhir/Patient/1"));
        assert!(path_matches("/fhir/**", "/fhir/Patient/1"));
    }

    #[test]
    fn trace_names_the_failing_field() {
        let p = policy(serde_json::json!({"usernames": ["bob"], "client_ids": ["c1"]}));
        let t = p.check(&facts("GET", "/", AuthKind::Bearer, &[]));
        assert!(!t.allowed);
        let failed: Vec<_> = t
            .checks
            .iter()
            .filter(|c| !c.matched)
            .map(|c| c.field)
            .collect();
        assert_eq!(failed, vec!["usernames"]);
    }

    #[test]
    fn outside_tokens_need_a_policy_that_names_their_issuer_and_the_trusts_owner() {
        let own = policy(serde_json::json!({"path": "/fhir/**"}));
        let outside = |owner: Option<&str>| RequestFacts {
            issuer: "https://idp.test".into(),
            outside: true,
            trusted_by: vec![owner.map(str::to_owned)],
            patient: None,
            ..facts("GET", "/fhir/Patient", AuthKind::Bearer, &[])
        };
        assert!(
            own.check(&facts("GET", "/fhir/Patient", AuthKind::Bearer, &[]))
                .allowed
        );
        assert!(!own.check(&outside(None)).allowed);
        let mut named =
            policy(serde_json::json!({"path": "/fhir/**", "issuers": ["https://idp.test"]}));
        assert!(named.check(&outside(None)).allowed);
        assert!(
            !named.check(&outside(Some("dev"))).allowed,
            "another owner's trust"
        );
        named.owner = Some("dev".into());
        assert!(named.check(&outside(Some("dev"))).allowed);
        let own_listed = policy(serde_json::json!({"issuers": ["http://own.test"]}));
        assert!(
            own_listed
                .check(&facts("GET", "/", AuthKind::Bearer, &[]))
                .allowed
        );
        assert!(!own_listed.check(&outside(None)).allowed);
    }

    #[test]
    fn bad_input_names_the_field() {
        let bad = serde_json::from_value::<PolicyInput>(serde_json::json!({"methods": ["FETCH"]}))
            .unwrap()
            .validate("p")
            .unwrap_err();
        assert_eq!(bad.field, "methods[0]");
        let bad = serde_json::from_value::<PolicyInput>(serde_json::json!({"path": "fhir"}))
            .unwrap()
            .validate("p")
            .unwrap_err();
        assert_eq!(bad.field, "path");
    }
}
