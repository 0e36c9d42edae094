//! Checks the registration form runs as you type. The server validates again on save and has
//! the last word; these exist so that a mistake is explained before it is sent.

/// How serious a remark is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// The server will refuse it.
    Error,
    /// Allowed, but think twice.
    Warning,
}

/// What is wrong with a redirect URI, if anything: absolute, no fragment, https or loopback
/// http (RFC 6749 §3.1.2, RFC 9700 §2.6, RFC 8252 §7.3); a private-use scheme is a warning.
pub fn redirect_uri(uri: &str) -> Option<(Level, String)> {
    let uri = uri.trim();
    let Some((scheme, rest)) = uri.split_once(':') else {
        return Some((
            Level::Error,
            format!("{uri:?} is relative; a redirect URI must be absolute (RFC 6749 §3.1.2)"),
        ));
    };
    let scheme_ok = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !scheme_ok || rest.is_empty() {
        return Some((
            Level::Error,
            format!("{uri:?} is not an absolute URI: it needs a scheme such as https://"),
        ));
    }
    if uri.contains('#') {
        return Some((
            Level::Error,
            "a redirect URI must not have a fragment (RFC 6749 §3.1.2)".into(),
        ));
    }
    let scheme = scheme.to_ascii_lowercase();
    let host = rest
        .trim_start_matches("//")
        .split(['/', '?'])
        .next()
        .unwrap_or_default();
    let host = host.rsplit('@').next().unwrap_or(host);
    let hostname = if host.starts_with('[') {
        host.split(']')
            .next()
            .map(|h| format!("{h}]"))
            .unwrap_or_default()
    } else {
        host.split(':').next().unwrap_or_default().to_owned()
    };
    let loopback = hostname.eq_ignore_ascii_case("localhost")
        || hostname.starts_with("127.")
        || hostname == "[::1]";
    match scheme.as_str() {
        "https" if !hostname.is_empty() => None,
        "https" => Some((Level::Error, "an https URI needs a host".into())),
        "http" if loopback => None,
        "http" => Some((
            Level::Error,
            "plain http is allowed only on loopback (localhost, 127.0.0.1, [::1]); use https (RFC 9700 §2.6)".into(),
        )),
        "javascript" | "data" | "file" | "vbscript" => Some((
            Level::Error,
            format!("{scheme}: is never a redirect target"),
        )),
        _ => Some((
            Level::Warning,
            format!(
                "{scheme}: is a private-use scheme, for a native app (RFC 8252 §7.1). Any app can claim it: prefer a claimed https URI, and use PKCE."
            ),
        )),
    }
}

/// Remarks on a combination of grant types and client type.
pub fn grants(grants: &[String], public: bool, require_pkce: bool) -> Vec<(Level, String)> {
    let has = |g: &str| grants.iter().any(|x| x == g);
    let mut out = Vec::new();
    if has("implicit") {
        out.push((
            Level::Warning,
            "implicit is legacy: RFC 9700 §2.1.2 says clients SHOULD NOT use it; use authorization_code with PKCE".into(),
        ));
        if !public {
            out.push((
                Level::Warning,
                "implicit on a confidential client is unsafe: the token travels in the URL and the secret is never used; a confidential client should use authorization_code".into(),
            ));
        }
    }
    if has("password") {
        out.push((
            Level::Warning,
            "password is legacy: RFC 9700 §2.4 says it MUST NOT be used; the client sees the user's password".into(),
        ));
    }
    if public && !require_pkce {
        out.push((
            Level::Error,
            "a public client without PKCE is unsafe: anyone who intercepts its code can redeem it (RFC 9700 §2.1.1)".into(),
        ));
    }
    if public && (has("client_credentials") || has("basic")) {
        out.push((
            Level::Error,
            "client_credentials and basic need a client secret, and a public client has none"
                .into(),
        ));
    }
    if grants.is_empty() {
        out.push((Level::Error, "choose at least one grant type".into()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_uris_are_checked_like_the_server_does() {
        for ok in [
            "https://app.example/cb",
            "http://127.0.0.1:8080/cb",
            "http://localhost/cb",
            "http://[::1]:9/cb",
        ] {
            assert_eq!(redirect_uri(ok), None, "{ok}");
        }
        for (bad, word) in [
            ("/callback", "relative"),
            ("https://app.example/cb#x", "fragment"),
            ("http://app.example/cb", "loopback"),
            ("javascript:alert(1)", "never"),
            ("https://", "host"),
        ] {
            let (level, message) = redirect_uri(bad).unwrap();
            assert_eq!(level, Level::Error, "{bad}");
            assert!(message.contains(word), "{bad}: {message}");
        }
        assert_eq!(
            redirect_uri("com.example.app:/cb").unwrap().0,
            Level::Warning
        );
    }

    #[test]
    fn legacy_and_unsafe_grants_are_named() {
        let g = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let remarks = grants(&g(&["implicit"]), false, true);
        assert_eq!(remarks.len(), 2);
        assert!(
            grants(&g(&["password"]), false, true)[0]
                .1
                .contains("MUST NOT")
        );
        assert!(
            grants(&g(&["authorization_code"]), true, false)[0]
                .1
                .contains("PKCE")
        );
        assert!(grants(&g(&["authorization_code"]), true, true).is_empty());
    }
}
