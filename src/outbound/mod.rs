//! The one HTTP client the server uses to reach other servers: the sandbox's relay to an
//! outside authorization server, its discovery documents and key sets.
//!
//! Every request is bounded: a connect and a total timeout, a cap on the response body, no
//! redirect followed (a 3xx is recorded as it came, for the learner to see), no proxy from the
//! environment, and every address judged by the [`policy::AddressPolicy`] at connection time.

pub mod policy;

use policy::AddressPolicy;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The largest response body read from another server.
pub const MAX_BODY: usize = 512 * 1024;

/// What went wrong, in words a visitor can act on.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OutboundError {
    #[error("the address is not one this server reaches: {0}")]
    Refused(String),
    #[error("not a URL this server can send to: {0}")]
    BadUrl(String),
    #[error("{host} did not answer within {seconds} s")]
    Timeout { host: String, seconds: u64 },
    #[error("could not connect to {host}: {reason}")]
    Connect { host: String, reason: String },
    #[error("the answer from {host} is larger than {limit} bytes; only smaller ones are read")]
    TooLarge { host: String, limit: usize },
    #[error("the exchange with {host} failed: {reason}")]
    Failed { host: String, reason: String },
}

/// A request to send, as the caller composed it.
#[derive(Clone, Debug, Default)]
pub struct Request {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// What crossed: the request as sent, the answer as received.
#[derive(Clone, Debug)]
pub struct Sent {
    /// `GET /path?query`: the request target in origin form.
    pub target: String,
    /// Every header sent, `host` and `content-length` included, in order.
    pub headers: Vec<(String, String)>,
    pub status: u16,
    pub response_headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub elapsed_ms: f64,
}

/// The client, built once at start-up.
#[derive(Clone)]
pub struct Outbound {
    client: reqwest::Client,
    policy: Arc<AddressPolicy>,
    timeout: Duration,
    user_agent: String,
}

impl std::fmt::Debug for Outbound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbound")
            .field("policy", &self.policy)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// A refusal raised inside the resolver, found again in reqwest's error chain.
#[derive(Debug)]
struct RefusedByPolicy(String);

impl std::fmt::Display for RefusedByPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RefusedByPolicy {}

/// Resolves names with the system resolver and keeps only the addresses the policy allows.
struct PolicyResolver(Arc<AddressPolicy>);

impl Resolve for PolicyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.0.clone();
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let mut reason = None;
            let allowed: Vec<SocketAddr> = found
                .into_iter()
                .filter(|a| match policy.check(a.ip()) {
                    Ok(()) => true,
                    Err(why) => {
                        reason.get_or_insert(why);
                        false
                    }
                })
                .collect();
            if allowed.is_empty() {
                let why = reason.unwrap_or_else(|| "it has no address".to_owned());
                return Err(Box::new(RefusedByPolicy(format!("{host}: {why}")))
                    as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

impl Outbound {
    /// A client under `policy` that gives every exchange `timeout` in all.
    pub fn new(policy: AddressPolicy, timeout: Duration) -> Result<Self, String> {
        let policy = Arc::new(policy);
        let user_agent = format!("oauth-sandbox/{}", env!("CARGO_PKG_VERSION"));
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .timeout(timeout)
            .http1_only()
            .dns_resolver(PolicyResolver(policy.clone()))
            .build()
            .map_err(|e| format!("the outbound HTTP client: {e}"))?;
        Ok(Self {
            client,
            policy,
            timeout,
            user_agent,
        })
    }

    /// Checks `url` before anything is sent: http or https, a host, no credentials in it, and
    /// an IP literal the policy allows (names are checked when they resolve).
    pub fn check_url(&self, url: &str) -> Result<url::Url, OutboundError> {
        let parsed =
            url::Url::parse(url).map_err(|e| OutboundError::BadUrl(format!("{url}: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(OutboundError::BadUrl(format!("{url}: only http and https")));
        }
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(OutboundError::BadUrl(format!(
                "{url}: credentials belong in a header, not in the URL"
            )));
        }
        let ip = match parsed.host() {
            Some(url::Host::Ipv4(v4)) => Some(IpAddr::V4(v4)),
            Some(url::Host::Ipv6(v6)) => Some(IpAddr::V6(v6)),
            Some(url::Host::Domain(_)) => None,
            None => return Err(OutboundError::BadUrl(format!("{url}: no host"))),
        };
        if let Some(ip) = ip {
            self.policy.check(ip).map_err(OutboundError::Refused)?;
        }
        Ok(parsed)
    }

    /// Sends `request` and reads the answer, within the limits.
    pub async fn send(&self, request: &Request) -> Result<Sent, OutboundError> {
        let url = self.check_url(&request.url)?;
        let host = authority(&url);
        let method = reqwest::Method::from_bytes(request.method.as_bytes())
            .map_err(|e| OutboundError::BadUrl(format!("{}: {e}", request.method)))?;
        // The headers as they will cross, in order: the caller's, then what HTTP adds.
        let mut headers = vec![("host".to_owned(), host.clone())];
        headers.extend(
            request
                .headers
                .iter()
                .filter(|(k, _)| {
                    !["host", "content-length", "user-agent"]
                        .iter()
                        .any(|h| k.eq_ignore_ascii_case(h))
                })
                .cloned(),
        );
        if !headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("accept"))
        {
            headers.push(("accept".into(), "application/json".into()));
        }
        headers.push(("user-agent".into(), self.user_agent.clone()));
        if !request.body.is_empty() || method == reqwest::Method::POST {
            headers.push(("content-length".into(), request.body.len().to_string()));
        }
        let mut builder = self.client.request(method, url.clone());
        for (k, v) in headers
            .iter()
            .filter(|(k, _)| k != "host" && k != "content-length")
        {
            builder = builder.header(k.as_str(), v.as_str());
        }
        if !request.body.is_empty() {
            builder = builder.body(request.body.clone());
        }
        let started = Instant::now();
        let mut response = builder.send().await.map_err(|e| self.explain(&host, &e))?;
        let status = response.status().as_u16();
        let response_headers = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let too_large = || OutboundError::TooLarge {
            host: host.clone(),
            limit: MAX_BODY,
        };
        if response
            .content_length()
            .is_some_and(|n| n > MAX_BODY as u64)
        {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| self.explain(&host, &e))?
        {
            if body.len() + chunk.len() > MAX_BODY {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        let target = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        };
        Ok(Sent {
            target,
            headers,
            status,
            response_headers,
            body,
            elapsed_ms: started.elapsed().as_secs_f64() * 1000.0,
        })
    }

    fn explain(&self, host: &str, e: &reqwest::Error) -> OutboundError {
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
        let mut innermost = e.to_string();
        while let Some(s) = source {
            if let Some(refused) = s.downcast_ref::<RefusedByPolicy>() {
                return OutboundError::Refused(refused.0.clone());
            }
            innermost = s.to_string();
            source = s.source();
        }
        let host = host.to_owned();
        if e.is_timeout() {
            OutboundError::Timeout {
                host,
                seconds: self.timeout.as_secs().max(1),
            }
        } else if e.is_connect() {
            OutboundError::Connect {
                host,
                reason: innermost,
            }
        } else {
            OutboundError::Failed {
                host,
                reason: innermost,
            }
        }
    }
}

/// `host:port` as the `Host` header carries it (the port only when it is not the scheme's).
fn authority(url: &url::Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_owned(),
    }
}
