//! The admin REST API: `/Client`, `/User`, `/AccessPolicy`, `/TrustedIssuer`, `/Key` and
//! `/Launch` (SMART EHR launches), JSON,
//! Aidbox-style.
//!
//! `GET /X` lists, `GET /X/{id}` reads, `PUT /X/{id}` creates or replaces, `DELETE /X/{id}`
//! deletes. Secrets and passwords are write-only. Closed with the admin's credentials.

pub mod auth;
pub mod body;
pub mod clients;
pub mod error;
pub mod keys;
pub mod policies;
pub mod trusted_issuers;
pub mod users;

use crate::state::AppState;
use app::endpoints as ep;
use axum::Router;
use axum::routing::{delete, get, post};

/// The admin routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(ep::CLIENTS, get(clients::list))
        .route(ep::LAUNCH, post(crate::smart::launch::post))
        .route(
            ep::CLIENT,
            get(clients::read).put(clients::put).delete(clients::remove),
        )
        .route(ep::CLIENT_SECRET, post(clients::regenerate_secret))
        .route(ep::USERS, get(users::list))
        .route(
            ep::USER,
            get(users::read).put(users::put).delete(users::remove),
        )
        .route(ep::USER_CONSENTS, get(users::consents))
        .route(ep::USER_CONSENT, delete(users::withdraw_consent))
        .route(ep::POLICIES, get(policies::list))
        .route(
            ep::POLICY,
            get(policies::read)
                .put(policies::put)
                .delete(policies::remove),
        )
        .route(ep::TRUSTED_ISSUERS, get(trusted_issuers::list))
        .route(
            ep::TRUSTED_ISSUER,
            get(trusted_issuers::read)
                .put(trusted_issuers::put)
                .delete(trusted_issuers::remove),
        )
        .route(ep::KEYS, get(keys::list))
        .route(ep::KEY_ROTATE, post(keys::rotate))
        .route(ep::KEY, delete(keys::retire))
}
