//! The demo protected API (`/fhir`): fictional FHIR patients with their Observations and
//! Encounters, guarded by HTTP Basic (RFC 7617) or Bearer tokens (RFC 6750) and the access
//! policies; and its public CapabilityStatement.

pub mod fhir;
pub mod guard;
pub mod metadata;
pub mod smart;
