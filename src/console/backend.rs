//! The server's side of the console ([`app::console::backend::ConsoleBackend`]): each call
//! finds the console account of the browser that made it and goes through the same ownership
//! rules as the admin REST API.

use super::caller::{self, Caller};
use super::{clients, policies, trusted_issuers, users};
use crate::admin::error::AdminError;
use crate::model::client::{Client, ClientInput};
use crate::model::policy::{AccessPolicy, PolicyInput};
use crate::model::trusted_issuer::{TrustedIssuer, TrustedIssuerInput};
use crate::model::user::{Role, User, UserInput};
use crate::resource::guard;
use crate::state::AppState;
use app::console::backend::{ConsoleBackend, Failure, Outcome};
use app::console::wire::*;
use app::sandbox::backend::BoxFuture;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::IntoResponse;
use serde_json::json;

/// The console backend over the server's state.
pub struct Console {
    state: AppState,
}

impl Console {
    /// A backend over `state`.
    pub fn new(state: AppState) -> Self {
        Self { state }
    }

    /// The signed-in account, for a call that changes nothing.
    async fn reader(&self, headers: &HeaderMap) -> Outcome<Caller> {
        caller::from_console(&self.state, headers)
            .await
            .map_err(message)?
            .ok_or_else(|| Failure {
                status: 401,
                message: "Sign in to the developer console first.".into(),
            })
    }

    /// The signed-in account, for a call that changes something: the request must also come
    /// from this server's own pages (its Origin, when sent, names this host). With the
    /// SameSite=Lax cookie this keeps other sites from acting in a developer's name.
    async fn writer(&self, headers: &HeaderMap) -> Outcome<Caller> {
        if !crate::security::same_origin(headers) {
            return Err(Failure {
                status: 403,
                message: "This request came from another site; it was refused.".into(),
            });
        }
        self.reader(headers).await
    }
}

/// What a page shows for a failure, with the status the REST API gives the same failure; a
/// field error names its field.
pub(super) fn message(e: AdminError) -> Failure {
    let status = match &e {
        AdminError::Unauthorized => 401,
        AdminError::Forbidden => 403,
        AdminError::NotFound(_) => 404,
        AdminError::Conflict(_) => 409,
        AdminError::Invalid(_) | AdminError::BadBody(_) => 400,
        AdminError::UnsupportedMediaType => 415,
        AdminError::TooLarge(_) => 413,
        AdminError::Throttled(_) => 429,
        AdminError::Internal => 500,
    };
    let message = match e {
        AdminError::Invalid(f) => format!("{}: {}", f.field, f.message),
        other => other.to_string(),
    };
    Failure { status, message }
}

fn client_summary(c: &Client) -> ClientSummary {
    let v = c.view();
    ClientSummary {
        form: ClientForm {
            client_id: v.client_id,
            client_name: v.client_name,
            token_endpoint_auth_method: v.token_endpoint_auth_method.as_str().into(),
            grant_types: v
                .grant_types
                .iter()
                .map(|g| g.as_str().to_owned())
                .collect(),
            redirect_uris: v.redirect_uris,
            scope: v.scope,
            first_party: v.first_party,
            access_token_format: v.access_token_format.as_str().into(),
            access_token_ttl: v.access_token_ttl,
            refresh_token_ttl: v.refresh_token_ttl,
            require_pkce: v.require_pkce,
            allow_plain_pkce: v.allow_plain_pkce,
            rotate_refresh_tokens: v.rotate_refresh_tokens,
            jwks: v
                .jwks
                .as_ref()
                .and_then(|set| serde_json::to_string_pretty(set).ok())
                .unwrap_or_default(),
            jwks_uri: v.jwks_uri.unwrap_or_default(),
            launch_uri: v.launch_uri.unwrap_or_default(),
        },
        has_secret: v.has_secret,
        owner: v.owner,
        created_at: v.created_at,
    }
}

