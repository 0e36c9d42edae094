//! Signing keys: generated at first start, persisted, published in the JWKS, rotated.
//!
//! RS256 (RSA-2048) by default, ES256 (P-256) on request. The `kid` is the key's RFC 7638 JWK
//! thumbprint. Rotation makes a new key the signer; older keys stay in the JWKS and keep
//! verifying until they are retired.
//!
//! Signing uses an aws-lc-rs key pair parsed once at load. (jsonwebtoken's own `encode`
//! re-parses and re-validates the private key on every call, which tripled the cost of an RS256
//! signature.) Verification and JWK handling stay with jsonwebtoken.

use crate::storage::{self, Db, keys::StoredKey};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{Jwk, JwkSet, PublicKeyUse, ThumbprintHash};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header};
use std::sync::{Arc, RwLock};

/// The algorithm new keys use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SigningAlg {
    /// RSASSA-PKCS1-v1_5 with SHA-256, RSA-2048.
    #[value(name = "RS256")]
    Rs256,
    /// ECDSA P-256 with SHA-256.
    #[value(name = "ES256")]
    Es256,
}

impl SigningAlg {
    /// The JOSE name.
    pub fn as_str(self) -> &'static str {
        match self {
            SigningAlg::Rs256 => "RS256",
            SigningAlg::Es256 => "ES256",
        }
    }

    fn algorithm(self) -> Algorithm {
        match self {
            SigningAlg::Rs256 => Algorithm::RS256,
            SigningAlg::Es256 => Algorithm::ES256,
        }
    }

    fn parse(name: &str) -> Option<Self> {
        match name {
            "RS256" => Some(SigningAlg::Rs256),
            "ES256" => Some(SigningAlg::Es256),
            _ => None,
        }
    }
}

/// A key failure.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("key generation failed")]
    Generate,
    #[error("stored key {0} cannot be loaded: {1}")]
    Load(String, String),
    #[error(transparent)]
    Storage(#[from] storage::StorageError),
}

/// A parsed private key, ready to sign.
enum KeyPair {
    Rsa(aws_lc_rs::rsa::KeyPair),
    Ec(aws_lc_rs::signature::EcdsaKeyPair),
}

/// A loaded key: it signs (when active) and verifies.
pub struct SigningKey {
    pub kid: String,
    pub alg: SigningAlg,
    pair: KeyPair,
    pub decoding: DecodingKey,
    pub jwk: Jwk,
    pub created_at: i64,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// The JOSE algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.alg.algorithm()
    }

    /// Signs `claims` as a JWS in compact serialization (RFC 7515 §7.1):
    /// `BASE64URL(header) "." BASE64URL(payload) "." BASE64URL(signature)`. The header's `alg`
    /// and `kid` are this key's.
    pub fn sign<T: serde::Serialize>(&self, header: Header, claims: &T) -> Result<String, String> {
        self.sign_as(header, claims, &self.kid)
    }

    /// Signs like [`SigningKey::sign`] but names `kid` in the header: the sandbox's test issuer
    /// uses it to show a key id that its key set does not hold.
    pub fn sign_as<T: serde::Serialize>(
        &self,
        mut header: Header,
        claims: &T,
        kid: &str,
    ) -> Result<String, String> {
        header.alg = self.algorithm();
        header.kid = Some(kid.to_owned());
        let header = serde_json::to_vec(&header).map_err(|e| e.to_string())?;
        let claims = serde_json::to_vec(claims).map_err(|e| e.to_string())?;
        let mut jws = URL_SAFE_NO_PAD.encode(header);
        jws.push('.');
        jws.push_str(&URL_SAFE_NO_PAD.encode(claims));
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let signature = match &self.pair {
            KeyPair::Rsa(pair) => {
                let mut out = vec![0u8; pair.public_modulus_len()];
                pair.sign(
                    &aws_lc_rs::signature::RSA_PKCS1_SHA256,
                    &rng,
                    jws.as_bytes(),
                    &mut out,
                )
                .map_err(|_| "RSA signing failed".to_owned())?;
                out
            }
            KeyPair::Ec(pair) => pair
                .sign(&rng, jws.as_bytes())
                .map_err(|_| "ECDSA signing failed".to_owned())?
                .as_ref()
                .to_vec(),
        };
        jws.push('.');
        jws.push_str(&URL_SAFE_NO_PAD.encode(signature));
        Ok(jws)
    }
}

/// The keys in force at one moment.
#[derive(Debug)]
pub struct KeySet {
    /// The signer.
    pub active: Arc<SigningKey>,
    /// Every live key, the active one included, newest first.
    pub all: Vec<Arc<SigningKey>>,
}

