//! Which addresses the server may reach when it talks to another server on a visitor's behalf
//! (the sandbox's relay, discovery, key fetches).
//!
//! The relay sends requests that a stranger composed, from inside the host's network. Without a
//! policy it would be an open door to whatever that network hides. The written policy:
//!
//! - **Always refused, unless the operator allows them by name:** link-local addresses
//!   (`169.254.0.0/16`, `fe80::/10`), where every large cloud serves its instance metadata and
//!   credentials (`169.254.169.254`, AWS's `fd00:ec2::254`, Alibaba's `100.100.100.200`); the
//!   unspecified, broadcast and multicast addresses, which name no single server.
//! - **Allowed by default:** loopback and private networks, because a developer's own servers
//!   live there (a second sandbox on `127.0.0.1:3001`, a Keycloak in the office). A public
//!   deployment refuses them with `--outbound-public-only`.
//! - **The operator's lists:** `--outbound-deny` adds ranges to refuse; `--outbound-allow`
//!   names ranges that are reachable whatever else says (it wins over every refusal).
//!
//! An IPv4 address written as IPv6 (`::ffff:169.254.169.254`) is judged as the IPv4 address.
//! Names are judged by every address they resolve to at connection time, so a name that
//! resolves to a refused address is refused even if it once resolved elsewhere.

use ipnet::IpNet;
use std::net::IpAddr;

/// Ranges that are refused whatever the deployment, with why.
const ALWAYS_REFUSED: [(&str, &str); 10] = [
    (
        "169.254.0.0/16",
        "link-local, where clouds serve instance metadata",
    ),
    ("fe80::/10", "link-local"),
    ("fd00:ec2::254/128", "the AWS instance metadata service"),
    ("100.100.100.200/32", "the Alibaba Cloud metadata service"),
    ("0.0.0.0/8", "the unspecified network"),
    ("::/128", "the unspecified address"),
    ("255.255.255.255/32", "broadcast"),
    ("224.0.0.0/4", "multicast"),
    ("ff00::/8", "multicast"),
    ("240.0.0.0/4", "reserved"),
];

/// Ranges refused with `--outbound-public-only`.
const PRIVATE: [(&str, &str); 7] = [
    ("127.0.0.0/8", "loopback"),
    ("::1/128", "loopback"),
    ("10.0.0.0/8", "a private network"),
    ("172.16.0.0/12", "a private network"),
    ("192.168.0.0/16", "a private network"),
    ("100.64.0.0/10", "carrier-grade NAT"),
    ("fc00::/7", "a unique local network"),
];

/// The policy, built once from the configuration.
#[derive(Clone, Debug)]
pub struct AddressPolicy {
    refused: Vec<(IpNet, String)>,
    allowed: Vec<IpNet>,
}

impl Default for AddressPolicy {
    fn default() -> Self {
        Self::new(false, &[], &[])
    }
}

impl AddressPolicy {
    /// The default policy, narrowed to public addresses when `public_only`, with the
    /// operator's `deny` and `allow` ranges.
    pub fn new(public_only: bool, deny: &[IpNet], allow: &[IpNet]) -> Self {
        let named = |list: &[(&str, &str)]| -> Vec<(IpNet, String)> {
            list.iter()
                .filter_map(|(net, why)| Some((net.parse().ok()?, (*why).to_owned())))
                .collect()
        };
        let mut refused = named(&ALWAYS_REFUSED);
        if public_only {
            refused.extend(named(&PRIVATE));
        }
        refused.extend(
            deny.iter()
                .map(|n| (*n, "refused by --outbound-deny".to_owned())),
        );
        Self {
            refused,
            allowed: allow.to_vec(),
        }
    }

    /// `Err` with the reason when the server may not connect to `ip`.
    pub fn check(&self, ip: IpAddr) -> Result<(), String> {
        let ip = canonical(ip);
        if self.allowed.iter().any(|n| n.contains(&ip)) {
            return Ok(());
        }
        match self.refused.iter().find(|(n, _)| n.contains(&ip)) {
            Some((net, why)) => Err(format!(
                "{ip} is in {net} ({why}), which this server does not reach on a visitor's behalf"
            )),
            None => Ok(()),
        }
    }
}

/// An IPv4-mapped IPv6 address as the IPv4 address it carries.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn metadata_and_link_local_are_refused_by_default() {
        let p = AddressPolicy::default();
        for refused in [
            "169.254.169.254",
            "169.254.0.1",
            "fe80::1",
            "fd00:ec2::254",
            "100.100.100.200",
            "::ffff:169.254.169.254",
            "0.0.0.0",
            "::",
            "255.255.255.255",
            "224.0.0.1",
            "ff02::1",
        ] {
            let why = p.check(ip(refused)).unwrap_err();
            assert!(why.contains("does not reach"), "{refused}: {why}");
        }
        for allowed in [
            "127.0.0.1",
            "::1",
            "10.1.2.3",
            "192.168.1.1",
            "93.184.215.14",
            "2606:4700::1",
        ] {
            assert!(p.check(ip(allowed)).is_ok(), "{allowed}");
        }
    }

    #[test]
    fn public_only_refuses_loopback_and_private_networks() {
        let p = AddressPolicy::new(true, &[], &[]);
        for refused in [
            "127.0.0.1",
            "::1",
            "10.0.0.1",
            "172.20.0.1",
            "192.168.0.1",
            "100.64.0.1",
            "fd12::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(p.check(ip(refused)).is_err(), "{refused}");
        }
        assert!(p.check(ip("93.184.215.14")).is_ok());
    }

    #[test]
    fn the_operator_widens_and_narrows() {
        let deny: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap(), "0.0.0.0/0".parse().unwrap()];
        let allow: Vec<IpNet> = vec![
            "10.9.0.0/16".parse().unwrap(),
            "169.254.169.254/32".parse().unwrap(),
        ];
        let p = AddressPolicy::new(false, &deny, &allow);
        assert!(
            p.check(ip("10.1.0.1"))
                .unwrap_err()
                .contains("--outbound-deny")
        );
        assert!(p.check(ip("8.8.8.8")).is_err(), "0.0.0.0/0 turns IPv4 off");
        assert!(p.check(ip("10.9.1.1")).is_ok(), "allow wins");
        assert!(
            p.check(ip("169.254.169.254")).is_ok(),
            "named exceptions are the operator's call"
        );
        assert!(p.check(ip("169.254.1.1")).is_err());
    }
}
