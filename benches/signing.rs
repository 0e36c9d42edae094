//! The signing limit of this machine: RS256 and ES256 JWT access tokens signed per second on
//! every core at once, with the same signer the token endpoint uses. `scripts/bench` compares
//! the token endpoint's JWT throughput with this number.
//!
//!     cargo bench --bench signing [-- seconds]

use jsonwebtoken::Header;
use oauth_sandbox::oauth::keys::{SigningAlg, SigningKey};
use oauth_sandbox::oauth::tokens::AccessClaims;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn claims(n: u64) -> AccessClaims {
    AccessClaims {
        iss: "http://127.0.0.1:3000".into(),
        sub: "service-client".into(),
        aud: "http://127.0.0.1:3000/fhir".into(),
        client_id: "service-client".into(),
        iat: 1_800_000_000,
        exp: 1_800_003_600,
        jti: format!("{n:032x}"),
        scope: "patient.read".into(),
        extra: Default::default(),
    }
}

fn measure(key: Arc<SigningKey>, threads: usize, seconds: u64) -> f64 {
    let start = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let key = key.clone();
            std::thread::spawn(move || {
                let mut n = 0u64;
                let deadline = Instant::now() + Duration::from_secs(seconds);
                while Instant::now() < deadline {
                    let header = Header {
                        typ: Some("at+jwt".into()),
                        ..Header::default()
                    };
                    if key.sign(header, &claims(n)).is_err() {
                        break;
                    }
                    n += 1;
                }
                n
            })
        })
        .collect();
    let total: u64 = handles.into_iter().map(|h| h.join().unwrap_or(0)).sum();
    total as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    let seconds = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(3);
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    for alg in [SigningAlg::Rs256, SigningAlg::Es256] {
        let Ok(key) = SigningKey::generate(alg, 0) else {
            eprintln!("could not generate a {} key", alg.as_str());
            continue;
        };
        let key = Arc::new(key);
        let one = measure(key.clone(), 1, seconds);
        let all = measure(key, cores, seconds);
        println!(
            "{} signing: {:.0}/s on 1 core ({:.3} ms each), {:.0}/s on {cores} cores",
            alg.as_str(),
            one,
            1000.0 / one,
            all
        );
    }
}
