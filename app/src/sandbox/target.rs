//! Another authorization server as a run's target: where its metadata lives (RFC 8414 §3.1,
//! with the path insertion for an issuer that has a path, then OpenID Connect Discovery §4),
//! the checks a client runs on the document before it trusts it, what the server offers and
//! lacks, and where each of the sandbox's steps goes there.

// The documents are read on the server only: the URL parser stays out of the browser's bundle.
#[cfg(any(feature = "ssr", test))]
use super::catalogue::Channel;
#[cfg(any(feature = "ssr", test))]
use super::wire::RunStep;
use super::wire::{CheckLine, ParamLine};
use crate::endpoints as ep;
use serde_json::{Map, Value};

/// An endpoint a step may need, by its metadata name (RFC 8414 §2, OpenID Discovery §3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    Authorization,
    Token,
    Introspection,
    Revocation,
    Userinfo,
    Jwks,
    Registration,
    DeviceAuthorization,
}

impl Endpoint {
    pub const ALL: [Endpoint; 8] = [
        Endpoint::Authorization,
        Endpoint::Token,
        Endpoint::Introspection,
        Endpoint::Revocation,
        Endpoint::Userinfo,
        Endpoint::Jwks,
        Endpoint::Registration,
        Endpoint::DeviceAuthorization,
    ];

    /// The endpoint a request path of this server stands for, if any.
    pub fn of_own_path(path: &str) -> Option<Endpoint> {
        let path = path.split('?').next().unwrap_or(path);
        Endpoint::ALL
            .into_iter()
            .find(|e| e.own_path() == Some(path))
    }

    /// Its member in the metadata document.
    pub fn member(self) -> &'static str {
        match self {
            Endpoint::Authorization => "authorization_endpoint",
            Endpoint::Token => "token_endpoint",
            Endpoint::Introspection => "introspection_endpoint",
            Endpoint::Revocation => "revocation_endpoint",
            Endpoint::Userinfo => "userinfo_endpoint",
            Endpoint::Jwks => "jwks_uri",
            Endpoint::Registration => "registration_endpoint",
            Endpoint::DeviceAuthorization => "device_authorization_endpoint",
        }
    }

    /// Where this server has it.
    pub fn own_path(self) -> Option<&'static str> {
        match self {
            Endpoint::Authorization => Some(ep::AUTHORIZE),
            Endpoint::Token => Some(ep::TOKEN),
            Endpoint::Introspection => Some(ep::INTROSPECT),
            Endpoint::Revocation => Some(ep::REVOKE),
            Endpoint::Userinfo => Some(ep::USERINFO),
            Endpoint::Jwks => Some(ep::JWKS),
            Endpoint::Registration => Some(ep::REGISTER),
            Endpoint::DeviceAuthorization => Some(ep::DEVICE_AUTHORIZATION),
        }
    }

    /// What a client uses it for, and the standard that defines the member.
    pub fn purpose(self) -> &'static str {
        match self {
            Endpoint::Authorization => {
                "Where the browser goes to sign in and consent (RFC 6749 §3.1)."
            }
            Endpoint::Token => "Where the client trades a grant for tokens (RFC 6749 §3.2).",
            Endpoint::Introspection => {
                "Where a resource server asks what a token allows (RFC 7662; RFC 8414 §2)."
            }
            Endpoint::Revocation => "Where a client revokes a token (RFC 7009; RFC 8414 §2).",
            Endpoint::Userinfo => "Who signed in, for an access token (OpenID Core §5.3).",
            Endpoint::Jwks => "The keys its tokens are signed with (RFC 7517; RFC 8414 §2).",
            Endpoint::Registration => "Where clients register themselves (RFC 7591).",
            Endpoint::DeviceAuthorization => "Where a device starts the device flow (RFC 8628 §4).",
        }
    }
}

