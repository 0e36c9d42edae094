//! Configuration: command-line flags, each with an environment variable twin (SPEC "One binary").

use crate::oauth::keys::SigningAlg;
use clap::Parser;
use std::net::SocketAddr;
use std::path::PathBuf;

/// oauth-sandbox: a real OAuth 2.0 authorization server, a demo protected API and a sandbox UI,
/// in one process on an embedded SQLite file.
#[derive(Parser, Clone, Debug)]
#[command(version, about, args_override_self = true)]
pub struct Config {
    /// The address to listen on.
    #[arg(long, env = "SANDBOX_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,

    /// The database URL. Default: a SQLite file under data/.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://data/sandbox.db")]
    pub database_url: String,

    /// The public issuer URL; default http://<addr>. No query, no fragment.
    #[arg(long, env = "SANDBOX_ISSUER")]
    pub issuer: Option<String>,

    /// The admin password. When none is set, a random one is generated and printed once at
    /// first start.
    #[arg(long, env = "SANDBOX_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,

    /// A seed file: {"clients": [...], "users": [...], "policies": [...]}, applied at start.
    #[arg(long, env = "SANDBOX_SEED")]
    pub seed: Option<PathBuf>,

    /// Turn the built-in demo data off.
    #[arg(long)]
    pub no_demo: bool,

    /// Load the built-in demo data (SANDBOX_DEMO=false turns it off).
    #[arg(long = "demo", env = "SANDBOX_DEMO", default_value_t = true, hide = true,
          action = clap::ArgAction::Set, value_parser = clap::builder::BoolishValueParser::new())]
    pub demo: bool,

    /// The log filter, e.g. info, debug, oauth_sandbox=debug.
    #[arg(long = "log", env = "RUST_LOG", default_value = "info")]
    pub log: String,

    /// The algorithm of new signing keys.
    #[arg(long, env = "SANDBOX_SIGNING_ALG", value_enum, default_value = "RS256")]
    pub signing_alg: SigningAlg,

    /// Serve the site (pkg/ with the wasm bundle and stylesheet, public files) from this
    /// directory instead of the copy embedded in the binary: for development, where the site is
    /// rebuilt under a running server.
    #[arg(long, env = "LEPTOS_SITE_ROOT")]
    pub site_root: Option<String>,

    /// How long a sandbox run is kept after its last step, in hours.
    #[arg(long, env = "SANDBOX_RUN_RETENTION_HOURS", default_value_t = 24,
          value_parser = clap::value_parser!(u32).range(1..=8760))]
    pub run_retention_hours: u32,

    /// How long a learner workspace (the tutorial's account for a browser) lives unless it is
    /// kept, in hours.
    #[arg(long, env = "SANDBOX_WORKSPACE_HOURS", default_value_t = 24,
          value_parser = clap::value_parser!(u32).range(1..=8760))]
    pub workspace_hours: u32,

    /// How often expired tokens, codes, sessions and runs are collected, in seconds.
    #[arg(long, env = "SANDBOX_COLLECT_EVERY", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(1..=86400))]
    pub collect_every_seconds: u64,

    /// Refuse loopback and private networks too when relaying to other servers (for a public
    /// deployment). Link-local and cloud metadata addresses are always refused.
    #[arg(long, env = "SANDBOX_OUTBOUND_PUBLIC_ONLY")]
    pub outbound_public_only: bool,

    /// More address ranges the relay refuses, comma-separated CIDRs (0.0.0.0/0,::/0 turns it
    /// off).
    #[arg(long, env = "SANDBOX_OUTBOUND_DENY", value_delimiter = ',')]
    pub outbound_deny: Vec<ipnet::IpNet>,

    /// Address ranges the relay may reach whatever else refuses them, comma-separated CIDRs.
    #[arg(long, env = "SANDBOX_OUTBOUND_ALLOW", value_delimiter = ',')]
    pub outbound_allow: Vec<ipnet::IpNet>,

    /// How long one relayed exchange may take in all, in seconds.
    #[arg(long, env = "SANDBOX_OUTBOUND_TIMEOUT", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=120))]
    pub outbound_timeout_seconds: u64,

    /// Mock mode, for other apps' tests: a control API under /mock/ (mint tokens, inject
    /// faults, the request journal, the clock, reset), "mock": true in every token and a banner
    /// on every page. Never for a real deployment.
    #[arg(long, env = "SANDBOX_MOCK", default_value_t = false, num_args = 0..=1,
          default_missing_value = "true", action = clap::ArgAction::Set,
          value_parser = clap::builder::BoolishValueParser::new())]
    pub mock: bool,

    /// The failure throttle on every credential check; not a flag.
    #[arg(skip)]
    pub throttle: crate::security::throttle::Policy,
}

impl Config {
    /// The run retention in seconds.
    pub fn run_retention_seconds(&self) -> i64 {
        i64::from(self.run_retention_hours) * 3600
    }

    /// The life of a learner workspace in seconds.
    pub fn workspace_seconds(&self) -> i64 {
        i64::from(self.workspace_hours) * 3600
    }

    /// The relay's address policy.
    pub fn outbound_policy(&self) -> crate::outbound::policy::AddressPolicy {
        crate::outbound::policy::AddressPolicy::new(
            self.outbound_public_only,
            &self.outbound_deny,
            &self.outbound_allow,
        )
    }

    /// The relay's timeout.
    pub fn outbound_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.outbound_timeout_seconds)
    }

    /// True when the demo data should be loaded.
    pub fn demo_enabled(&self) -> bool {
        self.demo && !self.no_demo
    }

    /// The issuer identifier, checked: an absolute http(s) URL with no query or fragment
    /// (RFC 8414 §2).
    pub fn issuer(&self) -> Result<String, String> {
        let issuer = self
            .issuer
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.addr));
        let url = url::Url::parse(&issuer).map_err(|e| format!("--issuer {issuer:?}: {e}"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!("--issuer {issuer:?}: must be an http or https URL"));
        }
        if url.query().is_some()
            || url.fragment().is_some()
            || issuer.contains('#')
            || issuer.contains('?')
        {
            return Err(format!(
                "--issuer {issuer:?}: must have no query or fragment (RFC 8414 §2)"
            ));
        }
        Ok(issuer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_flags() {
        let c = Config::try_parse_from(["x"]).unwrap();
        assert_eq!(c.issuer().unwrap(), "http://127.0.0.1:3000");
        assert!(c.demo_enabled());
        let c =
            Config::try_parse_from(["x", "--no-demo", "--issuer", "https://as.example/t"]).unwrap();
        assert!(!c.demo_enabled());
        assert_eq!(c.issuer().unwrap(), "https://as.example/t");
        let c = Config::try_parse_from(["x", "--issuer", "https://as.example/?q=1"]).unwrap();
        assert!(c.issuer().is_err());
    }
}
