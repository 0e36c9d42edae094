//! One throttle for every credential check: sign-in forms, the password grant, client secrets
//! at the token, introspection and revocation endpoints, HTTP Basic at the admin REST API and
//! at the demo API.
//!
//! RFC 6749 §4.3.2: "Since this access token request utilizes the resource owner's password,
//! the authorization server MUST protect the endpoint against brute force attacks (e.g., using
//! rate-limitation or generating alerts)." RFC 6749 §10.10 asks the same for every credential.
//!
//! Only failures count, so the success path pays one map lookup per key and nothing else. Three
//! GCRA limiters (governor) count failures, keyed by:
//! - the pair (account, address): the strict one, so a stranger locks out only themselves;
//! - the address alone: one address spraying many accounts;
//! - the account alone, far more gently: a distributed guess at one account.
//!
//! When a failure does not conform to a limiter's quota, its key is blocked until governor says
//! the next failure could conform; a blocked key is answered 429 with `Retry-After` before any
//! credential is checked. The right credentials work again once the window passes. Time comes
//! from the server's [`Clock`], so tests move a clock instead of sleeping.

use crate::clock::Clock;
use governor::clock::Reference;
use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// What a credential belongs to. Accounts are shared by every place a person signs in, so a
/// wrong password at the password grant counts against the same account as one at the form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject<'a> {
    /// A user account (resource owner, developer or admin), by username.
    Account(&'a str),
    /// A client, by client id.
    Client(&'a str),
    /// A bearer credential of this server's own (an initial access token), by its handle.
    Token(&'a str),
    /// A device flow user code typed on the verification page (RFC 8628 §5.1), as typed.
    UserCode(&'a str),
}

impl Subject<'_> {
    fn key(self) -> String {
        match self {
            Subject::Account(name) => format!("account:{name}"),
            Subject::Client(id) => format!("client:{id}"),
            Subject::Token(handle) => format!("token:{handle}"),
            Subject::UserCode(code) => format!("user-code:{code}"),
        }
    }
}

/// The caller must wait this many seconds (at least one) before trying again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("too many failed attempts; try again in {retry_after} seconds")]
pub struct Throttled {
    pub retry_after: u64,
}

/// How many failures each key may have before it is blocked, and how fast they are forgiven.
#[derive(Clone, Copy, Debug)]
pub struct Policy {
    /// Failures of one account (or client) from one address.
    pub pair: Limit,
    /// Failures from one address, whatever the account.
    pub address: Limit,
    /// Failures of one account, from every address together.
    pub account: Limit,
}

/// `failures` in a row are allowed; after that, one more every `forgive_one_every` seconds.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    pub failures: u32,
    pub forgive_one_every: u64,
}

impl Default for Policy {
    /// Five guesses per account and address, then one a minute; a hundred from one address,
    /// then one every three seconds; a hundred at one account from everywhere, then one every
    /// 36 seconds (a hundred an hour).
    fn default() -> Self {
        Self {
            pair: Limit {
                failures: 5,
                forgive_one_every: 60,
            },
            address: Limit {
                failures: 100,
                forgive_one_every: 3,
            },
            account: Limit {
                failures: 100,
                forgive_one_every: 36,
            },
        }
    }
}

/// The server's clock as governor sees it.
#[derive(Clone, Debug)]
struct ServerClock(Arc<dyn Clock>);

impl governor::clock::Clock for ServerClock {
    type Instant = Nanos;
    fn now(&self) -> Nanos {
        let seconds = u64::try_from(self.0.now()).unwrap_or(0);
        Nanos::from(seconds.saturating_mul(1_000_000_000))
    }
}

/// A governor instant on the server's clock, as Unix seconds (rounded up).
fn unix_seconds(at: Nanos) -> i64 {
    let seconds = at
        .duration_since(Nanos::from(0))
        .as_u64()
        .div_ceil(1_000_000_000);
    i64::try_from(seconds).unwrap_or(i64::MAX)
}

type Limiter =
    RateLimiter<String, DefaultKeyedStateStore<String>, ServerClock, NoOpMiddleware<Nanos>>;

/// At most this many blocked keys are remembered; past it, expired ones are swept.
const MAX_BLOCKED: usize = 100_000;

/// Learner workspaces one address may open: thirty at once, then one every two minutes. Each
/// costs an argon2 hash and a row until it is collected.
const NEW_WORKSPACES: Limit = Limit {
    // The limiter blocks at the count it is given, so 31 lets thirty through.
    failures: 31,
    forgive_one_every: 120,
};

/// Requests the sandbox relays to other servers for one address: a hundred at once, then one a
/// second. The relay is a way out of this host; nobody may turn it into a flood.
const RELAYED: Limit = Limit {
    failures: 101,
    forgive_one_every: 1,
};

/// Device codes one address may ask for (RFC 8628 §3.1): thirty at once, then one every ten
/// seconds. Each is a row until it expires; a TV asks for one per sign-in.
const NEW_DEVICE_CODES: Limit = Limit {
    failures: 31,
    forgive_one_every: 10,
};

/// The failure throttle.
pub struct Throttle {
    clock: Arc<dyn Clock>,
    pair: Limiter,
    address: Limiter,
    account: Limiter,
    /// New learner workspaces per address: not failures, every one counts.
    workspaces: Limiter,
    /// Requests relayed to other servers per address: every one counts.
    relayed: Limiter,
    /// Device codes asked for per address: every one counts.
    device_codes: Limiter,
    /// Keys whose last failure did not conform, and until when (Unix seconds) they are blocked.
    blocked: RwLock<HashMap<String, i64>>,
}

impl std::fmt::Debug for Throttle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Throttle").finish_non_exhaustive()
    }
}

