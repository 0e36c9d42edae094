//! The User resource: resource owners, developers and admins (SPEC "User").

use super::{FieldError, check_same_id, validate_id, validate_text};
use serde::{Deserialize, Serialize};

/// A role a user may hold; none makes a plain resource owner.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Manages everything.
    Admin,
    /// Manages their own clients, users and policies.
    Developer,
}

impl User {
    /// A new developer account, made at `now`, with the argon2 `password_hash`.
    pub fn developer(username: String, password_hash: String, now: i64) -> Self {
        Self {
            username,
            password_hash,
            name: None,
            email: None,
            fhir_user: None,
            roles: vec![Role::Developer],
            owner: None,
            disabled: false,
            created_at: now,
            updated_at: now,
        }
    }
}

impl Role {
    /// The role as stored and as the REST API spells it.
    pub fn name(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Developer => "developer",
        }
    }
}

/// A stored user.
#[derive(Clone, Debug, PartialEq)]
pub struct User {
    pub username: String,
    /// argon2 PHC string.
    pub password_hash: String,
    pub name: Option<String>,
    pub email: Option<String>,
    /// The FHIR resource the user is, relative to the FHIR base (`Practitioner/prac-1`): the
    /// ID token's `fhirUser` (SMART App Launch 2.x).
    pub fhir_user: Option<String>,
    pub roles: Vec<Role>,
    /// The developer who created this user; `None` for system users.
    pub owner: Option<String>,
    /// A disabled account cannot sign in anywhere.
    pub disabled: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

impl User {
    /// True when the user holds `role`.
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// The user as the admin API shows it: never the password.
    pub fn view(&self) -> UserView {
        UserView {
            username: self.username.clone(),
            name: self.name.clone(),
            email: self.email.clone(),
            fhir_user: self.fhir_user.clone(),
            roles: self.roles.clone(),
            owner: self.owner.clone(),
            disabled: self.disabled,
            created_at: crate::clock::rfc3339(self.created_at),
            updated_at: crate::clock::rfc3339(self.updated_at),
        }
    }
}

/// What the admin API returns for a user.
#[derive(Clone, Debug, Serialize)]
pub struct UserView {
    pub username: String,
    pub name: Option<String>,
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fhir_user: Option<String>,
    pub roles: Vec<Role>,
    pub owner: Option<String>,
    pub disabled: bool,
    pub created_at: String,
    pub updated_at: String,
}

/// A user as the admin REST API and the seed file accept it. `password` is write-only; it is
/// required when the user is created and optional when replaced (omitted keeps the old one).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserInput {
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    /// A FHIR reference relative to the FHIR base: `Practitioner/{id}` or `Patient/{id}`.
    #[serde(default, rename = "fhirUser")]
    pub fhir_user: Option<String>,
    #[serde(default)]
    pub roles: Vec<Role>,
    /// A disabled account cannot sign in.
    #[serde(default)]
    pub disabled: bool,
    #[serde(default, rename = "owner")]
    _owner: Option<serde::de::IgnoredAny>,
    #[serde(default, rename = "created_at")]
    _created_at: Option<serde::de::IgnoredAny>,
    #[serde(default, rename = "updated_at")]
    _updated_at: Option<serde::de::IgnoredAny>,
}

/// A validated user; the password is still plain text for the caller to hash.
#[derive(Clone, Debug)]
pub struct ValidUser {
    pub username: String,
    pub password: Option<crate::secret::Secret>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub fhir_user: Option<String>,
    pub roles: Vec<Role>,
    pub disabled: bool,
}

/// The name and password of a new developer account, checked as the REST API checks a user's:
/// the name's characters, a password of eight characters or more. Returns them validated.
pub fn developer_credentials(
    username: &str,
    password: &str,
) -> Result<(String, crate::secret::Secret), FieldError> {
    let input = UserInput {
        username: None,
        password: Some(password.to_owned()),
        name: None,
        email: None,
        fhir_user: None,
        roles: vec![Role::Developer],
        disabled: false,
        _owner: None,
        _created_at: None,
        _updated_at: None,
    };
    let valid = input.validate(username)?;
    let password = valid
        .password
        .ok_or_else(|| FieldError::new("password", "is required"))?;
    Ok((valid.username, password))
}

impl UserInput {
    /// Validates the input for the user at `path_id`.
    pub fn validate(self, path_id: &str) -> Result<ValidUser, FieldError> {
        check_same_id("username", path_id, self.username.as_deref())?;
        validate_id("username", path_id)?;
        if let Some(p) = &self.password {
            validate_text("password", p, true)?;
            if p.chars().count() < 8 {
                return Err(FieldError::new("password", "must be at least 8 characters"));
            }
        }
        if let Some(n) = &self.name {
            validate_text("name", n, false)?;
        }
        if let Some(e) = &self.email {
            validate_text("email", e, false)?;
            let (local, domain) = e.split_once('@').unwrap_or(("", ""));
            if local.is_empty() || domain.is_empty() || e.contains(char::is_whitespace) {
                return Err(FieldError::new(
                    "email",
                    format!("{e:?} is not an email address"),
                ));
            }
        }
        if let Some(r) = &self.fhir_user {
            validate_fhir_user(r)?;
        }
        let mut roles = self.roles;
        roles.dedup();
        Ok(ValidUser {
            username: path_id.to_owned(),
            password: self.password.map(crate::secret::Secret::new),
            name: self.name.filter(|n| !n.trim().is_empty()),
            email: self.email.filter(|e| !e.is_empty()),
            fhir_user: self.fhir_user,
            roles,
            disabled: self.disabled,
        })
    }
}

/// The resource types a `fhirUser` may name (SMART App Launch 2.x §2.0.9: "Patient",
/// "Practitioner", "PractitionerRole", "RelatedPerson" or "Person").
pub const FHIR_USER_TYPES: [&str; 5] = [
    "Patient",
    "Practitioner",
    "PractitionerRole",
    "RelatedPerson",
    "Person",
];

/// Checks a `fhirUser` reference: `Type/id`, a type of [`FHIR_USER_TYPES`] and a FHIR id
/// (`[A-Za-z0-9\-\.]{1,64}`).
pub fn validate_fhir_user(reference: &str) -> Result<(), FieldError> {
    let ok = reference.split_once('/').is_some_and(|(t, id)| {
        FHIR_USER_TYPES.contains(&t)
            && (1..=64).contains(&id.len())
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
    });
    if ok {
        Ok(())
    } else {
        Err(FieldError::new(
            "fhirUser",
            format!(
                "{reference:?} is not a reference like Practitioner/prac-1 (one of {})",
                FHIR_USER_TYPES.join(", ")
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_field() {
        let cases = [
            (serde_json::json!({"password": "short"}), "password"),
            (serde_json::json!({"email": "nope"}), "email"),
            (serde_json::json!({"username": "bob"}), "username"),
        ];
        for (json, field) in cases {
            let input: UserInput = serde_json::from_value(json.clone()).unwrap();
            assert_eq!(input.validate("alice").unwrap_err().field, field, "{json}");
        }
        let bad_id: UserInput = serde_json::from_value(serde_json::json!({})).unwrap();
        assert_eq!(bad_id.validate("a b").unwrap_err().field, "username");
    }
}
