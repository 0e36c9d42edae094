//! What the sandbox shows, as plain data that crosses between server and browser.

use super::catalogue::{ArrowId, Channel, Flow, StepKind};
use serde::{Deserialize, Serialize};

/// A request the sandbox will send to one of this server's endpoints.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Outgoing {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// One HTTP message as it crossed: the start line, the headers, the body.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HttpMessage {
    pub start_line: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl HttpMessage {
    /// The message as HTTP/1.1 text.
    pub fn to_text(&self) -> String {
        let mut out = format!("{}\n", self.start_line);
        for (k, v) in &self.headers {
            out.push_str(&format!("{k}: {v}\n"));
        }
        if !self.body.is_empty() {
            out.push('\n');
            out.push_str(&self.body);
        }
        out
    }
}

/// A check the server ran for a request, with the standard behind it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CheckLine {
    pub name: String,
    pub rfc: String,
    pub passed: bool,
}

/// A request and its response, recorded as they crossed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Exchange {
    pub request: HttpMessage,
    pub response: HttpMessage,
    pub status: u16,
    pub elapsed_ms: f64,
    /// The equivalent curl command.
    pub curl: String,
    /// The named checks the server ran, in order; for another server, the checks the client
    /// ran on its answer.
    pub checks: Vec<CheckLine>,
    /// The absolute URL a relayed request went to; empty for this server's own endpoints.
    #[serde(default)]
    pub url: String,
}

impl Exchange {
    /// True when the exchange was relayed to another server.
    pub fn relayed(&self) -> bool {
        !self.url.is_empty()
    }
}

/// One exchange of a run, as stored: a run's timeline is its exchanges, oldest first.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RunStep {
    /// The step it belongs to, as the page's buttons number them. The front channel of one
    /// step ("go to the authorization server") is several exchanges.
    pub number: u32,
    pub title: String,
    pub lesson: String,
    /// The diagram arrows it travelled, in order.
    pub arrows: Vec<ArrowId>,
    /// Who carried it: the client (back channel) or the browser (front channel).
    pub channel: Channel,
    /// The authorization request's parameters, explained (front channel).
    #[serde(default)]
    pub params: Vec<ParamLine>,
    pub exchange: Exchange,
}

/// One parameter of a request, with what it asks for.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ParamLine {
    pub name: String,
    pub value: String,
    pub meaning: String,
}

/// The number the next step of a run gets.
pub fn next_number(steps: &[RunStep]) -> u32 {
    steps.iter().map(|s| s.number).max().unwrap_or(0) + 1
}

/// What a flow page sends to run one step: a plain form post carries the same fields
/// (`input[scope]`, …) as a hydrated click.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StepInput {
    pub flow: Option<Flow>,
    pub step: Option<StepKind>,
    /// The run to continue; empty for a new run.
    pub run: String,
    pub client_id: String,
    /// Empty for a public client.
    pub client_secret: String,
    /// `basic` or `post`.
    pub auth: String,
    pub scope: String,
    pub username: String,
    pub password: String,
    pub code: String,
    pub verifier: String,
    pub redirect_uri: String,
    /// A token the run did not get from the token endpoint (the implicit flow's fragment).
    pub token: String,
    /// Where the API call carries the token: `header` (RFC 6750 §2.1) or `query` (§2.3).
    pub placement: String,
    /// The request as the learner edited it on the step's card, sent instead of the planned one.
    pub edited: Option<Outgoing>,
    /// Another authorization server to run against: its issuer or discovery URL; empty for
    /// this server.
    pub target: String,
    /// The API to call at that server (on its origin).
    pub api_url: String,
    /// The account the admin REST API steps authenticate as: the learner's workspace.
    pub workspace: String,
    pub workspace_password: String,
    /// The `aud` of a token the JWT Auth page asks the test issuer for.
    pub audience: String,
    /// The patient and the user's FHIR resource of an EHR launch.
    pub patient: String,
    pub fhir_user: String,
    /// This server's issuer, filled in by the server before it plans a step.
    #[serde(skip)]
    pub issuer: String,
}

/// A run as a flow page shows it: its steps, what it holds, the current token decoded.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RunView {
    pub id: String,
    pub flow: Option<Flow>,
    pub steps: Vec<RunStep>,
    pub token: Option<String>,
    pub has_refresh: bool,
    pub has_retired_refresh: bool,
    /// The current access token, decoded (or, when opaque, what the server knows of it).
    pub inspection: Option<TokenInspection>,
    /// The newest refresh token: opaque, with what the server knows of it.
    pub refresh: Option<TokenInspection>,
    /// The newest ID token, decoded, with the checks a client runs on it.
    pub id_token: Option<IdTokenView>,
}

/// An ID token as the run shows it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct IdTokenView {
    pub inspection: TokenInspection,
    /// OpenID Core §3.1.3.7, run on this token.
    pub checks: Vec<CheckLine>,
}

/// A stored run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SavedRun {
    pub id: String,
    pub flow: Option<Flow>,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// When the server deletes it unless another step is taken (RFC 3339, UTC).
    #[serde(default)]
    pub expires_at: String,
    pub steps: Vec<RunStep>,
}

impl SavedRun {
    /// The run's flow by name, `unknown` for a flow this build does not know.
    pub fn flow_slug(&self) -> &'static str {
        self.flow.map_or("unknown", Flow::slug)
    }
}

/// One claim of a JWT, with a short explanation when it is a registered claim.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClaimLine {
    pub name: String,
    pub value: String,
    pub help: String,
    /// For time claims: the time in words (UTC).
    pub when: Option<String>,
}

/// What a token is, decoded and checked on the server.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TokenInspection {
    /// A JWT (else an opaque token, described by introspection).
    pub is_jwt: bool,
    pub header: Vec<ClaimLine>,
    pub claims: Vec<ClaimLine>,
    /// The key id and algorithm the header names.
    pub kid: Option<String>,
    pub alg: Option<String>,
    /// The signature verified against the published JWKS.
    pub signature_valid: bool,
    /// Why the signature check failed, or what it matched.
    pub signature_note: String,
    /// Unix seconds, for the live countdown.
    pub exp: Option<i64>,
    /// The server's clock when inspected.
    pub now: i64,
    /// The token itself, to copy.
    #[serde(default)]
    pub token: String,
    /// For an opaque token of the run: what the server knows of it, as introspection would
    /// tell its client (pretty JSON); `{"active": false}` once it is dead.
    #[serde(default)]
    pub introspection: Option<String>,
}
