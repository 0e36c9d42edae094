//! The one set of endpoint constants.
//!
//! The server's routes, its discovery document (RFC 8414) and the landing page's list of
//! endpoints are all built from these values, so they cannot drift apart. This module holds no
//! server code: the `app` crate never depends on the server.

/// RFC 8414 §3: the authorization server metadata document.
pub const OAUTH_METADATA: &str = "/.well-known/oauth-authorization-server";
/// OpenID Connect Discovery 1.0 §4: the same document at the OIDC path.
pub const OPENID_CONFIGURATION: &str = "/.well-known/openid-configuration";
/// RFC 7517: the public signing keys.
pub const JWKS: &str = "/.well-known/jwks.json";
/// RFC 6749 §3.1: the authorization endpoint.
pub const AUTHORIZE: &str = "/auth/authorize";
/// The login form posts here (the authorization server's own page).
pub const LOGIN: &str = "/auth/login";
/// The consent page and its form.
pub const CONSENT: &str = "/auth/consent";
/// Ends the login session.
pub const LOGOUT: &str = "/auth/logout";
/// OIDC Core §5.3: the userinfo endpoint.
pub const USERINFO: &str = "/auth/userinfo";
/// The sandbox's own redirect URI, where the demo clients land.
pub const CALLBACK: &str = "/sandbox/callback";
/// The token inspector.
pub const TOKEN_TOOLS: &str = "/tools/token";
/// The tutorial; its chapters are `/tutorial/{flow}`.
pub const TUTORIAL: &str = "/tutorial";
/// The sandbox's run history.
pub const RUNS: &str = "/sandbox/runs";
/// A stored run exported as Markdown.
pub const RUN_EXPORT_MD: &str = "/sandbox/runs/{id}/export.md";
/// A stored run exported as a shell script of curl commands.
pub const RUN_EXPORT_SH: &str = "/sandbox/runs/{id}/export.sh";
/// RFC 6749 §3.2: the token endpoint.
pub const TOKEN: &str = "/auth/token";
/// RFC 7662: token introspection.
pub const INTROSPECT: &str = "/auth/introspect";
/// RFC 7009: token revocation.
pub const REVOKE: &str = "/auth/revoke";
/// The demo protected API: a list of patients.
pub const PATIENTS: &str = "/fhir/Patient";
/// The demo protected API: one patient.
pub const PATIENT: &str = "/fhir/Patient/{id}";
/// The demo API's Observations: `?patient={id}` for one patient's.
pub const OBSERVATIONS: &str = "/fhir/Observation";
/// One Observation.
pub const OBSERVATION: &str = "/fhir/Observation/{id}";
/// The demo API's Encounters: `?patient={id}` for one patient's.
pub const ENCOUNTERS: &str = "/fhir/Encounter";
/// One Encounter.
pub const ENCOUNTER: &str = "/fhir/Encounter/{id}";
/// The demo API's FHIR CapabilityStatement.
pub const FHIR_METADATA: &str = "/fhir/metadata";
/// The demo API's practitioners (what a clinician's `fhirUser` names).
pub const PRACTITIONERS: &str = "/fhir/Practitioner";
/// One Practitioner.
pub const PRACTITIONER: &str = "/fhir/Practitioner/{id}";
/// SMART App Launch 2.x §2.0.3: the SMART configuration of the FHIR base `{issuer}/fhir`.
pub const SMART_CONFIGURATION: &str = "/fhir/.well-known/smart-configuration";
/// The styles a SMART app may follow (`smart_style_url`, SMART App Launch §2.0.10).
pub const SMART_STYLE: &str = "/fhir/smart-style.json";
/// The FHIR base URL path: the `aud` of every SMART authorization request.
pub const FHIR_BASE: &str = "/fhir";
/// Admin REST API: create an EHR launch context for a SMART app (SMART App Launch §2.0.1).
pub const LAUNCH: &str = "/Launch";
/// The authorization server's patient picker for a standalone launch (`launch/patient`).
pub const PATIENT_PICKER: &str = "/auth/patient";
/// Admin REST API: clients.
pub const CLIENTS: &str = "/Client";
/// Admin REST API: one client.
pub const CLIENT: &str = "/Client/{id}";
/// Admin REST API: give a client a new generated secret, shown once.
pub const CLIENT_SECRET: &str = "/Client/{id}/$secret";
/// RFC 7591 §3: dynamic client registration.
pub const REGISTER: &str = "/auth/register";
/// The device authorization endpoint (RFC 8628 §3.1).
pub const DEVICE_AUTHORIZATION: &str = "/auth/device";
/// Where a person types a device's user code (RFC 8628 §3.3).
pub const DEVICE_VERIFY: &str = "/auth/device/verify";
/// The developer console: your clients, users and policies.
pub const CONSOLE: &str = "/developer";
/// The console's token preview: what a client would be issued, decoded, issuing nothing.
pub const CONSOLE_PREVIEW: &str = "/developer/preview";
/// The console's sign-up page and form.
pub const SIGNUP: &str = "/developer/signup";
/// The console's sign-in page and form.
pub const SIGNIN: &str = "/developer/signin";
/// Ends the console session.
pub const SIGNOUT: &str = "/developer/signout";
/// Admin REST API: users (resource owners, developers and admins).
pub const USERS: &str = "/User";
/// Admin REST API: one user.
pub const USER: &str = "/User/{id}";
/// Admin REST API: the consents a user gave.
pub const USER_CONSENTS: &str = "/User/{id}/Consent";
/// Admin REST API: withdraw a user's consent to one client.
pub const USER_CONSENT: &str = "/User/{id}/Consent/{client_id}";
/// Admin REST API: access policies for the demo API.
pub const POLICIES: &str = "/AccessPolicy";
/// Admin REST API: one access policy.
pub const POLICY: &str = "/AccessPolicy/{id}";
/// Admin REST API: signing keys (public part only).
pub const KEYS: &str = "/Key";
/// Admin REST API: make a new signing key the active one.
pub const KEY_ROTATE: &str = "/Key/$rotate";
/// Admin REST API: retire one signing key.
pub const KEY: &str = "/Key/{id}";
/// Liveness: the process answers.
pub const HEALTHZ: &str = "/healthz";
/// Readiness: the database answers and the signing keys are loaded.
pub const READYZ: &str = "/readyz";
/// Mock mode's control API (only with `--mock`): mint a token without a browser.
pub const MOCK_TOKEN: &str = "/mock/token";
/// Mock mode: the faults in force (`GET`), inject one (`POST`), clear them (`DELETE`).
pub const MOCK_FAULTS: &str = "/mock/faults";
/// Mock mode: the request journal, filterable by endpoint and client.
pub const MOCK_REQUESTS: &str = "/mock/requests";
/// Mock mode: the clock, moved forward or frozen.
pub const MOCK_CLOCK: &str = "/mock/clock";
/// Mock mode: back to the seed's state.
pub const MOCK_RESET: &str = "/mock/reset";
/// One stored sandbox run (`DELETE` removes it, for its owner).
pub const RUN: &str = "/sandbox/runs/{id}";
/// The trusted outside issuers whose JWTs the demo API accepts (admin REST API).
pub const TRUSTED_ISSUERS: &str = "/TrustedIssuer";
/// One trusted issuer.
pub const TRUSTED_ISSUER: &str = "/TrustedIssuer/{id}";
/// The sandbox's built-in test issuer: its `iss` is this path under the server's issuer.
pub const TEST_ISSUER: &str = "/sandbox/test-issuer";
/// The test issuer's public keys.
pub const TEST_ISSUER_JWKS: &str = "/sandbox/test-issuer/jwks.json";
/// The test issuer signs the claims it is sent: a JWT an outside identity provider could mint.
pub const TEST_ISSUER_TOKEN: &str = "/sandbox/test-issuer/token";
/// The sandbox's SMART app: the launch URL an EHR opens with `iss` and `launch`.
pub const SMART_APP_LAUNCH: &str = "/sandbox/smart-ehr/launch";