/// The URLs the metadata may be at for what the learner typed, in the order to try them:
/// a URL with `/.well-known/` is used as it is; an issuer gets the RFC 8414 URL, then the OpenID
/// one. Returns each URL with the issuer it must name.
#[cfg(any(feature = "ssr", test))]
pub fn discovery_urls(typed: &str) -> Result<Vec<(String, String)>, String> {
    let typed = typed.trim();
    let url = url::Url::parse(typed).map_err(|e| format!("{typed:?} is not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "{typed:?}: an authorization server is at an http or https URL"
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "{typed:?}: an issuer has no query or fragment (RFC 8414 §2)"
        ));
    }
    let origin = url.origin().ascii_serialization();
    let path = url.path();
    const OAUTH: &str = "/.well-known/oauth-authorization-server";
    const OPENID: &str = "/.well-known/openid-configuration";
    if let Some(rest) = path.strip_prefix(OAUTH) {
        return Ok(vec![(typed.to_owned(), format!("{origin}{rest}"))]);
    }
    if let Some(before) = path.strip_suffix(OPENID) {
        return Ok(vec![(typed.to_owned(), format!("{origin}{before}"))]);
    }
    if path.contains("/.well-known/") {
        return Err(format!(
            "{typed:?}: the sandbox reads only {OAUTH} and {OPENID}"
        ));
    }
    // RFC 8414 §3.1: "any terminating "/" MUST be removed before inserting "/.well-known/" and
    // the well-known URI suffix between the host component and the path component".
    let issuer_path = path.trim_end_matches('/');
    let issuer = format!("{origin}{issuer_path}");
    Ok(vec![
        (format!("{origin}{OAUTH}{issuer_path}"), issuer.clone()),
        // OpenID Discovery §4: the suffix is appended to the issuer.
        (format!("{issuer}{OPENID}"), issuer.clone()),
    ])
}

/// The server a run talks to, from its discovery document.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Target {
    pub issuer: String,
    /// Where the document came from.
    pub discovery_url: String,
    pub metadata: Map<String, Value>,
}

/// The verdict on a discovery document.
#[derive(Clone, Debug, PartialEq)]
pub struct Reading {
    /// The server, when the document may be used.
    pub target: Option<Target>,
    /// What a careful client checked, each with its standard.
    pub checks: Vec<CheckLine>,
    /// What the server offers and lacks.
    pub found: Vec<ParamLine>,
}

#[cfg(any(feature = "ssr", test))]
fn check(name: impl Into<String>, rfc: &str, passed: bool) -> CheckLine {
    CheckLine {
        name: name.into(),
        rfc: rfc.to_owned(),
        passed,
    }
}

#[cfg(any(feature = "ssr", test))]
fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// True for a loopback host, where plain http is allowed (RFC 8252 §8.3).
#[cfg(any(feature = "ssr", test))]
fn loopback(url: &url::Url) -> bool {
    matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"))
}

