//! The seed file and the built-in demo data, applied at start as idempotent upserts.
//!
//! A seed is JSON `{"clients": [...], "users": [...], "policies": [...], "keys": [...], "trusted_issuers":
//! [...]}`, each element in the admin REST API's own shape, secrets and passwords in plain text. Everything is parsed and
//! validated first; then every secret is hashed; then all rows are written in one transaction.
//! A bad seed stops start-up with an error naming the element and the field, and nothing is
//! applied.

use crate::model::FieldError;
use crate::model::client::{ClientInput, ValidClient};
use crate::model::policy::{AccessPolicy, PolicyInput};
use crate::model::trusted_issuer::{TrustedIssuer, TrustedIssuerInput};
use crate::model::user::{Role, User, UserInput, ValidUser};
use crate::password::Passwords;
use crate::secret::Secret;
use crate::storage::{self, Db};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The built-in demo data; `{{issuer}}` stands for the configured issuer.
pub const DEMO: &str = include_str!("demo_data.json");

/// The demo data for a server at `issuer`.
pub fn demo(issuer: &str) -> String {
    DEMO.replace("{{issuer}}", issuer.trim_end_matches('/'))
}

/// Why a seed was refused; the text names the element and the field.
#[derive(Debug, thiserror::Error)]
#[error("seed {source_name}: {message}")]
pub struct SeedError {
    pub source_name: String,
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedFile {
    #[serde(default)]
    clients: Vec<Value>,
    #[serde(default)]
    users: Vec<Value>,
    #[serde(default)]
    policies: Vec<Value>,
    #[serde(default)]
    trusted_issuers: Vec<Value>,
    /// Private JWKs: the server's signing keys, the first one active.
    #[serde(default)]
    keys: Vec<Value>,
}

/// A parsed and validated seed.
#[derive(Debug, Default)]
pub struct Seed {
    pub clients: Vec<ValidClient>,
    pub users: Vec<ValidUser>,
    pub policies: Vec<AccessPolicy>,
    pub trusted_issuers: Vec<TrustedIssuer>,
    pub keys: Vec<crate::oauth::seed_keys::SeedKey>,
}

/// Counts of what a seed wrote.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Applied {
    pub clients: usize,
    pub users: usize,
    pub policies: usize,
    pub trusted_issuers: usize,
    /// Signing keys stored that were not there before.
    pub keys: usize,
    /// The algorithm of the seed's first key, which signs: the server keeps it active rather
    /// than making a key for `--signing-alg`.
    pub signing_alg: Option<crate::oauth::keys::SigningAlg>,
}

/// Parses one element of a list, returning its label (`clients[2] ("web")`), its id and value.
fn element<T: DeserializeOwned>(
    list: &str,
    index: usize,
    id_field: &str,
    value: Value,
) -> Result<(String, String, T), String> {
    let id = value
        .get(id_field)
        .and_then(Value::as_str)
        .map(str::to_owned);
    let label = match &id {
        Some(id) => format!("{list}[{index}] ({id:?})"),
        None => format!("{list}[{index}]"),
    };
    let parsed: T = serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." {
            String::new()
        } else {
            format!("{path}: ")
        };
        format!("{label}: {field}{}", e.into_inner())
    })?;
    let id = id.ok_or_else(|| format!("{label}: {id_field}: is required in a seed file"))?;
    Ok((label, id, parsed))
}

fn named(label: &str, e: FieldError) -> String {
    format!("{label}: {}: {}", e.field, e.message)
}

