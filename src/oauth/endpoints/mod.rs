//! The authorization server's HTTP endpoints, one module each.

pub mod device;
pub mod discovery;
pub mod introspect;
pub mod register;
pub mod revoke;
pub mod token;
pub mod userinfo;
