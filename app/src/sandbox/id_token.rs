//! The ID token checks a client must run (OpenID Connect Core §3.1.3.7), run on the run's own
//! ID token so the learner sees each one pass or fail: the issuer, the audience and `azp`, the
//! expiry, the `nonce` the request sent, and `at_hash` against the access token that came with
//! it. The signature is checked against the JWKS by the token inspection.

use super::wire::CheckLine;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256, Sha384, Sha512};

/// What the client expects of its ID token.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Expected {
    pub issuer: String,
    pub client_id: String,
    /// The nonce of the authorization request, when one was sent.
    pub nonce: Option<String>,
    /// The access token issued with the ID token.
    pub access_token: Option<String>,
    /// Unix seconds.
    pub now: i64,
}

fn payload(jwt: &str) -> Option<(serde_json::Value, serde_json::Value)> {
    let mut parts = jwt.split('.');
    let mut part = || -> Option<serde_json::Value> {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts.next()?).ok()?).ok()
    };
    let header = part()?;
    let claims = part()?;
    Some((header, claims))
}

/// OpenID Core §3.1.3.6: "Hash the octets of the ASCII representation of the access_token with
/// the hash algorithm specified in JWA for the alg Header Parameter of the ID Token's JOSE
/// Header. [...] Take the left-most half of the hash and base64url-encode it."
pub fn at_hash(alg: &str, access_token: &str) -> String {
    let bytes = access_token.as_bytes();
    let digest: Vec<u8> = match &alg[alg.len().saturating_sub(3)..] {
        "384" => Sha384::digest(bytes).to_vec(),
        "512" => Sha512::digest(bytes).to_vec(),
        _ => Sha256::digest(bytes).to_vec(),
    };
    URL_SAFE_NO_PAD.encode(&digest[..digest.len() / 2])
}

fn line(name: String, rfc: &str, passed: bool) -> CheckLine {
    CheckLine {
        name,
        rfc: rfc.to_owned(),
        passed,
    }
}

/// The checks of `id_token` against `expected`, in the order of OpenID Core §3.1.3.7.
pub fn checks(id_token: &str, expected: &Expected) -> Vec<CheckLine> {
    let Some((header, claims)) = payload(id_token) else {
        return vec![line(
            "the ID token is a JWT (header.payload.signature)".into(),
            "OpenID Core §2",
            false,
        )];
    };
    let text = |name: &str| {
        claims
            .get(name)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    let iss = text("iss");
    out.push(line(
        format!("iss is this server's issuer ({iss})"),
        "OpenID Core §3.1.3.7 step 2",
        iss == expected.issuer,
    ));
    let audiences: Vec<&str> = match claims.get("aud") {
        Some(serde_json::Value::String(a)) => vec![a.as_str()],
        Some(serde_json::Value::Array(list)) => list.iter().filter_map(|v| v.as_str()).collect(),
        _ => Vec::new(),
    };
    out.push(line(
        format!("aud contains the client_id {}", expected.client_id),
        "OpenID Core §3.1.3.7 step 3",
        audiences.contains(&expected.client_id.as_str()),
    ));
    let azp = claims.get("azp").and_then(|v| v.as_str());
    out.push(match azp {
        Some(azp) => line(
            format!("azp is the client_id ({azp})"),
            "OpenID Core §3.1.3.7 step 5",
            azp == expected.client_id,
        ),
        None => line(
            "no azp, and only one audience, so none is needed".into(),
            "OpenID Core §3.1.3.7 step 4",
            audiences.len() == 1,
        ),
    });
    let exp = claims.get("exp").and_then(|v| v.as_i64()).unwrap_or(0);
    out.push(line(
        "exp is in the future".into(),
        "OpenID Core §3.1.3.7 step 9",
        exp > expected.now,
    ));
    if let Some(sent) = &expected.nonce {
        out.push(line(
            "nonce is the value the authorization request sent".into(),
            "OpenID Core §3.1.3.7 step 11",
            text("nonce") == sent,
        ));
    }
    if let Some(access) = &expected.access_token {
        let alg = header
            .get("alg")
            .and_then(|v| v.as_str())
            .unwrap_or("RS256");
        let got = text("at_hash");
        out.push(match got {
            "" => line(
                "at_hash is absent (optional in the code flow)".into(),
                "OpenID Core §3.3.2.11",
                true,
            ),
            got => line(
                "at_hash is the left half of the access token's hash".into(),
                "OpenID Core §3.1.3.6",
                got == at_hash(alg, access),
            ),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(claims: serde_json::Value) -> String {
        let enc = |v: serde_json::Value| URL_SAFE_NO_PAD.encode(v.to_string());
        format!(
            "{}.{}.sig",
            enc(serde_json::json!({"alg": "RS256"})),
            enc(claims)
        )
    }

    fn expected() -> Expected {
        Expected {
            issuer: "http://localhost".into(),
            client_id: "web-client".into(),
            nonce: Some("n-1".into()),
            access_token: Some("access".into()),
            now: 100,
        }
    }

    #[test]
    fn at_hash_matches_the_spec_example() {
        // OpenID Core Appendix A.3: the access token and at_hash of the RS256 example.
        assert_eq!(
            at_hash("RS256", "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"),
            "77QmUPtjPfzWtF2AnpK9RQ"
        );
    }

    #[test]
    fn a_good_token_passes_every_check() {
        let t = jwt(serde_json::json!({
            "iss": "http://localhost", "aud": "web-client", "exp": 200,
            "nonce": "n-1", "at_hash": at_hash("RS256", "access")
        }));
        let c = checks(&t, &expected());
        assert_eq!(c.len(), 6);
        assert!(c.iter().all(|l| l.passed), "{c:?}");
    }

    #[test]
    fn each_mismatch_fails_its_own_check() {
        let t = jwt(serde_json::json!({
            "iss": "http://evil", "aud": ["web-client", "other"], "exp": 50,
            "nonce": "replayed", "at_hash": "nope"
        }));
        let failed: Vec<_> = checks(&t, &expected())
            .into_iter()
            .filter(|l| !l.passed)
            .map(|l| l.rfc)
            .collect();
        assert_eq!(
            failed,
            [
                "OpenID Core §3.1.3.7 step 2",
                "OpenID Core §3.1.3.7 step 4",
                "OpenID Core §3.1.3.7 step 9",
                "OpenID Core §3.1.3.7 step 11",
                "OpenID Core §3.1.3.6"
            ]
        );
        assert!(!checks("not-a-jwt", &expected())[0].passed);
    }
}
