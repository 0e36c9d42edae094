//! What the sandbox shows, as plain data that crosses between server and browser.

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
    /// The named checks the server ran, in order.
    pub checks: Vec<CheckLine>,
}

/// One step of a run, as stored.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RunStep {
    pub title: String,
    pub lesson: String,
    /// The diagram arrow the step reached.
    #[serde(default)]
    pub arrow: usize,
    pub exchange: Exchange,
}

/// What a flow page sends to run one step: a plain form post carries the same fields
/// (`input[scope]`, …) as a hydrated click.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StepInput {
    pub flow: String,
    pub step: String,
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
}

/// A run as a flow page shows it: its steps, what it holds, the current token decoded.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RunView {
    pub id: String,
    pub flow: String,
    pub steps: Vec<RunStep>,
    pub token: Option<String>,
    pub has_refresh: bool,
    pub has_retired_refresh: bool,
    pub inspection: Option<TokenInspection>,
}

/// A stored run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SavedRun {
    pub id: String,
    pub flow: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// When the server deletes it unless another step is taken (RFC 3339, UTC).
    #[serde(default)]
    pub expires_at: String,
    pub steps: Vec<RunStep>,
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
}
