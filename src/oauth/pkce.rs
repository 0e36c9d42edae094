//! Proof Key for Code Exchange (RFC 7636).

use crate::secret::constant_time_eq;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// How the challenge was derived from the verifier (§4.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Method {
    /// `code_challenge = BASE64URL(SHA256(ASCII(code_verifier)))`.
    S256,
    /// `code_challenge = code_verifier`. Only for clients that explicitly allow it.
    Plain,
}

impl Method {
    /// Parses `code_challenge_method`. §4.3: "Defaults to "plain" if not present in the
    /// request."
    pub fn parse(value: Option<&str>) -> Option<Self> {
        match value {
            None | Some("plain") => Some(Method::Plain),
            Some("S256") => Some(Method::S256),
            Some(_) => None,
        }
    }

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::S256 => "S256",
            Method::Plain => "plain",
        }
    }
}

/// §4.1: `code-verifier = 43*128unreserved`, `unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~"`.
/// §4.2 gives the challenge the same alphabet and length.
pub fn is_well_formed(value: &str) -> bool {
    (43..=128).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// The S256 challenge of a verifier.
pub fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        verifier.as_bytes(),
    ))
}

/// §4.6: the server "verifies it by calculating the code challenge from the received
/// "code_verifier" and comparing it with the previously associated "code_challenge"".
pub fn verify(method: Method, challenge: &str, verifier: &str) -> bool {
    let derived = match method {
        Method::S256 => s256(verifier),
        Method::Plain => verifier.to_owned(),
    };
    constant_time_eq(derived.as_bytes(), challenge.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b_vector() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert_eq!(
            s256(verifier),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert!(verify(
            Method::S256,
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            verifier
        ));
        assert!(!verify(
            Method::S256,
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cN",
            verifier
        ));
        assert!(verify(Method::Plain, verifier, verifier));
    }

    #[test]
    fn verifier_format_table() {
        let cases = [
            ("a".repeat(42), false),
            ("a".repeat(43), true),
            ("a".repeat(128), true),
            ("a".repeat(129), false),
            (format!("{}~._-", "A1".repeat(20)), true),
            (format!("{}+", "a".repeat(43)), false),
            (format!("{} ", "a".repeat(43)), false),
            (format!("{}é", "a".repeat(43)), false),
        ];
        for (v, ok) in cases {
            assert_eq!(is_well_formed(&v), ok, "{v}");
        }
    }

    #[test]
    fn method_parsing() {
        assert_eq!(Method::parse(None), Some(Method::Plain));
        assert_eq!(Method::parse(Some("S256")), Some(Method::S256));
        assert_eq!(Method::parse(Some("s256")), None);
    }
}
