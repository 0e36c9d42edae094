//! Secret values, random generation and digests.
//!
//! A [`Secret`] never shows its value through `Debug` or `Display`, so it cannot reach a log line
//! by accident. Codes and tokens are high-entropy random values: they are stored as SHA-256
//! digests and looked up by digest, so the database never compares a secret byte by byte;
//! where two secrets are compared in memory, [`constant_time_eq`] does it.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use subtle::ConstantTimeEq;

/// A secret string (client secret, password, token). Its `Debug` is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// The operating system refused randomness. Nothing secret can be made without it, so the
/// request (or start-up) that needed it fails rather than carry a guessable value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the operating system refused randomness")]
pub struct NoRandomness;

/// Fills `buf` from the operating system's random source, or fails.
pub fn fill_random(buf: &mut [u8]) -> Result<(), NoRandomness> {
    getrandom::fill(buf).map_err(|_| {
        tracing::error!("the operating system refused randomness");
        NoRandomness
    })
}

/// `n` random bytes from the operating system, base64url without padding.
pub fn random_token(n: usize) -> Result<String, NoRandomness> {
    let mut buf = vec![0u8; n];
    fill_random(&mut buf)?;
    Ok(URL_SAFE_NO_PAD.encode(buf))
}

/// A 256-bit random secret or token value, base64url (43 characters).
pub fn new_secret() -> Result<Secret, NoRandomness> {
    random_token(32).map(Secret)
}

/// A unique, time-ordered identifier: 12 hex digits of milliseconds since the epoch, then 80
/// random bits in hex (32 characters). Identifiers made later sort later, so rows keyed by them
/// are appended to the end of their B-tree. Not a secret.
pub fn ordered_id() -> Result<String, NoRandomness> {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    let mut random = [0u8; 10];
    fill_random(&mut random)?;
    let mut id = format!("{:012x}", millis & 0xffff_ffff_ffff);
    for b in random {
        id.push_str(&format!("{b:02x}"));
    }
    Ok(id)
}

/// The SHA-256 digest of `value`, base64url: how token values are stored and looked up.
pub fn digest(value: &str) -> String {
    URL_SAFE_NO_PAD.encode(aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        value.as_bytes(),
    ))
}

/// True when `secret` is the one whose digest is `stored_hash`, compared in constant time: the
/// check of every `<handle>.<secret>` value (codes, device codes, tokens, sessions).
pub fn secret_matches(stored_hash: &str, secret: &str) -> bool {
    constant_time_eq(stored_hash.as_bytes(), digest(secret).as_bytes())
}

/// Compares two byte strings in time that depends only on their lengths.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), "Secret(***)");
    }

    #[test]
    fn tokens_are_long_and_distinct() {
        let a = random_token(32).unwrap();
        assert_eq!(a.len(), 43);
        assert_ne!(a, random_token(32).unwrap());
    }

    #[test]
    fn ordered_ids_sort_by_time_and_differ() {
        let a = ordered_id().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let b = ordered_id().unwrap();
        assert_eq!(a.len(), 32);
        assert!(a < b, "{a} {b}");
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
    }

    #[test]
    fn digest_is_sha256() {
        // SHA-256("abc"), base64url.
        assert_eq!(digest("abc"), "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
    }

    #[test]
    fn constant_time_eq_works() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
