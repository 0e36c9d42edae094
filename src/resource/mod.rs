//! The demo protected API (`/fhir/Patient`): a few demo patients as FHIR-shaped JSON, guarded
//! by HTTP Basic (RFC 7617) or Bearer tokens (RFC 6750) and the access policies.

pub mod guard;
pub mod patients;