/// Reads the document `body` fetched from `url` with `status` and `headers`, for `issuer`.
#[cfg(any(feature = "ssr", test))]
pub fn read(
    url: &str,
    issuer: &str,
    status: u16,
    headers: &[(String, String)],
    body: &str,
) -> Reading {
    let mut checks = vec![check(
        format!("the answer is 200 OK (it is {status})"),
        "RFC 8414 §3.2",
        status == 200,
    )];
    let json = header(headers, "content-type").is_some_and(|c| {
        c.trim()
            .to_ascii_lowercase()
            .starts_with("application/json")
    });
    let metadata = match serde_json::from_str::<Value>(body) {
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    };
    checks.push(check(
        "the body is a JSON object",
        "RFC 8414 §3.2",
        metadata.is_some(),
    ));
    let Some(metadata) = metadata.filter(|_| status == 200) else {
        return Reading {
            target: None,
            checks,
            found: Vec::new(),
        };
    };
    checks.push(check(
        "Content-Type is application/json",
        "RFC 8414 §3.2",
        json,
    ));
    let named = metadata
        .get("issuer")
        .and_then(Value::as_str)
        .unwrap_or_default();
    // RFC 8414 §3.3: "The "issuer" value returned MUST be identical to the authorization
    // server's issuer identifier value into which the well-known URI string was inserted ... If
    // these values are not identical, the data contained in the response MUST NOT be used."
    let same_issuer = named == issuer;
    checks.push(check(
        if same_issuer {
            format!("issuer is {issuer}, the URL the document was found under")
        } else {
            format!("issuer is {named:?}, not {issuer}: the document MUST NOT be used")
        },
        "RFC 8414 §3.3",
        same_issuer,
    ));
    let issuer_url = url::Url::parse(issuer).ok();
    let issuer_host = issuer_url
        .as_ref()
        .and_then(|u| u.host_str().map(str::to_owned));
    let issuer_https = issuer_url
        .as_ref()
        .is_some_and(|u| u.scheme() == "https" || loopback(u));
    checks.push(check(
        "the issuer uses https (or is on loopback)",
        "RFC 8414 §2",
        issuer_https,
    ));
    for endpoint in Endpoint::ALL {
        let Some(value) = metadata.get(endpoint.member()) else {
            continue;
        };
        let parsed = value.as_str().and_then(|v| url::Url::parse(v).ok());
        let member = endpoint.member();
        match parsed {
            None => checks.push(check(
                format!("{member} is an absolute URL"),
                "RFC 8414 §2",
                false,
            )),
            Some(u) if u.host_str().map(str::to_owned) != issuer_host => checks.push(check(
                format!(
                    "{member} is on another host ({}) than the issuer: allowed, but know whom you send to",
                    u.host_str().unwrap_or_default()
                ),
                "RFC 8414 §2",
                false,
            )),
            Some(_) => {}
        }
    }
    let list = |name: &str| -> Option<Vec<String>> {
        metadata.get(name).and_then(Value::as_array).map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
    };
    checks.push(check(
        "response_types_supported is present",
        "RFC 8414 §2 (REQUIRED)",
        list("response_types_supported").is_some(),
    ));
    let pkce = list("code_challenge_methods_supported").unwrap_or_default();
    checks.push(check(
        "code_challenge_methods_supported includes S256",
        "RFC 9700 §2.1.1",
        pkce.iter().any(|m| m == "S256"),
    ));
    let mut found: Vec<ParamLine> = Endpoint::ALL
        .iter()
        .map(|e| ParamLine {
            name: e.member().to_owned(),
            value: metadata
                .get(e.member())
                .and_then(Value::as_str)
                .unwrap_or("not advertised")
                .to_owned(),
            meaning: e.purpose().to_owned(),
        })
        .collect();
    // RFC 8414 §2: "If omitted, the default value is "["authorization_code", "implicit"]"."
    let grants = list("grant_types_supported")
        .map(|g| g.join(" "))
        .unwrap_or_else(|| "authorization_code implicit (not listed: the RFC 8414 default)".into());
    // RFC 8414 §2: "If omitted, the default is "client_secret_basic"".
    let auth = list("token_endpoint_auth_methods_supported")
        .map(|g| g.join(" "))
        .unwrap_or_else(|| "client_secret_basic (not listed: the RFC 8414 default)".into());
    for (name, value, meaning) in [
        (
            "grant_types_supported",
            grants,
            "The grants it accepts (RFC 8414 §2).",
        ),
        (
            "code_challenge_methods_supported",
            if pkce.is_empty() {
                "not advertised".into()
            } else {
                pkce.join(" ")
            },
            "The PKCE methods it accepts (RFC 8414 §2, RFC 7636).",
        ),
        (
            "token_endpoint_auth_methods_supported",
            auth,
            "How clients may authenticate at the token endpoint (RFC 8414 §2).",
        ),
        (
            "response_types_supported",
            list("response_types_supported")
                .map(|l| l.join(" "))
                .unwrap_or_else(|| "not advertised".into()),
            "What the authorization endpoint can answer (RFC 8414 §2).",
        ),
        (
            "scopes_supported",
            list("scopes_supported")
                .map(|l| l.join(" "))
                .unwrap_or_else(|| "not advertised".into()),
            "The scopes it names (RFC 8414 §2, RECOMMENDED).",
        ),
        (
            "authorization_response_iss_parameter_supported",
            metadata
                .get("authorization_response_iss_parameter_supported")
                .and_then(Value::as_bool)
                .unwrap_or(false)
                .to_string(),
            "Whether its callbacks carry iss, against mix-up attacks (RFC 9207 §3).",
        ),
    ] {
        found.push(ParamLine {
            name: name.to_owned(),
            value,
            meaning: meaning.to_owned(),
        });
    }
    let target = same_issuer.then(|| Target {
        issuer: issuer.to_owned(),
        discovery_url: url.to_owned(),
        metadata: metadata.clone(),
    });
    Reading {
        target,
        checks,
        found,
    }
}