impl KeySet {
    /// The live key with this `kid`.
    pub fn find(&self, kid: &str) -> Option<&Arc<SigningKey>> {
        self.all.iter().find(|k| k.kid == kid)
    }

    /// The public JWKS document.
    pub fn jwks(&self) -> JwkSet {
        JwkSet {
            keys: self.all.iter().map(|k| k.jwk.clone()).collect(),
        }
    }
}

fn generate(alg: SigningAlg) -> Result<Vec<u8>, KeyError> {
    use aws_lc_rs::encoding::AsDer;
    match alg {
        SigningAlg::Rs256 => {
            let pair = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048)
                .map_err(|_| KeyError::Generate)?;
            let der: aws_lc_rs::encoding::Pkcs8V1Der =
                pair.as_der().map_err(|_| KeyError::Generate)?;
            Ok(der.as_ref().to_vec())
        }
        SigningAlg::Es256 => {
            let pair = aws_lc_rs::signature::EcdsaKeyPair::generate(
                &aws_lc_rs::signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            )
            .map_err(|_| KeyError::Generate)?;
            let der = pair.to_pkcs8v1().map_err(|_| KeyError::Generate)?;
            Ok(der.as_ref().to_vec())
        }
    }
}

/// Builds the signing and verifying halves and the public JWK from a PKCS#8 private key.
fn load(alg: SigningAlg, pkcs8: &[u8], created_at: i64) -> Result<SigningKey, String> {
    let (encoding, pair) = match alg {
        // jsonwebtoken takes RSA private keys as PKCS#1: unwrap the PKCS#8 envelope.
        SigningAlg::Rs256 => {
            let info = pkcs8::PrivateKeyInfo::try_from(pkcs8).map_err(|e| e.to_string())?;
            let pair = aws_lc_rs::rsa::KeyPair::from_pkcs8(pkcs8).map_err(|e| e.to_string())?;
            (
                EncodingKey::from_rsa_der(info.private_key),
                KeyPair::Rsa(pair),
            )
        }
        SigningAlg::Es256 => {
            let pair = aws_lc_rs::signature::EcdsaKeyPair::from_pkcs8(
                &aws_lc_rs::signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                pkcs8,
            )
            .map_err(|e| e.to_string())?;
            (EncodingKey::from_ec_der(pkcs8), KeyPair::Ec(pair))
        }
    };
    let mut jwk = Jwk::from_encoding_key(&encoding, alg.algorithm()).map_err(|e| e.to_string())?;
    let kid = jwk
        .thumbprint(ThumbprintHash::SHA256)
        .map_err(|e| e.to_string())?;
    jwk.common.key_id = Some(kid.clone());
    jwk.common.public_key_use = Some(PublicKeyUse::Signature);
    let decoding = DecodingKey::from_jwk(&jwk).map_err(|e| e.to_string())?;
    Ok(SigningKey {
        kid,
        alg,
        pair,
        decoding,
        jwk,
        created_at,
    })
}

impl SigningKey {
    /// The public key as PEM (`-----BEGIN PUBLIC KEY-----`, SubjectPublicKeyInfo), for an RSA
    /// key.
    pub fn public_pem(&self) -> Option<String> {
        use aws_lc_rs::encoding::{AsDer, PublicKeyX509Der};
        use aws_lc_rs::signature::KeyPair as _;
        let KeyPair::Rsa(pair) = &self.pair else {
            return None;
        };
        let der: PublicKeyX509Der<'static> = pair.public_key().as_der().ok()?;
        let body = base64::engine::general_purpose::STANDARD.encode(der.as_ref());
        let mut pem = String::from("-----BEGIN PUBLIC KEY-----\n");
        for line in body.as_bytes().chunks(64) {
            pem.push_str(std::str::from_utf8(line).ok()?);
            pem.push('\n');
        }
        pem.push_str("-----END PUBLIC KEY-----\n");
        Some(pem)
    }

    /// Generates a new key of `alg` that is not stored anywhere (for benchmarks and tests).
    pub fn generate(alg: SigningAlg, now: i64) -> Result<Self, KeyError> {
        let der = generate(alg)?;
        load(alg, &der, now).map_err(|e| KeyError::Load("new".into(), e))
    }
}

/// The live keys, shared by every request and swapped whole on rotation.
#[derive(Debug)]
pub struct KeyRing {
    current: RwLock<Arc<KeySet>>,
    /// The keys' change counter (`storage::counters`) when `current` was read.
    seen: std::sync::atomic::AtomicI64,
}