/// The form as the admin API's input, so that both go through the same validation and the
/// REST request the page shows is exactly what the console sends. A grant name the server does
/// not know is reported by field, not as a parse error.
fn client_input(form: &ClientForm) -> Outcome<ClientInput> {
    for g in &form.grant_types {
        if serde_json::from_value::<crate::model::client::GrantType>(json!(g)).is_err() {
            return Err(Failure::bad(format!(
                "grant_types: {g:?} is not a grant type this server knows"
            )));
        }
    }
    // The very body the page shows as the equivalent `PUT /Client/{id}`.
    serde_json::from_str(&app::console::snippets::rest_body(form))
        .map_err(|e| Failure::bad(format!("the form is not valid: {e}")))
}

fn user_summary(u: &User) -> UserSummary {
    UserSummary {
        username: u.username.clone(),
        name: u.name.clone(),
        email: u.email.clone(),
        fhir_user: u.fhir_user.clone(),
        roles: u
            .roles
            .iter()
            .map(|r| match r {
                Role::Admin => "admin".to_owned(),
                Role::Developer => "developer".to_owned(),
            })
            .collect(),
        owner: u.owner.clone(),
        disabled: u.disabled,
    }
}

fn policy_form(p: &AccessPolicy) -> PolicyForm {
    PolicyForm {
        id: p.id.clone(),
        description: p.description.clone().unwrap_or_default(),
        methods: p.methods.clone().unwrap_or_default(),
        path: p.path.clone().unwrap_or_default(),
        client_ids: p.client_ids.clone().unwrap_or_default(),
        usernames: p.usernames.clone().unwrap_or_default(),
        scopes: p.scopes.clone().unwrap_or_default(),
        auth: p
            .auth
            .and_then(|a| {
                serde_json::to_value(a)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
            })
            .unwrap_or_default(),
        issuers: p.issuers.clone().unwrap_or_default(),
    }
}

fn trust_form(t: &TrustedIssuer) -> TrustForm {
    TrustForm {
        id: t.id.clone(),
        description: t.description.clone().unwrap_or_default(),
        issuer: t.issuer.clone(),
        audiences: t.audiences.clone(),
        jwks_uri: t.jwks_uri.clone().unwrap_or_default(),
        jwks: t
            .jwks
            .as_ref()
            .and_then(|j| serde_json::to_string_pretty(j).ok())
            .unwrap_or_default(),
        pem: t.pem.clone().unwrap_or_default(),
        secret: String::new(),
        has_secret: t.secret.is_some(),
        algorithms: t.algorithms.clone(),
        clock_skew_seconds: t.clock_skew_seconds,
        cache_ttl_seconds: t.cache_ttl_seconds,
        user_claim: t.user_claim.clone(),
        client_claim: t.client_claim.clone().unwrap_or_default(),
        scope_claim: t.scope_claim.clone().unwrap_or_default(),
        introspection_endpoint: t.introspection_endpoint.clone().unwrap_or_default(),
        introspection_client_id: t.introspection_client_id.clone().unwrap_or_default(),
        introspection_client_secret: String::new(),
        has_introspection_secret: t.introspection_client_secret.is_some(),
        introspection_cache_seconds: t.introspection_cache_seconds,
    }
}

fn trust_input(f: &TrustForm) -> Outcome<TrustedIssuerInput> {
    let list = |v: &Vec<String>| (!v.is_empty()).then(|| v.clone());
    let text = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
    let jwks = match text(&f.jwks) {
        Some(j) => Some(
            serde_json::from_str::<serde_json::Value>(&j)
                .map_err(|e| Failure::bad(format!("jwks: is not JSON: {e}")))?,
        ),
        None => None,
    };
    let input = json!({
        "description": text(&f.description),
        "issuer": f.issuer.trim(),
        "audiences": f.audiences,
        "jwks_uri": text(&f.jwks_uri),
        "jwks": jwks,
        "pem": text(&f.pem),
        "secret": (!f.secret.is_empty()).then(|| f.secret.clone()),
        "algorithms": list(&f.algorithms),
        "clock_skew_seconds": f.clock_skew_seconds,
        "cache_ttl_seconds": f.cache_ttl_seconds,
        "user_claim": text(&f.user_claim),
        "client_claim": text(&f.client_claim),
        "scope_claim": text(&f.scope_claim),
        "introspection_endpoint": text(&f.introspection_endpoint),
        "introspection_client_id": text(&f.introspection_client_id),
        "introspection_client_secret": (!f.introspection_client_secret.is_empty()).then(|| f.introspection_client_secret.clone()),
        "introspection_cache_seconds": f.introspection_cache_seconds,
    });
    serde_json::from_value(input)
        .map_err(|e| Failure::bad(format!("the trusted issuer is not valid: {e}")))
}