fn limiter(limit: Limit, clock: &ServerClock) -> Limiter {
    // A failure that does not conform blocks the key, so the quota allows one fewer than the
    // number of failures that may be made before the next attempt is refused.
    let burst = NonZeroU32::new(limit.failures.saturating_sub(1).max(1)).unwrap_or(NonZeroU32::MIN);
    let quota = Quota::with_period(Duration::from_secs(limit.forgive_one_every.max(1)))
        .unwrap_or_else(|| Quota::per_minute(NonZeroU32::MIN))
        .allow_burst(burst);
    RateLimiter::dashmap_with_clock(quota, clock.clone())
}

impl Throttle {
    /// A throttle with `policy` on `clock`.
    pub fn new(clock: Arc<dyn Clock>, policy: Policy) -> Self {
        let governor_clock = ServerClock(clock.clone());
        Self {
            pair: limiter(policy.pair, &governor_clock),
            address: limiter(policy.address, &governor_clock),
            account: limiter(policy.account, &governor_clock),
            workspaces: limiter(NEW_WORKSPACES, &governor_clock),
            relayed: limiter(RELAYED, &governor_clock),
            device_codes: limiter(NEW_DEVICE_CODES, &governor_clock),
            clock,
            blocked: RwLock::new(HashMap::new()),
        }
    }

    fn keys(subject: Subject<'_>, address: &str) -> [String; 3] {
        let subject = subject.key();
        [
            format!("pair:{subject}|{address}"),
            format!("address:{address}"),
            subject,
        ]
    }

    /// `Err` when `subject` from `address` must wait before its credential is even checked.
    pub fn check(&self, subject: Subject<'_>, address: &str) -> Result<(), Throttled> {
        // The success path: a shared read of a map that is empty unless someone is failing.
        let Ok(blocked) = self.blocked.read() else {
            return Ok(());
        };
        if blocked.is_empty() {
            return Ok(());
        }
        let now = self.clock.now();
        let until = Self::keys(subject, address)
            .iter()
            .filter_map(|k| blocked.get(k).copied())
            .max()
            .unwrap_or(0);
        if until > now {
            Err(Throttled {
                retry_after: u64::try_from(until - now).unwrap_or(1).max(1),
            })
        } else {
            Ok(())
        }
    }

    /// Counts a failed credential check.
    pub fn fail(&self, subject: Subject<'_>, address: &str) {
        let [pair, by_address, by_account] = Self::keys(subject, address);
        let refused: Vec<(String, i64)> = [
            (&self.pair, pair),
            (&self.address, by_address),
            (&self.account, by_account),
        ]
        .into_iter()
        .filter_map(|(limiter, key)| {
            let not_until = limiter.check_key(&key).err()?;
            Some((key, unix_seconds(not_until.earliest_possible())))
        })
        .collect();
        if refused.is_empty() {
            return;
        }
        let Ok(mut blocked) = self.blocked.write() else {
            return;
        };
        let now = self.clock.now();
        if blocked.len() >= MAX_BLOCKED {
            blocked.retain(|_, until| *until > now);
        }
        for (key, until) in refused {
            let entry = blocked.entry(key).or_insert(until);
            *entry = (*entry).max(until);
        }
    }

    /// Counts a new learner workspace opened from `address`; `Err` when that address has opened
    /// too many lately (nothing is counted then).
    pub fn new_workspace(&self, address: &str) -> Result<(), Throttled> {
        self.count(&self.workspaces, &format!("workspace:{address}"))
    }

    /// Counts a request the sandbox relays to another server for `address`; `Err` when that
    /// address has relayed too many lately (nothing is sent then).
    pub fn relay(&self, address: &str) -> Result<(), Throttled> {
        self.count(&self.relayed, &format!("relay:{address}"))
    }

