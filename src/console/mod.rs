//! Developer self-service: who may manage what, and the rules both the admin REST API and the
//! console pages go through.
//!
//! A client, demo user or access policy belongs to the developer who created it. Developers
//! see and change only their own; an admin sees everything. Anything a caller may not see is
//! answered as if it did not exist (404), so its existence is never confirmed.

pub mod backend;
pub mod caller;
pub mod clients;
pub mod pages;
pub mod policies;
pub mod preview;
pub mod trusted_issuers;
pub mod users;
pub mod workspace;

pub use caller::Caller;