/// Parses and validates a seed document.
pub fn parse(text: &str, now: i64, issuer: &str) -> Result<Seed, String> {
    let file: SeedFile = serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_str(
        text,
    ))
    .map_err(|e| {
        let path = e.path().to_string();
        format!("{path}: {}", e.into_inner())
    })?;
    let mut seed = Seed::default();
    let mut seen = std::collections::HashSet::new();
    for (i, v) in file.clients.into_iter().enumerate() {
        let (label, id, input) = element::<ClientInput>("clients", i, "client_id", v)?;
        if !seen.insert(format!("c:{id}")) {
            return Err(format!("{label}: client_id: {id:?} appears more than once"));
        }
        seed.clients.push(
            input
                .validate(&id, now, issuer)
                .map_err(|e| named(&label, e))?,
        );
    }
    for (i, v) in file.users.into_iter().enumerate() {
        let (label, id, input) = element::<UserInput>("users", i, "username", v)?;
        if !seen.insert(format!("u:{id}")) {
            return Err(format!("{label}: username: {id:?} appears more than once"));
        }
        seed.users
            .push(input.validate(&id).map_err(|e| named(&label, e))?);
    }
    for (i, v) in file.policies.into_iter().enumerate() {
        let (label, id, input) = element::<PolicyInput>("policies", i, "id", v)?;
        if !seen.insert(format!("p:{id}")) {
            return Err(format!("{label}: id: {id:?} appears more than once"));
        }
        seed.policies
            .push(input.validate(&id).map_err(|e| named(&label, e))?);
    }
    for (i, v) in file.trusted_issuers.into_iter().enumerate() {
        let (label, id, input) = element::<TrustedIssuerInput>("trusted_issuers", i, "id", v)?;
        if !seen.insert(format!("t:{id}")) {
            return Err(format!("{label}: id: {id:?} appears more than once"));
        }
        seed.trusted_issuers.push(
            input
                .validate(&id, issuer, Default::default())
                .map_err(|e| named(&label, e))?,
        );
    }
    for (i, v) in file.keys.into_iter().enumerate() {
        let label = match v.get("kid").and_then(Value::as_str) {
            Some(kid) => format!("keys[{i}] ({kid:?})"),
            None => format!("keys[{i}]"),
        };
        let key =
            crate::oauth::seed_keys::from_private_jwk(&v).map_err(|e| format!("{label}: {e}"))?;
        if !seen.insert(format!("k:{}", key.kid)) {
            return Err(format!(
                "{label}: kid: {:?} appears more than once",
                key.kid
            ));
        }
        seed.keys.push(key);
    }
    Ok(seed)
}

/// Hashes every secret, then writes the whole seed in one transaction.
pub async fn apply(
    db: &Db,
    passwords: &Passwords,
    seed: Seed,
    now: i64,
) -> Result<Applied, String> {
    let mut clients = Vec::with_capacity(seed.clients.len());
    for (i, valid) in seed.clients.into_iter().enumerate() {
        let mut client = valid.client;
        let existing = storage::clients::get(db, &client.client_id)
            .await
            .map_err(|e| e.to_string())?;
        match valid.secret {
            Some(secret) => {
                client.secret_hash = Some(passwords.hash(&secret).await.map_err(|e| e.to_string())?)
            }
            None if !client.holds_secret() => {}
            None => match existing.and_then(|e| e.secret_hash) {
                Some(kept) => client.secret_hash = Some(kept),
                None => {
                    return Err(format!(
                        "clients[{i}] ({:?}): client_secret: is required for a new confidential client",
                        client.client_id
                    ));
                }
            },
        }
        clients.push(client);
    }
    let mut users = Vec::with_capacity(seed.users.len());
    for (i, valid) in seed.users.into_iter().enumerate() {
        let existing = storage::users::get(db, &valid.username)
            .await
            .map_err(|e| e.to_string())?;
        let password_hash = match (&valid.password, existing.as_ref()) {
            (Some(p), _) => passwords.hash(p).await.map_err(|e| e.to_string())?,
            (None, Some(u)) => u.password_hash.clone(),
            (None, None) => {
                return Err(format!(
                    "users[{i}] ({:?}): password: is required for a new user",
                    valid.username
                ));
            }
        };
        users.push(User {
            username: valid.username,
            password_hash,
            name: valid.name,
            email: valid.email,
            fhir_user: valid.fhir_user,
            roles: valid.roles,
            owner: None,
            disabled: valid.disabled,
            created_at: now,
            updated_at: now,
        });
    }
    let write = async {
        let mut tx = db.begin_write().await?;
        for c in &clients {
            storage::clients::upsert_in(&mut tx, c, false).await?;
        }
        for u in &users {
            storage::users::upsert_in(&mut tx, u).await?;
        }
        for p in &seed.policies {
            storage::policies::upsert_in(&mut tx, p, now).await?;
        }
        for t in &seed.trusted_issuers {
            storage::trusted_issuers::upsert_in(&mut tx, t, now).await?;
        }
        // Keys already stored (by kid) stay as they are, so a restart on the same database
        // changes nothing; the first key goes in last, so that it is the one left active.
        let mut keys = 0;
        for (i, key) in seed.keys.iter().enumerate().rev() {
            let row = storage::keys::StoredKey {
                kid: key.kid.clone(),
                alg: key.alg.as_str().into(),
                private_der: key.pkcs8.clone(),
                created_at: now,
                active: i == 0,
            };
            if storage::keys::insert_if_absent_in(&mut tx, &row, i == 0).await? {
                keys += 1;
            }
        }
        tx.commit().await?;
        Ok::<_, storage::StorageError>(keys)
    };
    let keys = write.await.map_err(|e| e.to_string())?;
    Ok(Applied {
        clients: clients.len(),
        users: users.len(),
        policies: seed.policies.len(),
        trusted_issuers: seed.trusted_issuers.len(),
        keys,
        signing_alg: seed.keys.first().map(|k| k.alg),
    })
}

