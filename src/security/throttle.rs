//! One throttle for every credential check: sign-in forms, the password grant, client secrets
//! at the token, introspection and revocation endpoints, HTTP Basic at the admin REST API and
//! at the demo API.
//!
//! RFC 6749 §4.3.2: "Since this access token request utilizes the resource owner's password,
//! the authorization server MUST protect the endpoint against brute force attacks (e.g., using
//! rate-limitation or generating alerts)." RFC 6749 §10.10 asks the same for every credential.
//!
//! Only failures count, so the success path pays one map lookup per key and nothing else. Three
//! GCRA counters count failures, keyed by:
//! - the pair (account, address): the strict one, so a stranger locks out only themselves;
//! - the address alone: one address spraying many accounts;
//! - the account alone, far more gently: a distributed guess at one account.
//!
//! When a failure does not conform to a counter's quota, its key is blocked until the next
//! failure could conform; a blocked key is answered 429 with `Retry-After` before any
//! credential is checked. The right credentials work again once the window passes. Time comes
//! from the server's [`Clock`], so tests move a clock instead of sleeping.
//!
//! Several nodes share one count: the counters and the blocks are rows
//! ([`crate::storage::throttle`]), so N nodes give an attacker the attempts of one. A failure
//! is counted in the database, and the node that counted it refuses the key at once; every
//! other node reads the blocks each [`crate::WATCH_EVERY`] ([`Throttle::refresh`]), and until
//! then refuses the key after its own first failure for it, which the database says does not
//! conform. So beyond one node's quota an attacker gets at most one more attempt per other
//! node, within one second. The success path reads no row.

use crate::clock::Clock;
use crate::storage::{self, Db, throttle::Rate};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

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

/// What one counter allows, as the database counts it.
fn rate(limit: Limit) -> Rate {
    // A failure that does not conform blocks the key, so the quota allows one fewer than the
    // number of failures that may be made before the next attempt is refused.
    let burst = i64::from(limit.failures.saturating_sub(1).max(1));
    let period = i64::try_from(limit.forgive_one_every.max(1)).unwrap_or(i64::MAX / 4);
    Rate {
        period,
        tolerance: (burst - 1).saturating_mul(period),
    }
}

/// At most this many blocked keys are remembered; past it, expired ones are swept.
const MAX_BLOCKED: usize = 100_000;

/// Learner workspaces one address may open: thirty at once, then one every two minutes. Each
/// costs an argon2 hash and a row until it is collected.
const NEW_WORKSPACES: Limit = Limit {
    // The counter blocks at the count it is given, so 31 lets thirty through.
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
    db: Db,
    clock: Arc<dyn Clock>,
    policy: Policy,
    /// Keys (digests) whose last failure did not conform, and until when (Unix seconds) they
    /// are blocked: this node's own, and every node's as of the last [`Throttle::refresh`].
    blocked: RwLock<HashMap<String, i64>>,
}

impl std::fmt::Debug for Throttle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Throttle").finish_non_exhaustive()
    }
}

/// The stored key of what a counter counts: a digest, so a key is short whatever was typed and
/// the database holds no username or address in the clear (a digest is not a secret: an
/// address can be found from its digest by trying them all).
fn key(what: &str) -> String {
    crate::secret::digest(what)
}

impl Throttle {
    /// A throttle with `policy` on `clock`, counting in `db`.
    pub fn new(db: Db, clock: Arc<dyn Clock>, policy: Policy) -> Self {
        Self {
            db,
            clock,
            policy,
            blocked: RwLock::new(HashMap::new()),
        }
    }