fn policy_input(f: &PolicyForm) -> Outcome<PolicyInput> {
    let list = |v: &Vec<String>| (!v.is_empty()).then(|| v.clone());
    let text = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
    let input = json!({
        "description": text(&f.description),
        "methods": list(&f.methods),
        "path": text(&f.path),
        "client_ids": list(&f.client_ids),
        "usernames": list(&f.usernames),
        "scopes": list(&f.scopes),
        "auth": text(&f.auth),
        "issuers": list(&f.issuers),
    });
    serde_json::from_value(input).map_err(|e| Failure::bad(format!("the policy is not valid: {e}")))
}

impl ConsoleBackend for Console {
    fn me(&self, headers: HeaderMap) -> BoxFuture<'_, Option<Me>> {
        Box::pin(async move {
            self.reader(&headers).await.ok().map(|c| Me {
                username: c.name().to_owned(),
                is_admin: c.is_admin(),
            })
        })
    }

    fn clients(&self, headers: HeaderMap) -> BoxFuture<'_, Outcome<Vec<ClientSummary>>> {
        Box::pin(async move {
            let caller = self.reader(&headers).await?;
            let list = clients::list(&self.state, &caller).await.map_err(message)?;
            Ok(list.iter().map(client_summary).collect())
        })
    }

    fn client(&self, headers: HeaderMap, id: String) -> BoxFuture<'_, Outcome<ClientSummary>> {
        Box::pin(async move {
            let caller = self.reader(&headers).await?;
            let c = clients::get(&self.state, &caller, &id)
                .await
                .map_err(message)?;
            Ok(client_summary(&c))
        })
    }

    fn save_client(
        &self,
        headers: HeaderMap,
        form: ClientForm,
        create: bool,
    ) -> BoxFuture<'_, Outcome<SavedClient>> {
        Box::pin(async move {
            let caller = self.writer(&headers).await?;
            let input = client_input(&form)?;
            let write = if create {
                clients::Write::Create
            } else {
                clients::Write::Upsert
            };
            let id = form.client_id.trim();
            if id.is_empty() {
                return Err(Failure::bad("client_id: is required"));
            }
            let saved = clients::put(&self.state, &caller, id, input, write)
                .await
                .map_err(message)?;
            Ok(SavedClient {
                client: client_summary(&saved.client),
                secret: saved.secret,
            })
        })
    }

    fn delete_client(&self, headers: HeaderMap, id: String) -> BoxFuture<'_, Outcome<()>> {
        Box::pin(async move {
            let caller = self.writer(&headers).await?;
            clients::delete(&self.state, &caller, &id)
                .await
                .map_err(message)
        })
    }

    fn regenerate_secret(&self, headers: HeaderMap, id: String) -> BoxFuture<'_, Outcome<String>> {
        Box::pin(async move {
            let caller = self.writer(&headers).await?;
            clients::regenerate_secret(&self.state, &caller, &id)
                .await
                .map_err(message)
        })
    }

    fn users(&self, headers: HeaderMap) -> BoxFuture<'_, Outcome<Vec<UserSummary>>> {
        Box::pin(async move {
            let caller = self.reader(&headers).await?;
            let list = users::list(&self.state, &caller).await.map_err(message)?;
            Ok(list.iter().map(user_summary).collect())
        })
    }

    fn save_user(&self, headers: HeaderMap, form: UserForm) -> BoxFuture<'_, Outcome<UserSummary>> {
        Box::pin(async move {
            let caller = self.writer(&headers).await?;
            let text = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
            let input = json!({
                "password": text(&form.password),
                "name": text(&form.name),
                "email": text(&form.email),
                "fhirUser": text(&form.fhir_user),
            });
            let input: UserInput = serde_json::from_value(input)
                .map_err(|e| Failure::bad(format!("the form is not valid: {e}")))?;
            let (user, _) = users::put(&self.state, &caller, form.username.trim(), input)
                .await
                .map_err(message)?;
            Ok(user_summary(&user))
        })
    }

    fn delete_user(&self, headers: HeaderMap, username: String) -> BoxFuture<'_, Outcome<()>> {
        Box::pin(async move {
            let caller = self.writer(&headers).await?;
            users::delete(&self.state, &caller, &username)
                .await
                .map_err(message)
        })
    }

    fn set_account(
        &self,
        headers: HeaderMap,
        username: String,
        admin: bool,
        disabled: bool,
    ) -> BoxFuture<'_, Outcome<UserSummary>> {
        Box::pin(async move {
            let caller = self.writer(&headers).await?;
            let roles = if admin {
                vec![Role::Admin, Role::Developer]
            } else {
                vec![Role::Developer]
            };
            let user = users::set_account(&self.state, &caller, &username, roles, disabled)
                .await
                .map_err(message)?;
            Ok(user_summary(&user))
        })
    }

    fn policies(&self, headers: HeaderMap) -> BoxFuture<'_, Outcome<Vec<PolicyForm>>> {
        Box::pin(async move {
            let caller = self.reader(&headers).await?;
            let list = policies::list(&self.state, &caller)
                .await
                .map_err(message)?;
            Ok(list.iter().map(policy_form).collect())
        })
    }

    fn save_policy(
        &self,
        headers: HeaderMap,
        form: PolicyForm,
    ) -> BoxFuture<'_, Outcome<PolicyForm>> {
        Box::pin(async move {
            let caller = self.writer(&headers).await?;
            let input = policy_input(&form)?;
            let (p, _) = policies::put(&self.state, &caller, form.id.trim(), input)
                .await
                .map_err(message)?;
            Ok(policy_form(&p))
        })
    }

    fn delete_policy(&self, headers: HeaderMap, id: String) -> BoxFuture<'_, Outcome<()>> {
        Box::pin(async move {
            let caller = self.writer(&headers).await?;
            policies::delete(&self.state, &caller, &id)
                .await
                .map_err(message)
        })
    }

    fn trusts(&self, headers: HeaderMap) -> BoxFuture<'_, Outcome<Vec<TrustForm>>> {
        Box::pin(async move {
            let caller = self.reader(&headers).await?;
            let list = trusted_issuers::list(&self.state, &caller)
                .await
                .map_err(message)?;
            Ok(list.iter().map(trust_form).collect())
        })
    }

    fn save_trust(&self, headers: HeaderMap, form: TrustForm) -> BoxFuture<'_, Outcome<TrustForm>> {
        Box::pin(async move {
            let caller = self.writer(&headers).await?;
            let input = trust_input(&form)?;
            let (t, _) = trusted_issuers::put(&self.state, &caller, form.id.trim(), input)
                .await
                .map_err(message)?;
            Ok(trust_form(&t))
        })
    }

    fn delete_trust(&self, headers: HeaderMap, id: String) -> BoxFuture<'_, Outcome<()>> {
        Box::pin(async move {
            let caller = self.writer(&headers).await?;
            trusted_issuers::delete(&self.state, &caller, &id)
                .await
                .map_err(message)
        })
    }

    fn test_launch(
        &self,
        headers: HeaderMap,
        form: LaunchForm,
    ) -> BoxFuture<'_, Outcome<LaunchMade>> {
        Box::pin(async move {
            let caller = self.writer(&headers).await?;
            let text = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
            let input = crate::smart::launch::LaunchInput {
                client_id: form.client_id.trim().to_owned(),
                patient: text(&form.patient),
                encounter: text(&form.encounter),
                fhir_user: text(&form.fhir_user),
                fhir_context: Vec::new(),
            };
            let made = crate::smart::launch::create(&self.state, &caller, input)
                .await
                .map_err(message)?;
            Ok(LaunchMade {
                launch_url: made.launch_url,
                expires_in: made.expires_in,
            })
        })
    }

    fn debug(
        &self,
        headers: HeaderMap,
        request: DebugRequest,
    ) -> BoxFuture<'_, Outcome<DebugResult>> {
        Box::pin(async move {
            let caller = self.reader(&headers).await?;
            let mut asked = HeaderMap::new();
            if !request.authorization.trim().is_empty() {
                let value = HeaderValue::from_str(request.authorization.trim())
                    .map_err(|_| Failure::bad("authorization: is not a valid header value"))?;
                asked.insert(header::AUTHORIZATION, value);
            }
            let path = request.path.trim();
            if !path.starts_with('/') {
                return Err(Failure::bad("path: must start with /"));
            }
            let mine = policies::list(&self.state, &caller)
                .await
                .map_err(message)?;
            let visible = |id: &str| mine.iter().any(|p| p.id == id);
            // The decision, and who was asking ("client x " when the credentials said).
            let (decision, who) = match guard::decide(
                &self.state,
                request.method.trim(),
                path,
                &asked,
                "policy-debugger",
            )
            .await
            {
                Ok(allowed) => (
                    allowed.decision,
                    format!("client {} ", allowed.facts.client_id),
                ),
                Err(guard::Refusal::Denied(_, decision)) => (*decision, String::new()),
                Err(refusal) => {
                    return Ok(DebugResult {
                        status: refusal.into_response().status().as_u16(),
                        allowed: false,
                        summary: "The credentials were refused before any policy was asked".into(),
                        verdicts: vec![],
                    });
                }
            };
            let verdicts = decision
                .trace
                .iter()
                .filter(|t| visible(&t.policy_id))
                .map(|t| PolicyVerdict {
                    policy_id: t.policy_id.clone(),
                    allowed: t.allowed,
                    fields: t
                        .checks
                        .iter()
                        .map(|c| FieldLine {
                            field: c.field.to_owned(),
                            matched: c.matched,
                            detail: c.detail.clone(),
                        })
                        .collect(),
                })
                .collect();
            let summary = match &decision.allowed_by {
                Some(id) if visible(id) => format!("{who}allowed by policy {id}"),
                Some(_) => format!("{who}allowed by a policy that is not yours"),
                None => "denied: no policy allows it (deny by default)".to_owned(),
            };
            Ok(DebugResult {
                status: if decision.allowed { 200 } else { 403 },
                allowed: decision.allowed,
                summary,
                verdicts,
            })
        })
    }

    fn preview(
        &self,
        headers: HeaderMap,
        request: PreviewRequest,
    ) -> BoxFuture<'_, Outcome<TokenPreview>> {
        Box::pin(async move {
            let caller = self.reader(&headers).await?;
            super::preview::preview(&self.state, &caller, request).await
        })
    }

    fn initial_token(&self, headers: HeaderMap) -> BoxFuture<'_, Outcome<String>> {
        Box::pin(async move {
            let caller = self.writer(&headers).await?;
            caller::issue_initial_token(&self.state, &caller)
                .await
                .map_err(message)
        })
    }
    fn workspace(
        &self,
        request: axum::http::request::Parts,
        start: bool,
        new_password: bool,
    ) -> BoxFuture<'_, Outcome<(Option<Workspace>, Option<String>)>> {
        Box::pin(super::workspace::open(
            &self.state,
            request,
            start,
            new_password,
        ))
    }

    fn keep_workspace(
        &self,
        headers: HeaderMap,
        username: String,
        password: String,
    ) -> BoxFuture<'_, Outcome<Workspace>> {
        Box::pin(async move {
            let caller = self.writer(&headers).await?;
            super::workspace::keep(&self.state, &caller, &username, &password).await
        })
    }
}
