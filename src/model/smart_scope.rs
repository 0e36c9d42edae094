//! SMART on FHIR resource scopes (SMART App Launch 2.x, "Scopes and Launch Context"), v1 and v2.
//!
//! > `( 'patient' | 'user' | 'system' ) '/' ( fhir-resource | '*' ) '.' ( 'c' ? 'r' ? 'u' ? 'd' ? 's' ? )`
//!
//! and the SMART 1.0 forms `.read`, `.write` and `.*`, which App Launch 2.x maps to `.rs`,
//! `.cud` and `.cruds`. A v2 scope may carry a `?param=value` restriction; this server does not
//! apply those, so such a scope grants nothing rather than more than it says.

/// Whose data a scope is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Context {
    /// The patient in context: only that patient's compartment.
    Patient,
    /// What the signed-in user may see.
    User,
    /// A backend service, with no user.
    System,
}

/// The interactions of SMART v2, in their letters' order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interaction {
    Create,
    Read,
    Update,
    Delete,
    Search,
}

impl Interaction {
    fn letter(self) -> char {
        match self {
            Interaction::Create => 'c',
            Interaction::Read => 'r',
            Interaction::Update => 'u',
            Interaction::Delete => 'd',
            Interaction::Search => 's',
        }
    }
}

/// One resource scope, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceScope {
    pub context: Context,
    /// A FHIR resource type, or `*`.
    pub resource: String,
    /// The v2 letters granted, in `cruds` order.
    pub permissions: String,
    /// A v2 `?…` restriction, which this server does not apply.
    pub restricted: bool,
}

impl ResourceScope {
    /// Parses one scope token; `None` when it is not a SMART resource scope.
    pub fn parse(token: &str) -> Option<Self> {
        let (context, rest) = token.split_once('/')?;
        let context = match context {
            "patient" => Context::Patient,
            "user" => Context::User,
            "system" => Context::System,
            _ => return None,
        };
        let (rest, restricted) = match rest.split_once('?') {
            Some((r, query)) if !query.is_empty() => (r, true),
            Some(_) => return None,
            None => (rest, false),
        };
        let (resource, action) = rest.split_once('.')?;
        let is_type = resource == "*"
            || (resource
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_uppercase())
                && resource.chars().all(|c| c.is_ascii_alphanumeric()));
        if !is_type {
            return None;
        }
        let permissions = match action {
            // SMART 1.0.
            "read" => "rs".to_owned(),
            "write" => "cud".to_owned(),
            "*" => "cruds".to_owned(),
            // SMART 2.0: at least one of c r u d s, each once, in that order.
            letters if !letters.is_empty() => {
                let mut last = None;
                for c in letters.chars() {
                    let at = "cruds".find(c)?;
                    if last.is_some_and(|l| at <= l) {
                        return None;
                    }
                    last = Some(at);
                }
                letters.to_owned()
            }
            _ => return None,
        };
        Some(Self {
            context,
            resource: resource.to_owned(),
            permissions,
            restricted,
        })
    }

    /// True when this scope grants `interaction` on `resource_type`.
    pub fn grants(&self, resource_type: &str, interaction: Interaction) -> bool {
        !self.restricted
            && (self.resource == "*" || self.resource == resource_type)
            && self.permissions.contains(interaction.letter())
    }
}

impl std::fmt::Display for ResourceScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let context = match self.context {
            Context::Patient => "patient",
            Context::User => "user",
            Context::System => "system",
        };
        write!(f, "{context}/{}.{}", self.resource, self.permissions)
    }
}

impl ResourceScope {
    /// The scope in words, for the consent page.
    pub fn describe(&self) -> String {
        let verbs: Vec<&str> = self
            .permissions
            .chars()
            .map(|c| match c {
                'c' => "create",
                'r' => "read",
                'u' => "update",
                'd' => "delete",
                _ => "search",
            })
            .collect();
        let what = if self.resource == "*" {
            "all kinds of records".to_owned()
        } else {
            format!("{} records", self.resource)
        };
        let whose = match self.context {
            Context::Patient => "of the patient chosen for this app only",
            Context::User => "that you may see",
            Context::System => "of any patient, with no person signed in (a backend service)",
        };
        let restricted = if self.restricted {
            " (with a restriction this server does not apply, so it grants nothing)"
        } else {
            ""
        };
        format!("{} {what} {whose}{restricted}", verbs.join(", "))
    }
}

