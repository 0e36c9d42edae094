//! The test sign-in of mock mode, on the authorization server's own sign-in page: a seeded
//! user with one click, or any subject with the claims its tokens should carry, and the
//! authorization request's parameters in view. No password is asked: mock mode only.

use super::mint::check_claims;
use crate::model::user::{Role, User};
use crate::oauth::authorize::request::{AuthorizeRequest, ResponseType};
use crate::state::AppState;
use crate::storage;
use app::auth_pages::MockSignIn;
use serde_json::{Map, Value};

/// The most users offered as buttons.
const MAX_USERS: usize = 50;

/// What the page shows: the users to pick from and the request's parameters.
pub async fn view(state: &AppState, request: &AuthorizeRequest) -> MockSignIn {
    let users = storage::users::list(&state.db, None)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|u| !u.disabled && !u.has_role(Role::Admin))
        .take(MAX_USERS)
        .map(|u| (u.username, u.name))
        .collect();
    MockSignIn {
        users,
        params: parameters(request),
    }
}

/// The authorization request's parameters, as the server understood them.
fn parameters(request: &AuthorizeRequest) -> Vec<(String, String)> {
    let response_type = match request.response_type {
        ResponseType::Code => "code",
        ResponseType::Token => "token",
        ResponseType::Device => "(device verification)",
    };
    let mut params = vec![
        ("response_type", Some(response_type.to_owned())),
        ("client_id", Some(request.client.client_id.clone())),
        ("redirect_uri", request.redirect_uri_sent.clone()),
        ("scope", Some(request.scope.to_string())),
        ("state", request.target.state.clone()),
        ("nonce", request.nonce.clone()),
        (
            "code_challenge",
            request.challenge.as_ref().map(|(c, _)| c.clone()),
        ),
        (
            "code_challenge_method",
            request
                .challenge
                .as_ref()
                .map(|(_, m)| m.as_str().to_owned()),
        ),
        ("max_age", request.max_age.map(|m| m.to_string())),
        ("login_hint", request.login_hint.clone()),
    ];
    params.retain(|(_, v)| v.is_some());
    params
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v)))
        .collect()
}

/// A subject typed on the page: 1 to 64 letters, digits and `._@-`.
fn check_subject(subject: &str) -> Result<(), String> {
    let ok = !subject.is_empty()
        && subject.len() <= 64
        && subject
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._@-".contains(&b));
    ok.then_some(())
        .ok_or_else(|| "The subject must be 1 to 64 letters, digits, dots, @, _ or -.".to_owned())
}

/// The claims typed on the page: empty, or a JSON object with none of the server's own names.
pub fn parse_claims(text: &str) -> Result<Option<Map<String, Value>>, String> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    let claims = match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => map,
        _ => {
            return Err(
                "The claims must be a JSON object, such as {\"email\": \"a@b.test\"}.".into(),
            );
        }
    };
    let claims = Some(claims);
    check_claims(&claims).map_err(|e| e.description().to_owned())?;
    Ok(claims.filter(|c| !c.is_empty()))
}

/// The user a test sign-in signs in as: a user picked (who must exist, enabled, not the admin),
/// or a typed subject, made a user (with no password that could ever match) when new.
pub async fn user_for(
    state: &AppState,
    picked: Option<&str>,
    subject: Option<&str>,
) -> Result<User, String> {
    let now = state.clock.now();
    let existing = |name: String| async move {
        storage::users::get(&state.db, &name)
            .await
            .map_err(|_| "The user could not be read.".to_owned())
    };
    match (picked, subject) {
        (Some(name), _) => existing(name.to_owned())
            .await?
            .filter(|u| !u.disabled && !u.has_role(Role::Admin))
            .ok_or_else(|| format!("There is no user {name} to sign in as.")),
        (None, Some(subject)) => {
            check_subject(subject)?;
            if let Some(user) = existing(subject.to_owned()).await? {
                return if user.disabled || user.has_role(Role::Admin) {
                    Err(format!("{subject} cannot sign in here."))
                } else {
                    Ok(user)
                };
            }
            let user = User {
                username: subject.to_owned(),
                // Not a PHC string: no password verifies against it.
                password_hash: "!mock-subject".into(),
                name: None,
                email: None,
                fhir_user: None,
                roles: Vec::new(),
                owner: None,
                disabled: false,
                created_at: now,
                updated_at: now,
            };
            storage::users::insert_new(&state.db, &user)
                .await
                .map_err(|_| "The subject could not be stored.".to_owned())?;
            Ok(user)
        }
        (None, None) => Err("Pick a user or type a subject.".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_and_claims_are_checked() {
        assert!(check_subject("tester@ci.example").is_ok());
        assert!(check_subject("").is_err());
        assert!(check_subject("a b").is_err());
        assert_eq!(parse_claims("  ").unwrap(), None);
        assert_eq!(
            parse_claims(r#"{"tenant": "acme"}"#).unwrap().unwrap()["tenant"],
            "acme"
        );
        assert!(parse_claims("[1]").is_err());
        assert!(parse_claims(r#"{"sub": "x"}"#).is_err());
    }
}
