//! What a learner registers before a flow can run, through the admin REST API: a client for the
//! flow, an access policy that lets it read the demo API, and (for the flows with a person) a
//! user to sign in as. The tutorial's request cards send these; each name starts with the
//! learner's workspace, so two learners never ask for the same id.

use super::catalogue::Flow;
use crate::endpoints as ep;
use serde_json::{Value, json};

/// The client a workspace registers for `flow`.
pub fn client_id(workspace: &str, flow: Flow) -> String {
    format!("{workspace}-{}", flow.slug())
}

/// The access policy a workspace creates for `flow`.
pub fn policy_id(workspace: &str, flow: Flow) -> String {
    format!("{workspace}-{}-reads", flow.slug())
}

/// The person a workspace signs in as.
pub fn username(workspace: &str) -> String {
    format!("{workspace}-patient")
}

/// `/Client/{id}`, `/AccessPolicy/{id}` or `/User/{id}`.
pub fn path(template: &str, id: &str) -> String {
    template.replace("{id}", id)
}

/// True for a flow in which a person signs in.
pub fn has_person(flow: Flow) -> bool {
    !matches!(
        flow,
        Flow::Basic | Flow::ClientCredentials | Flow::JwtAuth | Flow::BackendServices
    )
}

/// The demo FHIR API's patients: what an EHR launch may open, the first one by default.
pub const DEMO_PATIENTS: [&str; 3] = ["pat-1", "pat-2", "pat-3"];

/// The SMART app's launch page on the server at `origin`: where the EHR sends the browser.
pub fn launch_uri(origin: &str) -> String {
    format!("{}{}", origin.trim_end_matches('/'), ep::SMART_APP_LAUNCH)
}

/// The FHIR base URL of the server at `issuer`: the `aud` of a SMART request, the `iss` of a
/// launch.
pub fn fhir_base(issuer: &str) -> String {
    format!("{}{}", issuer.trim_end_matches('/'), ep::FHIR_BASE)
}

/// The EHR launch the learner's workspace asks for (SMART App Launch 2.x §2.0.1): its app, the
/// patient and the user in the EHR.
pub fn launch_body(client_id: &str, patient: &str, fhir_user: &str) -> Value {
    let mut body = json!({ "client_id": client_id, "patient": patient });
    if !fhir_user.is_empty() {
        body["fhirUser"] = fhir_user.into();
    }
    body
}

/// The trust a workspace registers for the sandbox's test issuer.
pub fn trust_id(workspace: &str) -> String {
    format!("{workspace}-test-issuer")
}

/// The test issuer's `iss` on the server at `issuer`.
pub fn test_issuer(issuer: &str) -> String {
    format!("{}{}", issuer.trim_end_matches('/'), ep::TEST_ISSUER)
}

/// The audience the JWT Auth page's tokens are meant for: the demo API on the server at
/// `issuer`.
pub fn api_audience(issuer: &str) -> String {
    format!(
        "{}{}",
        issuer.trim_end_matches('/'),
        ep::PATIENTS.trim_end_matches("/Patient")
    )
}

/// The trust in the test issuer (SPEC "TrustedIssuer"): its exact `iss`, the audience of this
/// demo API, its key set's URL and the one algorithm it signs with.
pub fn trust_body(issuer: &str) -> Value {
    let iss = test_issuer(issuer);
    json!({
        "description": "The sandbox's test issuer",
        "issuer": iss,
        "audiences": [api_audience(issuer)],
        "jwks_uri": format!("{}{}", issuer.trim_end_matches('/'), ep::TEST_ISSUER_JWKS),
        "algorithms": ["RS256"],
    })
}

/// The policy that lets the test issuer's tokens read the demo API: a policy admits outside
/// tokens only when it names their issuer.
pub fn outside_policy_body(issuer: &str) -> Value {
    json!({
        "description": "Tokens of the test issuer may read patients",
        "auth": "bearer",
        "issuers": [test_issuer(issuer)],
        "methods": ["GET"],
        "path": format!("{}/**", ep::PATIENTS.trim_end_matches("/Patient")),
    })
}

/// The client `flow` needs (SPEC "Client", RFC 7591 names). No secret is sent: the server
/// generates one for a confidential client and shows it once, in its answer.
pub fn client_body(flow: Flow, redirect_uri: &str) -> Value {
    match flow {
        Flow::Basic => json!({
            "client_name": "My Basic client",
            "grant_types": ["basic"],
        }),
        Flow::ClientCredentials => json!({
            "client_name": "My service",
            "grant_types": ["client_credentials"],
            "scope": "patient.read",
        }),
        Flow::Password => json!({
            "client_name": "My legacy app",
            "token_endpoint_auth_method": "client_secret_post",
            "grant_types": ["password", "refresh_token"],
            "scope": "patient.read offline_access",
        }),
        Flow::AuthorizationCode => json!({
            "client_name": "My web app",
            "grant_types": ["authorization_code", "refresh_token"],
            "redirect_uris": [redirect_uri],
            "scope": "openid profile email patient.read offline_access",
            "require_pkce": true,
        }),
        Flow::Device => json!({
            "client_name": "My TV app",
            "token_endpoint_auth_method": "none",
            "grant_types": ["urn:ietf:params:oauth:grant-type:device_code", "refresh_token"],
            "scope": "openid profile patient.read offline_access",
        }),
        Flow::SmartStandalone | Flow::SmartEhr => json!({
            "client_name": "My SMART app",
            "token_endpoint_auth_method": "none",
            "grant_types": ["authorization_code", "refresh_token"],
            "redirect_uris": [redirect_uri],
            "launch_uri": launch_uri(redirect_uri.trim_end_matches(ep::CALLBACK)),
            "scope": "openid fhirUser profile launch launch/patient offline_access patient/*.rs",
            "require_pkce": true,
        }),
        Flow::Implicit | Flow::JwtAuth | Flow::BackendServices => json!({
            "client_name": "My legacy browser app",
            "token_endpoint_auth_method": "none",
            "grant_types": ["implicit"],
            "redirect_uris": [redirect_uri],
            "scope": "openid profile patient.read",
        }),
    }
}

/// The policy that lets the client of `flow` read the demo API: with its own id and secret in
/// the Basic flow, with a bearer token in the others.
pub fn policy_body(flow: Flow, client_id: &str) -> Value {
    let auth = if flow == Flow::Basic {
        "basic"
    } else {
        "bearer"
    };
    json!({
        "description": format!("{client_id} may read patients"),
        "auth": auth,
        "client_ids": [client_id],
        "methods": ["GET"],
        "path": format!("{}/**", ep::PATIENTS.trim_end_matches("/Patient")),
    })
}

/// The person to sign in as, with the password the page chose.
pub fn user_body(password: &str) -> Value {
    json!({
        "password": password,
        "name": "Pat Learner",
        "email": "pat@example.org",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_start_with_the_workspace() {
        assert_eq!(client_id("learner-1", Flow::Password), "learner-1-password");
        assert_eq!(
            path(ep::POLICY, &policy_id("learner-1", Flow::Basic)),
            "/AccessPolicy/learner-1-basic-reads"
        );
        assert_eq!(policy_body(Flow::Basic, "c")["path"], "/fhir/**");
        assert_eq!(policy_body(Flow::Implicit, "c")["auth"], "bearer");
    }
}
