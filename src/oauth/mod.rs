//! The authorization server: the token, introspection and revocation endpoints, discovery and
//! JWKS, one handler per grant, and the one error enum.

pub mod authorize;
pub mod client_assertion;
pub mod client_auth;
pub mod endpoints;
pub mod error;
pub mod grants;
pub mod id_token;
pub mod keys;
pub mod params;
pub mod pkce;
pub mod seed_keys;
pub mod tokens;

pub use error::OAuthError;
