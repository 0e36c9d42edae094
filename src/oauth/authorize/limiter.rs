//! Failed-login limits, per account and per client address, over a sliding window.
//!
//! RFC 9700 §4.x and common practice: slow down password guessing. After five failures for one
//! account, or twenty from one address, within five minutes, further attempts are refused
//! until the oldest failure leaves the window. The clock is the server's, so tests move it.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

const WINDOW: i64 = 300;
const PER_ACCOUNT: usize = 5;
const PER_ADDRESS: usize = 20;

/// The failure log.
#[derive(Debug, Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, VecDeque<i64>>>,
}

fn keys(username: &str, address: &str) -> [(String, usize); 2] {
    [
        (format!("user:{username}"), PER_ACCOUNT),
        (format!("addr:{address}"), PER_ADDRESS),
    ]
}

impl LoginLimiter {
    /// `Err(seconds)` to wait when either limit is reached.
    pub fn check(&self, username: &str, address: &str, now: i64) -> Result<(), i64> {
        let Ok(mut map) = self.failures.lock() else {
            return Ok(());
        };
        let mut wait = 0;
        for (key, limit) in keys(username, address) {
            if let Some(log) = map.get_mut(&key) {
                while log.front().is_some_and(|t| now - t >= WINDOW) {
                    log.pop_front();
                }
                if log.len() >= limit {
                    wait = wait.max(log.front().map_or(0, |t| t + WINDOW - now));
                }
            }
        }
        if wait > 0 { Err(wait) } else { Ok(()) }
    }

    /// Records a failure.
    pub fn fail(&self, username: &str, address: &str, now: i64) {
        let Ok(mut map) = self.failures.lock() else {
            return;
        };
        if map.len() > 100_000 {
            map.retain(|_, log| log.back().is_some_and(|t| now - t < WINDOW));
        }
        for (key, _) in keys(username, address) {
            map.entry(key).or_default().push_back(now);
        }
    }

    /// Forgets the account's failures after a successful sign-in.
    pub fn succeed(&self, username: &str) {
        if let Ok(mut map) = self.failures.lock() {
            map.remove(&format!("user:{username}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_lock_the_account_for_the_window() {
        let l = LoginLimiter::default();
        for i in 0..5 {
            assert!(l.check("alice", "1.2.3.4", 100 + i).is_ok());
            l.fail("alice", "1.2.3.4", 100 + i);
        }
        assert_eq!(l.check("alice", "5.6.7.8", 110), Err(290));
        assert!(
            l.check("bob", "5.6.7.8", 110).is_ok(),
            "other accounts are not affected"
        );
        assert!(
            l.check("alice", "5.6.7.8", 400).is_ok(),
            "the window slides"
        );
        l.succeed("alice");
        assert!(l.check("alice", "1.2.3.4", 110).is_ok());
    }

    #[test]
    fn twenty_failures_lock_the_address() {
        let l = LoginLimiter::default();
        for i in 0..20 {
            l.fail(&format!("user{i}"), "9.9.9.9", 100);
        }
        assert!(l.check("someone-new", "9.9.9.9", 101).is_err());
        assert!(l.check("someone-new", "1.1.1.1", 101).is_ok());
    }
}