#[cfg(any(feature = "ssr", test))]
impl Target {
    /// The absolute URL of `endpoint`, or why the step cannot run here.
    pub fn url_of(&self, endpoint: Endpoint) -> Result<String, String> {
        self.metadata
            .get(endpoint.member())
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| {
                format!(
                    "{} advertises no {}, so this step cannot run there (RFC 8414 §2)",
                    self.issuer,
                    endpoint.member()
                )
            })
    }

    /// True when the server advertises `endpoint`.
    pub fn has(&self, endpoint: Endpoint) -> bool {
        self.url_of(endpoint).is_ok()
    }

    /// The endpoint a request target (origin form, as recorded) was sent to.
    pub fn endpoint_at(&self, target: &str) -> Option<Endpoint> {
        let path = target.split('?').next().unwrap_or(target);
        Endpoint::ALL.into_iter().find(|e| {
            self.url_of(*e)
                .ok()
                .and_then(|u| url::Url::parse(&u).ok())
                .is_some_and(|u| u.path() == path)
        })
    }

    /// Where a request the planner made for this server goes at the target: its endpoint, or
    /// the learner's API URL for the demo API's paths.
    pub fn relocate(&self, path: &str, api: &str) -> Result<String, String> {
        let query = path.split_once('?').map(|(_, q)| q);
        let base = match Endpoint::of_own_path(path) {
            Some(endpoint) => self.url_of(endpoint)?,
            None if path.starts_with("/fhir/") => self.api_url(api)?,
            None => return Err(format!("{path} is a step of this server only")),
        };
        Ok(match query {
            Some(q) => format!("{base}?{q}"),
            None => base,
        })
    }

    /// The API the learner names, which must be on the issuer's origin: the relay sends to the
    /// server the learner chose and nowhere else.
    pub fn api_url(&self, api: &str) -> Result<String, String> {
        let api = api.trim();
        if api.is_empty() {
            return Err("name the API to call at that server".into());
        }
        let (Ok(a), Ok(i)) = (url::Url::parse(api), url::Url::parse(&self.issuer)) else {
            return Err(format!("{api:?} is not a URL"));
        };
        if a.origin() != i.origin() {
            return Err(format!(
                "the API must be on the issuer's origin, {}",
                i.origin().ascii_serialization()
            ));
        }
        Ok(api.trim_end_matches('?').to_owned())
    }

    /// True when the relay may send `url` for this run: one of the advertised endpoints, or a
    /// URL on the issuer's origin (its API).
    pub fn allows(&self, url: &str) -> bool {
        let Ok(u) = url::Url::parse(url) else {
            return false;
        };
        let bare = |u: &url::Url| format!("{}{}", u.origin().ascii_serialization(), u.path());
        let advertised = Endpoint::ALL.into_iter().any(|e| {
            self.url_of(e)
                .ok()
                .and_then(|v| url::Url::parse(&v).ok())
                .is_some_and(|v| bare(&v) == bare(&u))
        });
        advertised || url::Url::parse(&self.issuer).is_ok_and(|i| i.origin() == u.origin())
    }

    /// The target of a run: the newest discovery document its steps read and could use.
    pub fn of_run(steps: &[RunStep]) -> Option<Target> {
        steps
            .iter()
            .rev()
            .filter(|s| s.channel == Channel::Discovery)
            .find_map(|s| {
                let x = &s.exchange;
                let url = discovery_url_of(s)?;
                let issuer = discovery_urls(&url).ok()?.first()?.1.clone();
                read(
                    &url,
                    &issuer,
                    x.status,
                    &x.response.headers,
                    &x.response.body,
                )
                .target
            })
    }

    /// True when this target is the one `typed` names.
    pub fn is(&self, typed: &str) -> bool {
        discovery_urls(typed)
            .map(|urls| urls.iter().any(|(u, _)| *u == self.discovery_url))
            .unwrap_or(false)
    }
}

