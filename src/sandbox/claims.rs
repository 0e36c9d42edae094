//! A JWT's header and claims as the pages show them: each registered claim with a line of help
//! and the RFC behind it, times in words.

use app::sandbox::wire::ClaimLine;

/// A JSON object of a token.
pub type JsonObject = serde_json::Map<String, serde_json::Value>;

/// The header and claims of a JWS compact serialization (three base64url segments, the first two
/// JSON objects); `None` for anything else. Nothing is verified.
pub fn decode_jwt(token: &str) -> Option<(JsonObject, JsonObject)> {
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 {
        return None;
    }
    let decode = crate::trust::segment;
    Some((decode(parts[0])?, decode(parts[1])?))
}

/// A short explanation of each registered claim and header parameter.
fn help(name: &str) -> &'static str {
    match name {
        "alg" => "The signing algorithm (RFC 7515 §4.1.1).",
        "typ" => "The token type; at+jwt marks an access token (RFC 9068 §2.1).",
        "kid" => "Which published key signed it (RFC 7515 §4.1.4).",
        "iss" => "Who issued it: this server's issuer URL (RFC 7519 §4.1.1).",
        "sub" => "Whom it is about: the user, or the client itself (RFC 7519 §4.1.2).",
        "aud" => {
            "Who should accept it: the API for an access token, the client for an ID token (RFC 7519 §4.1.3)."
        }
        "exp" => "When it expires (RFC 7519 §4.1.4).",
        "nbf" => "Not valid before this time (RFC 7519 §4.1.5).",
        "iat" => "When it was issued (RFC 7519 §4.1.6).",
        "jti" => "Its unique id; the server uses it to revoke the token (RFC 7519 §4.1.7).",
        "client_id" => "The client it was issued to (RFC 9068 §2.2).",
        "scope" => "What it allows (RFC 9068 §2.2.3).",
        "auth_time" => "When the user signed in (OIDC Core §2).",
        "nonce" => "The value the client sent, echoed to stop replay (OIDC Core §2).",
        "at_hash" => "Half a SHA-256 of the access token, binding the two (OIDC Core §3.1.3.6).",
        "azp" => "The party it was issued to (OIDC Core §2).",
        "name" => "The user's full name (OIDC Core §5.1, scope profile).",
        "given_name" => "The user's given name (OIDC Core §5.1, scope profile).",
        "family_name" => "The user's family name (OIDC Core §5.1, scope profile).",
        "preferred_username" => "The name the user goes by (OIDC Core §5.1, scope profile).",
        "email" => "The user's e-mail address (OIDC Core §5.1, scope email).",
        "email_verified" => "Whether the server checked that address (OIDC Core §5.1).",
        "acr" => "How strongly the user authenticated (OIDC Core §2).",
        "amr" => "How the user authenticated: pwd, otp, … (OIDC Core §2).",
        "sid" => "The session the token belongs to (OIDC Front-Channel Logout §3).",
        _ => "",
    }
}

/// The lines of a decoded header or claim set, each with its help and, for a time, the time
/// in words.
pub fn claim_lines(map: &serde_json::Map<String, serde_json::Value>) -> Vec<ClaimLine> {
    map.iter()
        .map(|(name, value)| ClaimLine {
            name: name.clone(),
            value: match value {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            },
            help: help(name).to_owned(),
            when: matches!(name.as_str(), "exp" | "iat" | "nbf" | "auth_time")
                .then(|| value.as_i64().map(crate::clock::rfc3339))
                .flatten(),
        })
        .collect()
}