/// Reads, checks and applies a seed; the error names the source.
pub async fn load(
    db: &Db,
    passwords: &Passwords,
    source_name: &str,
    text: &str,
    now: i64,
    issuer: &str,
) -> Result<Applied, SeedError> {
    let err = |message: String| SeedError {
        source_name: source_name.to_owned(),
        message,
    };
    let seed = parse(text, now, issuer).map_err(err)?;
    apply(db, passwords, seed, now).await.map_err(err)
}

/// The administrator's username.
pub const ADMIN_USERNAME: &str = "admin";

/// Makes sure the `admin` account exists. Returns the password when one was generated, for the
/// caller to print once.
pub async fn ensure_admin(
    db: &Db,
    passwords: &Passwords,
    configured: Option<&str>,
    now: i64,
) -> Result<Option<Secret>, String> {
    let existing = storage::users::get(db, ADMIN_USERNAME)
        .await
        .map_err(|e| e.to_string())?;
    let (password, generated) = match (configured, &existing) {
        (Some(p), Some(user)) => {
            let secret = Secret::new(p);
            if passwords
                .verify(
                    &crate::accounts::cache_key(ADMIN_USERNAME),
                    &user.password_hash,
                    &secret,
                )
                .await
            {
                return Ok(None);
            }
            (secret, false)
        }
        (Some(p), None) => (Secret::new(p), false),
        (None, Some(_)) => return Ok(None),
        (None, None) => (
            crate::secret::new_secret().map_err(|e| e.to_string())?,
            true,
        ),
    };
    let user = User {
        username: ADMIN_USERNAME.into(),
        password_hash: passwords.hash(&password).await.map_err(|e| e.to_string())?,
        name: Some("Administrator".into()),
        email: None,
        fhir_user: None,
        roles: vec![Role::Admin],
        owner: None,
        disabled: false,
        created_at: now,
        updated_at: now,
    };
    storage::users::upsert(db, &user)
        .await
        .map_err(|e| e.to_string())?;
    Ok(generated.then_some(password))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_data_is_valid() {
        let seed = parse(&demo("http://127.0.0.1:3000"), 0, "http://127.0.0.1:3000").unwrap();
        assert!(seed.clients.len() >= 3);
        assert_eq!(seed.users.len(), 2);
    }

    #[test]
    fn errors_name_element_and_field() {
        let cases = [
            (
                r#"{"clients": [{"client_id": "a", "client_name": "A", "grant_types": ["nope"]}]}"#,
                "clients[0] (\"a\"): grant_types[0]",
            ),
            (
                r#"{"clients": [{"client_id": "a", "client_name": "", "grant_types": ["password"]}]}"#,
                "clients[0] (\"a\"): client_name",
            ),
            (
                r#"{"clients": [{"client_name": "A", "grant_types": ["password"]}]}"#,
                "clients[0]: client_id",
            ),
            (
                r#"{"users": [{"username": "u", "password": "longenough", "colour": 1}]}"#,
                "users[0] (\"u\")",
            ),
            (
                r#"{"policies": [{"id": "p", "methods": ["FETCH"]}]}"#,
                "policies[0] (\"p\"): methods[0]",
            ),
            (r#"{"client": []}"#, "client"),
            (
                r#"{"clients": [{"client_id": "a", "client_name": "A", "grant_types": ["password"], "client_secret": "12345678"}, {"client_id": "a", "client_name": "A", "grant_types": ["password"], "client_secret": "12345678"}]}"#,
                "clients[1] (\"a\"): client_id",
            ),
            ("not json", "line 1"),
        ];
        for (text, want) in cases {
            let err = parse(text, 0, "http://127.0.0.1:3000").unwrap_err();
            assert!(err.contains(want), "{text}\n=> {err}");
        }
    }
}