/// The absolute URL a discovery step fetched.
#[cfg(any(feature = "ssr", test))]
pub fn discovery_url_of(step: &RunStep) -> Option<String> {
    Some(step.exchange.url.clone()).filter(|u| !u.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(v: Vec<(String, String)>) -> Vec<(String, String)> {
        v
    }

    #[test]
    fn discovery_inserts_the_well_known_suffix_before_the_issuers_path() {
        assert_eq!(
            pairs(discovery_urls("https://as.example/tenant/one/").unwrap()),
            vec![
                (
                    "https://as.example/.well-known/oauth-authorization-server/tenant/one".into(),
                    "https://as.example/tenant/one".into()
                ),
                (
                    "https://as.example/tenant/one/.well-known/openid-configuration".into(),
                    "https://as.example/tenant/one".into()
                ),
            ]
        );
        assert_eq!(
            discovery_urls("http://127.0.0.1:3001").unwrap()[0],
            (
                "http://127.0.0.1:3001/.well-known/oauth-authorization-server".into(),
                "http://127.0.0.1:3001".into()
            )
        );
        assert_eq!(
            discovery_urls("https://as.example/.well-known/openid-configuration").unwrap(),
            vec![(
                "https://as.example/.well-known/openid-configuration".into(),
                "https://as.example".into()
            )]
        );
        assert_eq!(
            discovery_urls("https://as.example/.well-known/oauth-authorization-server/t").unwrap()
                [0]
            .1,
            "https://as.example/t"
        );
        assert!(discovery_urls("ftp://as.example").is_err());
        assert!(discovery_urls("https://as.example/?x=1").is_err());
        assert!(discovery_urls("https://as.example/.well-known/other").is_err());
    }

    fn json() -> Vec<(String, String)> {
        vec![("content-type".into(), "application/json".into())]
    }

    #[test]
    fn a_document_naming_another_issuer_is_not_used() {
        let r = read(
            "https://as.example/.well-known/oauth-authorization-server",
            "https://as.example",
            200,
            &json(),
            r#"{"issuer":"https://evil.example","token_endpoint":"https://evil.example/t"}"#,
        );
        assert!(r.target.is_none());
        assert!(
            r.checks
                .iter()
                .any(|c| !c.passed && c.rfc == "RFC 8414 §3.3")
        );
    }

    #[test]
    fn endpoints_on_another_host_are_reported_and_missing_ones_refused_with_a_reason() {
        let r = read(
            "https://as.example/.well-known/oauth-authorization-server",
            "https://as.example",
            200,
            &json(),
            r#"{"issuer":"https://as.example","token_endpoint":"https://other.example/token","response_types_supported":["code"],"code_challenge_methods_supported":["S256"]}"#,
        );
        let t = r.target.unwrap();
        let other = r
            .checks
            .iter()
            .find(|c| c.name.contains("another host"))
            .unwrap();
        assert!(!other.passed && other.name.contains("other.example"));
        assert_eq!(
            t.relocate("/auth/token", "").unwrap(),
            "https://other.example/token"
        );
        let why = t.relocate("/auth/revoke", "").unwrap_err();
        assert!(why.contains("revocation_endpoint"), "{why}");
        let grants = r
            .found
            .iter()
            .find(|p| p.name == "grant_types_supported")
            .unwrap();
        assert!(grants.value.contains("RFC 8414 default"));
    }

    #[test]
    fn the_api_must_be_on_the_issuers_origin() {
        let t = Target {
            issuer: "http://127.0.0.1:3001".into(),
            ..Default::default()
        };
        assert_eq!(
            t.relocate(
                "/fhir/Patient?access_token=x",
                "http://127.0.0.1:3001/fhir/Patient"
            )
            .unwrap(),
            "http://127.0.0.1:3001/fhir/Patient?access_token=x"
        );
        assert!(t.api_url("http://169.254.169.254/latest").is_err());
        assert!(t.api_url("").is_err());
        assert!(t.allows("http://127.0.0.1:3001/fhir/Patient"));
        assert!(!t.allows("http://127.0.0.1:3002/fhir/Patient"));
        assert!(t.relocate("/Client/x", "").is_err());
    }

    #[test]
    fn a_failed_or_hostile_answer_gives_no_target() {
        assert!(read("u", "i", 404, &json(), "{}").target.is_none());
        assert!(read("u", "i", 200, &json(), "[1,2]").target.is_none());
        assert!(read("u", "i", 200, &json(), "not json").target.is_none());
    }
}