impl KeyRing {
    /// Loads the live keys; creates an active key of `alg` when there is none, or when the
    /// active key uses another algorithm (the old key keeps verifying).
    pub async fn load_or_create(db: &Db, alg: SigningAlg, now: i64) -> Result<Self, KeyError> {
        let stored = storage::keys::list_live(db).await?;
        let active_alg = stored.iter().find(|k| k.active).map(|k| k.alg.clone());
        if active_alg.as_deref() != Some(alg.as_str())
            && let Err(e) = Self::create_active(db, alg, now).await
        {
            // Another node starting at the same moment made one first: use it.
            let made = storage::keys::list_live(db).await?;
            if !made.iter().any(|k| k.active && k.alg == alg.as_str()) {
                return Err(e);
            }
        }
        let seen = storage::counters::read_all(db).await?.keys;
        let set = Self::read_set(db).await?;
        Ok(Self {
            current: RwLock::new(Arc::new(set)),
            seen: std::sync::atomic::AtomicI64::new(seen),
        })
    }

    async fn create_active(db: &Db, alg: SigningAlg, now: i64) -> Result<String, KeyError> {
        let der = tokio::task::spawn_blocking(move || generate(alg))
            .await
            .map_err(|_| KeyError::Generate)??;
        let key = load(alg, &der, now).map_err(|e| KeyError::Load("new".into(), e))?;
        let stored = StoredKey {
            kid: key.kid.clone(),
            alg: alg.as_str().into(),
            private_der: der,
            created_at: now,
            active: true,
        };
        storage::keys::insert_active(db, &stored).await?;
        tracing::info!(kid = %key.kid, alg = alg.as_str(), "created a new signing key");
        Ok(key.kid)
    }

    async fn read_set(db: &Db) -> Result<KeySet, KeyError> {
        let mut active = None;
        let mut all = Vec::new();
        for stored in storage::keys::list_live(db).await? {
            let alg = SigningAlg::parse(&stored.alg).ok_or_else(|| {
                KeyError::Load(stored.kid.clone(), format!("unknown alg {}", stored.alg))
            })?;
            let mut key = load(alg, &stored.private_der, stored.created_at)
                .map_err(|e| KeyError::Load(stored.kid.clone(), e))?;
            // A generated key's kid is its thumbprint; a seeded key keeps the kid its seed
            // file gave it, so the JWKS is the same on every run.
            if key.kid != stored.kid {
                key.jwk.common.key_id = Some(stored.kid.clone());
                key.kid = stored.kid.clone();
            }
            let key = Arc::new(key);
            if stored.active {
                active = Some(key.clone());
            }
            all.push(key);
        }
        let active = active.ok_or_else(|| KeyError::Load("-".into(), "no active key".into()))?;
        Ok(KeySet { active, all })
    }

    /// The keys in force now.
    pub fn current(&self) -> Arc<KeySet> {
        match self.current.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn replace(&self, set: KeySet) {
        match self.current.write() {
            Ok(mut guard) => *guard = Arc::new(set),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(set),
        }
    }

    /// Reads the live keys again (after the mock mode's reset wrote them anew).
    pub async fn reload(&self, db: &Db) -> Result<(), KeyError> {
        self.replace(Self::read_set(db).await?);
        Ok(())
    }

    /// Reads the live keys again when another node (or this one) changed them since they were
    /// last read: one read of their change counter otherwise. Returns true when it reloaded.
    pub async fn refresh(&self, db: &Db) -> Result<bool, KeyError> {
        use std::sync::atomic::Ordering;
        let now = storage::counters::read_all(db).await?.keys;
        if self.seen.load(Ordering::SeqCst) == now {
            return Ok(false);
        }
        self.replace(Self::read_set(db).await?);
        self.seen.store(now, Ordering::SeqCst);
        Ok(true)
    }

    /// Makes a new key of `alg` the signer; returns its `kid`.
    pub async fn rotate(&self, db: &Db, alg: SigningAlg, now: i64) -> Result<String, KeyError> {
        let kid = Self::create_active(db, alg, now).await?;
        self.replace(Self::read_set(db).await?);
        Ok(kid)
    }

    /// Retires a key that no longer signs; tokens it signed stop verifying.
    pub async fn retire(&self, db: &Db, kid: &str, now: i64) -> Result<bool, KeyError> {
        let retired = storage::keys::retire(db, kid, now).await?;
        if retired {
            self.replace(Self::read_set(db).await?);
        }
        Ok(retired)
    }
}