    /// Counts an unknown opaque token that `address` made the demo API introspect at a trusted
    /// issuer; `Err` when that address has sent too many lately (nothing is sent then).
    pub fn introspection(&self, address: &str) -> Result<(), Throttled> {
        self.count(&self.relayed, &format!("introspect:{address}"))
    }

    /// Counts a device code asked for from `address`; `Err` when that address has asked for too
    /// many lately (nothing is issued then).
    pub fn new_device_code(&self, address: &str) -> Result<(), Throttled> {
        self.count(&self.device_codes, &format!("device:{address}"))
    }

    /// Counts one event of `key` in `limiter`, or says how long to wait.
    fn count(&self, limiter: &Limiter, key: &str) -> Result<(), Throttled> {
        let not_until = match limiter.check_key(&key.to_owned()) {
            Ok(()) => return Ok(()),
            Err(n) => n,
        };
        let wait = unix_seconds(not_until.earliest_possible()) - self.clock.now();
        Err(Throttled {
            retry_after: u64::try_from(wait).unwrap_or(1).max(1),
        })
    }

    /// Forgets state that no longer matters: expired blocks and keys back at a fresh state.
    pub fn sweep(&self) {
        let now = self.clock.now();
        if let Ok(mut blocked) = self.blocked.write() {
            blocked.retain(|_, until| *until > now);
        }
        for limiter in [
            &self.pair,
            &self.address,
            &self.account,
            &self.workspaces,
            &self.relayed,
            &self.device_codes,
        ] {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;

    fn throttle() -> (Arc<ManualClock>, Throttle) {
        let clock = ManualClock::new(1_000_000);
        let t = Throttle::new(clock.clone(), Policy::default());
        (clock, t)
    }

    #[test]
    fn five_failures_from_one_address_then_wait_then_work_again() {
        let (clock, t) = throttle();
        let alice = Subject::Account("alice");
        for _ in 0..5 {
            assert_eq!(t.check(alice, "1.1.1.1"), Ok(()));
            t.fail(alice, "1.1.1.1");
        }
        let Err(wait) = t.check(alice, "1.1.1.1") else {
            panic!("the sixth attempt must be throttled");
        };
        assert!((1..=60).contains(&wait.retry_after), "{wait:?}");
        // Another address is not locked out by the stranger's guesses.
        assert_eq!(t.check(alice, "2.2.2.2"), Ok(()));
        // Another account from the same address is not either.
        assert_eq!(t.check(Subject::Account("bob"), "1.1.1.1"), Ok(()));
        clock.advance(i64::try_from(wait.retry_after).unwrap());
        assert_eq!(t.check(alice, "1.1.1.1"), Ok(()));
    }

    #[test]
    fn clients_and_accounts_of_one_name_are_apart() {
        let (_, t) = throttle();
        for _ in 0..5 {
            t.fail(Subject::Client("x"), "1.1.1.1");
        }
        assert!(t.check(Subject::Client("x"), "1.1.1.1").is_err());
        assert_eq!(t.check(Subject::Account("x"), "1.1.1.1"), Ok(()));
    }

    #[test]
    fn one_address_spraying_many_accounts_is_throttled() {
        let (_, t) = throttle();
        for i in 0..100 {
            t.fail(Subject::Account(&format!("user{i}")), "9.9.9.9");
        }
        assert!(t.check(Subject::Account("fresh"), "9.9.9.9").is_err());
        assert_eq!(t.check(Subject::Account("fresh"), "8.8.8.8"), Ok(()));
    }

    #[test]
    fn the_account_alone_is_throttled_far_more_gently() {
        let (_, t) = throttle();
        let admin = Subject::Account("admin");
        // Four guesses from each of 24 addresses: no pair is blocked, the account is not yet.
        for i in 0..24 {
            for _ in 0..4 {
                t.fail(admin, &format!("10.0.0.{i}"));
            }
        }
        assert_eq!(t.check(admin, "10.0.1.1"), Ok(()));
        for i in 24..30 {
            for _ in 0..4 {
                t.fail(admin, &format!("10.0.0.{i}"));
            }
        }
        assert!(t.check(admin, "10.0.1.1").is_err());
    }

    #[test]
    fn sweep_forgets_expired_blocks() {
        let (clock, t) = throttle();
        for _ in 0..5 {
            t.fail(Subject::Account("a"), "1.1.1.1");
        }
        clock.advance(3600);
        t.sweep();
        assert!(t.blocked.read().unwrap().is_empty());
        assert_eq!(t.check(Subject::Account("a"), "1.1.1.1"), Ok(()));
    }
}