    fn keys(subject: Subject<'_>, address: &str) -> [String; 3] {
        let subject = subject.key();
        [
            key(&format!("pair:{subject}|{address}")),
            key(&format!("address:{address}")),
            key(&subject),
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
        drop(blocked);
        wait_until(until, now)
    }

    /// Counts a failed credential check, in every node's count. A failure the database could
    /// not count is logged: the credential it concerned was refused all the same.
    pub async fn fail(&self, subject: Subject<'_>, address: &str) {
        let [pair, by_address, by_account] = Self::keys(subject, address);
        let now = self.clock.now();
        for (limit, key) in [
            (self.policy.pair, pair),
            (self.policy.address, by_address),
            (self.policy.account, by_account),
        ] {
            let until = match storage::throttle::count(&self.db, &key, now, rate(limit)).await {
                Ok(Ok(())) => continue,
                Ok(Err(until)) => until,
                Err(e) => {
                    tracing::warn!(error = %e, "counting a failed credential check");
                    continue;
                }
            };
            self.remember(key.clone(), until, now);
            if let Err(e) = storage::throttle::block(&self.db, &key, until).await {
                tracing::warn!(error = %e, "sharing a throttle block");
            }
        }
    }

    /// Blocks `key` on this node until `until`.
    fn remember(&self, key: String, until: i64, now: i64) {
        let Ok(mut blocked) = self.blocked.write() else {
            return;
        };
        if blocked.len() >= MAX_BLOCKED {
            blocked.retain(|_, until| *until > now);
        }
        let entry = blocked.entry(key).or_insert(until);
        *entry = (*entry).max(until);
    }

    /// Reads every node's blocks into this node's, so a key blocked elsewhere is refused here
    /// before its credential is checked. Called each [`crate::WATCH_EVERY`].
    pub async fn refresh(&self) -> crate::storage::StorageResult<()> {
        let now = self.clock.now();
        let shared = storage::throttle::blocks(&self.db, now, MAX_BLOCKED as i64).await?;
        if let Ok(mut blocked) = self.blocked.write() {
            blocked.retain(|_, until| *until > now);
            for (key, until) in shared {
                let entry = blocked.entry(key).or_insert(until);
                *entry = (*entry).max(until);
            }
        }
        Ok(())
    }

    /// Counts a new learner workspace opened from `address`; `Err` when that address has opened
    /// too many lately (nothing is counted then).
    pub async fn new_workspace(&self, address: &str) -> Result<(), Throttled> {
        self.count(NEW_WORKSPACES, &format!("workspace:{address}"))
            .await
    }

    /// Counts a request the sandbox relays to another server for `address`; `Err` when that
    /// address has relayed too many lately (nothing is sent then).
    pub async fn relay(&self, address: &str) -> Result<(), Throttled> {
        self.count(RELAYED, &format!("relay:{address}")).await
    }

    /// Counts an unknown opaque token that `address` made the demo API introspect at a trusted
    /// issuer; `Err` when that address has sent too many lately (nothing is sent then).
    pub async fn introspection(&self, address: &str) -> Result<(), Throttled> {
        self.count(RELAYED, &format!("introspect:{address}")).await
    }

    /// Counts a device code asked for from `address`; `Err` when that address has asked for too
    /// many lately (nothing is issued then).
    pub async fn new_device_code(&self, address: &str) -> Result<(), Throttled> {
        self.count(NEW_DEVICE_CODES, &format!("device:{address}"))
            .await
    }

    /// Counts one event of `what` under `limit`, or says how long to wait. When the database
    /// cannot count, the event is refused for a second: these guard work, not a credential.
    async fn count(&self, limit: Limit, what: &str) -> Result<(), Throttled> {
        let now = self.clock.now();
        match storage::throttle::count(&self.db, &key(what), now, rate(limit)).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(until)) => wait_until(until, now),
            Err(e) => {
                tracing::warn!(error = %e, "counting an event in the throttle");
                Err(Throttled { retry_after: 1 })
            }
        }
    }

    /// Forgets this node's expired blocks; the collector deletes the rows.
    pub fn sweep(&self) {
        let now = self.clock.now();
        if let Ok(mut blocked) = self.blocked.write() {
            blocked.retain(|_, until| *until > now);
        }
    }
}