/// The launch and identity scopes of SMART App Launch 2.x ("Scopes for requesting context data",
/// "Scopes for requesting identity data"), in words for the consent page.
pub fn describe_launch_scope(scope: &str) -> Option<&'static str> {
    Some(match scope {
        LAUNCH => "receive the patient and encounter of the EHR it was launched from",
        LAUNCH_PATIENT => "know which patient you choose (you pick one after signing in)",
        LAUNCH_ENCOUNTER => "know the encounter in context",
        FHIR_USER => "know which FHIR resource you are (fhirUser: a Practitioner or Patient)",
        _ => return None,
    })
}

/// `launch`: an EHR launch's context (the `launch` parameter names it).
pub const LAUNCH: &str = "launch";
/// `launch/patient`: a patient in context; without a launch, the server asks which.
pub const LAUNCH_PATIENT: &str = "launch/patient";
/// `launch/encounter`: an encounter in context.
pub const LAUNCH_ENCOUNTER: &str = "launch/encounter";
/// `fhirUser`: the ID token names the user's FHIR resource.
pub const FHIR_USER: &str = "fhirUser";

/// True when `scope` is one of SMART's: a resource scope, or a launch or `fhirUser` scope.
pub fn is_smart(scope: &str) -> bool {
    describe_launch_scope(scope).is_some() || ResourceScope::parse(scope).is_some()
}

/// The SMART resource scopes among `scopes`.
pub fn resource_scopes<'a>(scopes: impl IntoIterator<Item = &'a str>) -> Vec<ResourceScope> {
    scopes
        .into_iter()
        .filter_map(ResourceScope::parse)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use Interaction::*;

    #[test]
    fn the_grammar_table() {
        // (scope, parses, Patient read, Observation search, Patient create)
        let table: &[(&str, bool, bool, bool, bool)] = &[
            ("patient/Patient.read", true, true, false, false),
            ("user/*.read", true, true, true, false),
            ("patient/*.*", true, true, true, true),
            ("patient/Patient.write", true, false, false, true),
            ("patient/Patient.rs", true, true, false, false),
            ("user/Observation.cruds", true, false, true, false),
            ("system/*.rs", true, true, true, false),
            ("system/*.c", true, false, false, true),
            (
                "patient/Observation.rs?category=laboratory",
                true,
                false,
                false,
                false,
            ),
            ("patient/Patient.sr", false, false, false, false),
            ("patient/Patient.rr", false, false, false, false),
            ("patient/Patient.x", false, false, false, false),
            ("patient/Patient.", false, false, false, false),
            ("patient/patient.read", false, false, false, false),
            ("practitioner/Patient.read", false, false, false, false),
            ("patient.read", false, false, false, false),
            ("launch/patient", false, false, false, false),
            ("openid", false, false, false, false),
            ("patient/Observation.rs?", false, false, false, false),
        ];
        for (scope, parses, patient_read, obs_search, patient_create) in table {
            let parsed = ResourceScope::parse(scope);
            assert_eq!(parsed.is_some(), *parses, "{scope}");
            let grants = |t, i| parsed.as_ref().is_some_and(|s| s.grants(t, i));
            assert_eq!(
                grants("Patient", Read),
                *patient_read,
                "{scope} Patient read"
            );
            assert_eq!(
                grants("Observation", Search),
                *obs_search,
                "{scope} Observation search"
            );
            assert_eq!(
                grants("Patient", Create),
                *patient_create,
                "{scope} Patient create"
            );
        }
        assert_eq!(
            ResourceScope::parse("system/*.rs").unwrap().context,
            Context::System
        );
    }

    #[test]
    fn scopes_in_words() {
        let words = |s: &str| ResourceScope::parse(s).unwrap().describe();
        assert_eq!(
            words("patient/Patient.rs"),
            "read, search Patient records of the patient chosen for this app only"
        );
        assert_eq!(
            words("user/*.read"),
            "read, search all kinds of records that you may see"
        );
        assert!(
            words("system/Observation.cruds").starts_with("create, read, update, delete, search")
        );
        assert!(words("patient/Observation.rs?category=x").contains("grants nothing"));
        for s in [
            "launch",
            "launch/patient",
            "launch/encounter",
            "fhirUser",
            "patient/*.rs",
        ] {
            assert!(is_smart(s), "{s}");
        }
        for s in ["openid", "profile", "offline_access", "patient.read"] {
            assert!(!is_smart(s), "{s}");
        }
    }
}