/// What kind of caller an endpoint serves; the landing page groups by it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    /// Metadata anyone may read.
    Discovery,
    /// The authorization server's back channel.
    AuthorizationServer,
    /// The demo protected resource.
    ResourceServer,
    /// The admin REST API.
    Admin,
    /// Health checks for load balancers and CI.
    Operations,
}

impl Audience {
    /// A heading for the group.
    pub fn title(self) -> &'static str {
        match self {
            Audience::Discovery => "Discovery",
            Audience::AuthorizationServer => "Authorization server",
            Audience::ResourceServer => "Demo protected API",
            Audience::Admin => "Admin REST API",
            Audience::Operations => "Operations",
        }
    }
}

/// One served endpoint, as the landing page lists it.
#[derive(Clone, Copy, Debug)]
pub struct Endpoint {
    /// HTTP methods, e.g. `"GET"` or `"GET, PUT, DELETE"`.
    pub methods: &'static str,
    /// The path, with `{id}` placeholders.
    pub path: &'static str,
    /// What it does, in a few words.
    pub summary: &'static str,
    /// The standard it implements.
    pub standard: &'static str,
    /// Who calls it.
    pub audience: Audience,
}

/// Every endpoint the server serves, in the order the landing page shows them.
pub const ENDPOINTS: &[Endpoint] = &[
    Endpoint {
        methods: "GET",
        path: OAUTH_METADATA,
        summary: "Authorization server metadata",
        standard: "RFC 8414",
        audience: Audience::Discovery,
    },
    Endpoint {
        methods: "GET",
        path: OPENID_CONFIGURATION,
        summary: "The same metadata at the OpenID path",
        standard: "OIDC Discovery",
        audience: Audience::Discovery,
    },
    Endpoint {
        methods: "GET",
        path: JWKS,
        summary: "Public signing keys, each with its kid",
        standard: "RFC 7517",
        audience: Audience::Discovery,
    },
    Endpoint {
        methods: "GET, POST",
        path: AUTHORIZE,
        summary: "Sign in and consent: response_type code (+PKCE) or token (implicit)",
        standard: "RFC 6749 §4.1, §4.2; RFC 7636; RFC 9207",
        audience: Audience::AuthorizationServer,
    },
    Endpoint {
        methods: "POST",
        path: TOKEN,
        summary: "Issue tokens: authorization_code, client_credentials, password, refresh_token, device_code",
        standard: "RFC 6749 §3.2",
        audience: Audience::AuthorizationServer,
    },
    Endpoint {
        methods: "POST",
        path: DEVICE_AUTHORIZATION,
        summary: "Device flow: a device code to poll with and a user code for the person",
        standard: "RFC 8628 §3.1",
        audience: Audience::AuthorizationServer,
    },
    Endpoint {
        methods: "GET, POST",
        path: DEVICE_VERIFY,
        summary: "Device flow: the person types the user code, signs in and consents",
        standard: "RFC 8628 §3.3",
        audience: Audience::AuthorizationServer,
    },
    Endpoint {
        methods: "GET, POST",
        path: PATIENT_PICKER,
        summary: "Standalone SMART launch: the person picks the patient the app may see",
        standard: "SMART App Launch 2.x",
        audience: Audience::AuthorizationServer,
    },
    Endpoint {
        methods: "POST",
        path: INTROSPECT,
        summary: "Is this token active, and what does it allow?",
        standard: "RFC 7662",
        audience: Audience::AuthorizationServer,
    },
    Endpoint {
        methods: "POST",
        path: REVOKE,
        summary: "Revoke an access or refresh token",
        standard: "RFC 7009",
        audience: Audience::AuthorizationServer,
    },
    Endpoint {
        methods: "POST",
        path: REGISTER,
        summary: "Register a client (a developer's initial access token or console session)",
        standard: "RFC 7591",
        audience: Audience::AuthorizationServer,
    },
    Endpoint {
        methods: "GET, POST",
        path: USERINFO,
        summary: "Claims about the signed-in user (openid profile email)",
        standard: "OIDC Core §5.3",
        audience: Audience::AuthorizationServer,
    },
    Endpoint {
        methods: "GET, POST",
        path: LOGOUT,
        summary: "Sign out: GET asks, its form (with a CSRF token) ends the login session",
        standard: "",
        audience: Audience::AuthorizationServer,
    },
    Endpoint {
        methods: "GET",
        path: PATIENTS,
        summary: "Demo patients; Basic or Bearer, decided by access policies",
        standard: "RFC 6750, RFC 7617",
        audience: Audience::ResourceServer,
    },
    Endpoint {
        methods: "GET",
        path: PATIENT,
        summary: "One demo patient",
        standard: "RFC 6750, RFC 7617",
        audience: Audience::ResourceServer,
    },
    Endpoint {
        methods: "GET",
        path: OBSERVATIONS,
        summary: "The demo patients' vital signs (?patient=pat-1 for one patient's)",
        standard: "FHIR R4 search",
        audience: Audience::ResourceServer,
    },
    Endpoint {
        methods: "GET",
        path: OBSERVATION,
        summary: "One Observation",
        standard: "FHIR R4 read",
        audience: Audience::ResourceServer,
    },
    Endpoint {
        methods: "GET",
        path: ENCOUNTERS,
        summary: "The demo patients' visits (?patient=pat-1 for one patient's)",
        standard: "FHIR R4 search",
        audience: Audience::ResourceServer,
    },
    Endpoint {
        methods: "GET",
        path: ENCOUNTER,
        summary: "One Encounter",
        standard: "FHIR R4 read",
        audience: Audience::ResourceServer,
    },
    Endpoint {
        methods: "GET",
        path: FHIR_METADATA,
        summary: "The FHIR CapabilityStatement: what the API serves, and the OAuth endpoints (public)",
        standard: "FHIR R4 capabilities",
        audience: Audience::ResourceServer,
    },
    Endpoint {
        methods: "GET",
        path: SMART_CONFIGURATION,
        summary: "SMART on FHIR discovery: endpoints and capabilities (public)",
        standard: "SMART App Launch 2.x",
        audience: Audience::ResourceServer,
    },
    Endpoint {
        methods: "GET",
        path: SMART_STYLE,
        summary: "The styles a SMART app may follow (smart_style_url, public)",
        standard: "SMART App Launch 2.x",
        audience: Audience::ResourceServer,
    },
    Endpoint {
        methods: "GET",
        path: PRACTITIONERS,
        summary: "The demo clinicians (what a clinician's fhirUser names)",
        standard: "FHIR R4 search",
        audience: Audience::ResourceServer,
    },
    Endpoint {
        methods: "GET",
        path: PRACTITIONER,
        summary: "One Practitioner",
        standard: "FHIR R4 read",
        audience: Audience::ResourceServer,
    },
    Endpoint {
        methods: "GET",
        path: CLIENTS,
        summary: "List clients",
        standard: "RFC 7591 field names",
        audience: Audience::Admin,
    },
    Endpoint {
        methods: "GET, PUT, DELETE",
        path: CLIENT,
        summary: "Read, create or replace, delete a client",
        standard: "RFC 7591 field names",
        audience: Audience::Admin,
    },
    Endpoint {
        methods: "POST",
        path: CLIENT_SECRET,
        summary: "A new generated client secret, shown once; the old one stops working",
        standard: "",
        audience: Audience::Admin,
    },
    Endpoint {
        methods: "GET",
        path: USERS,
        summary: "List users",
        standard: "",
        audience: Audience::Admin,
    },
    Endpoint {
        methods: "GET, PUT, DELETE",
        path: USER,
        summary: "Read, create or replace, delete a user",
        standard: "",
        audience: Audience::Admin,
    },
    Endpoint {
        methods: "GET",
        path: USER_CONSENTS,
        summary: "The consents a user gave, by client",
        standard: "",
        audience: Audience::Admin,
    },
    Endpoint {
        methods: "DELETE",
        path: USER_CONSENT,
        summary: "Withdraw a user's consent: the client must ask again",
        standard: "",
        audience: Audience::Admin,
    },
    Endpoint {
        methods: "GET",
        path: POLICIES,
        summary: "List access policies",
        standard: "",
        audience: Audience::Admin,
    },
    Endpoint {
        methods: "GET, PUT, DELETE",
        path: POLICY,
        summary: "Read, create or replace, delete an access policy",
        standard: "",
        audience: Audience::Admin,
    },
    Endpoint {
        methods: "GET",
        path: TRUSTED_ISSUERS,
        summary: "List the outside issuers whose JWTs the demo API accepts",
        standard: "",
        audience: Audience::Admin,
    },
    Endpoint {
        methods: "GET, PUT, DELETE",
        path: TRUSTED_ISSUER,
        summary: "Read, create or replace, delete a trusted issuer",
        standard: "RFC 7519 §7.2",
        audience: Audience::Admin,
    },
    Endpoint {
        methods: "POST",
        path: LAUNCH,
        summary: "Create an EHR launch for a SMART app: a single-use launch value and its launch URL",
        standard: "SMART App Launch 2.x",
        audience: Audience::Admin,
    },
    Endpoint {
        methods: "GET",
        path: KEYS,
        summary: "List signing keys (public parts)",
        standard: "RFC 7517",
        audience: Audience::Admin,
    },
    Endpoint {
        methods: "POST",
        path: KEY_ROTATE,
        summary: "Rotate: a new key signs, old keys still verify",
        standard: "",
        audience: Audience::Admin,
    },
    Endpoint {
        methods: "DELETE",
        path: KEY,
        summary: "Retire an old signing key",
        standard: "",
        audience: Audience::Admin,
    },
    Endpoint {
        methods: "GET",
        path: TEST_ISSUER_JWKS,
        summary: "The sandbox's test issuer: its public keys",
        standard: "RFC 7517",
        audience: Audience::Discovery,
    },
    Endpoint {
        methods: "POST",
        path: TEST_ISSUER_TOKEN,
        summary: "The sandbox's test issuer: signs the claims it is sent (for the JWT Auth page)",
        standard: "RFC 7519",
        audience: Audience::Discovery,
    },
    Endpoint {
        methods: "GET",
        path: HEALTHZ,
        summary: "Liveness: the process answers",
        standard: "",
        audience: Audience::Operations,
    },
    Endpoint {
        methods: "GET",
        path: READYZ,
        summary: "Readiness: the database answers and the signing keys are loaded",
        standard: "",
        audience: Audience::Operations,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_endpoint_path_is_absolute_and_unique() {
        let mut seen = std::collections::HashSet::new();
        for e in ENDPOINTS {
            assert!(e.path.starts_with('/'), "{}", e.path);
            assert!(seen.insert((e.path, e.methods)), "duplicate {}", e.path);
        }
    }
}
