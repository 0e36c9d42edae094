//! SMART App Launch 2.x on the demo FHIR API: discovery, the SMART checks of an authorization
//! request, EHR launches, and the launch context that tokens carry.
//!
//! Elsewhere: the patient picker is a page of the authorization endpoint
//! ([`crate::oauth::authorize::picker`]); the scope grammar is [`crate::model::smart_scope`];
//! the FHIR API's decision is [`crate::resource::smart`]; Backend Services' client assertions
//! are [`crate::oauth::client_assertion`].

pub mod configuration;
pub mod context;
pub mod launch;
pub mod request;