/// `Ok` when `until` has passed at `now`; otherwise the whole seconds (at least one) to wait.
fn wait_until(until: i64, now: i64) -> Result<(), Throttled> {
    if until > now {
        Err(Throttled {
            retry_after: u64::try_from(until - now).unwrap_or(1).max(1),
        })
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;

    async fn throttle() -> (Arc<ManualClock>, Db, Throttle) {
        let clock = ManualClock::new(1_000_000);
        let db = Db::open("sqlite::memory:").await.unwrap();
        let t = Throttle::new(db.clone(), clock.clone(), Policy::default());
        (clock, db, t)
    }

    #[tokio::test]
    async fn five_failures_from_one_address_then_wait_then_work_again() {
        let (clock, _, t) = throttle().await;
        let alice = Subject::Account("alice");
        for _ in 0..5 {
            assert_eq!(t.check(alice, "1.1.1.1"), Ok(()));
            t.fail(alice, "1.1.1.1").await;
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
        // Forgiven one failure: the next one blocks again, for a minute.
        t.fail(alice, "1.1.1.1").await;
        assert_eq!(t.check(alice, "1.1.1.1"), Ok(()));
        t.fail(alice, "1.1.1.1").await;
        assert_eq!(
            t.check(alice, "1.1.1.1"),
            Err(Throttled { retry_after: 60 })
        );
    }

    #[tokio::test]
    async fn clients_and_accounts_of_one_name_are_apart() {
        let (_, _, t) = throttle().await;
        for _ in 0..5 {
            t.fail(Subject::Client("x"), "1.1.1.1").await;
        }
        assert!(t.check(Subject::Client("x"), "1.1.1.1").is_err());
        assert_eq!(t.check(Subject::Account("x"), "1.1.1.1"), Ok(()));
    }

    #[tokio::test]
    async fn one_address_spraying_many_accounts_is_throttled() {
        let (_, _, t) = throttle().await;
        for i in 0..100 {
            t.fail(Subject::Account(&format!("user{i}")), "9.9.9.9")
                .await;
        }
        assert!(t.check(Subject::Account("fresh"), "9.9.9.9").is_err());
        assert_eq!(t.check(Subject::Account("fresh"), "8.8.8.8"), Ok(()));
    }

    #[tokio::test]
    async fn the_account_alone_is_throttled_far_more_gently() {
        let (_, _, t) = throttle().await;
        let admin = Subject::Account("admin");
        // Four guesses from each of 24 addresses: no pair is blocked, the account is not yet.
        for i in 0..24 {
            for _ in 0..4 {
                t.fail(admin, &format!("10.0.0.{i}")).await;
            }
        }
        assert_eq!(t.check(admin, "10.0.1.1"), Ok(()));
        for i in 24..30 {
            for _ in 0..4 {
                t.fail(admin, &format!("10.0.0.{i}")).await;
            }
        }
        assert!(t.check(admin, "10.0.1.1").is_err());
    }

    #[tokio::test]
    async fn two_nodes_on_one_database_count_together() {
        let (clock, db, a) = throttle().await;
        let b = Throttle::new(db.clone(), clock.clone(), Policy::default());
        let alice = Subject::Account("alice");
        // Three failures on one node and two on the other are five in all.
        for _ in 0..3 {
            a.fail(alice, "1.1.1.1").await;
        }
        b.fail(alice, "1.1.1.1").await;
        assert_eq!(a.check(alice, "1.1.1.1"), Ok(()));
        assert_eq!(b.check(alice, "1.1.1.1"), Ok(()));
        b.fail(alice, "1.1.1.1").await;
        // The node that counted the fifth refuses at once; the other after its next refresh.
        assert!(b.check(alice, "1.1.1.1").is_err());
        assert_eq!(a.check(alice, "1.1.1.1"), Ok(()));
        a.refresh().await.unwrap();
        assert_eq!(a.check(alice, "1.1.1.1"), b.check(alice, "1.1.1.1"));
        // Without a refresh, the other node's own next failure finds the block in the count.
        let c = Throttle::new(db, clock.clone(), Policy::default());
        assert_eq!(c.check(alice, "1.1.1.1"), Ok(()));
        c.fail(alice, "1.1.1.1").await;
        assert!(c.check(alice, "1.1.1.1").is_err());
    }

    #[tokio::test]
    async fn events_count_every_one_and_are_refused_past_the_burst() {
        let (clock, _, t) = throttle().await;
        for _ in 0..30 {
            assert_eq!(t.new_workspace("1.1.1.1").await, Ok(()));
        }
        assert_eq!(
            t.new_workspace("1.1.1.1").await,
            Err(Throttled { retry_after: 120 })
        );
        // A refused event is not counted: two minutes forgive exactly one.
        clock.advance(120);
        assert_eq!(t.new_workspace("1.1.1.1").await, Ok(()));
        assert!(t.new_workspace("1.1.1.1").await.is_err());
        assert_eq!(t.new_workspace("2.2.2.2").await, Ok(()));
    }

    #[tokio::test]
    async fn the_database_holds_digests_not_names_and_the_collector_empties_it() {
        let (clock, db, t) = throttle().await;
        for _ in 0..5 {
            t.fail(Subject::Account("alice"), "1.1.1.1").await;
        }
        let keys: Vec<(String,)> = sqlx::query_as(
            "SELECT key FROM throttle_cells UNION ALL SELECT key FROM throttle_blocks",
        )
        .fetch_all(db.pool())
        .await
        .unwrap();
        assert_eq!(keys.len(), 4, "three cells and the pair's block");
        for (k,) in &keys {
            assert_eq!(k.len(), 43, "{k}");
            assert!(!k.contains("alice") && !k.contains("1.1.1.1"), "{k}");
        }
        clock.advance(3600);
        t.sweep();
        assert!(t.blocked.read().unwrap().is_empty());
        let collected = crate::storage::collect::Collector::default()
            .collect(&db, clock.now(), 86_400, 10)
            .await
            .unwrap();
        assert_eq!(collected.throttle, 4);
        assert_eq!(t.check(Subject::Account("alice"), "1.1.1.1"), Ok(()));
    }
}
