//! The developer console: your clients, demo users and access policies, with the equivalent
//! admin REST API requests and ready-made snippets.

pub mod api;
#[cfg(feature = "ssr")]
pub mod backend;
pub mod check;
pub mod client_editor;
pub mod dashboard;
pub mod policies_page;
pub mod preview_page;
pub mod snippets;
pub mod trusts_page;
pub mod users_page;
pub mod wire;
