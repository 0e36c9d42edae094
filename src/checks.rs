//! Named checks a request went through, with the RFC section behind each, for the sandbox to
//! show on its exchange cards.
//!
//! The protocol code calls [`record`] at each decision. Outside a [`traced`] scope that is a
//! no-op; the sandbox wraps the requests it sends in [`traced`] and gets the list back. The log
//! is task-local, so concurrent requests never mix.

use std::cell::RefCell;
use std::future::Future;

/// One check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    pub name: String,
    pub rfc: &'static str,
    pub passed: bool,
}

tokio::task_local! {
    static LOG: RefCell<Vec<Check>>;
}

/// A check as the sandbox's cards show it.
impl From<Check> for app::sandbox::wire::CheckLine {
    fn from(c: Check) -> Self {
        Self {
            name: c.name,
            rfc: c.rfc.to_owned(),
            passed: c.passed,
        }
    }
}

/// Records a check, when someone is listening.
pub fn record(name: impl Into<String>, rfc: &'static str, passed: bool) {
    let _ = LOG.try_with(|log| {
        log.borrow_mut().push(Check {
            name: name.into(),
            rfc,
            passed,
        })
    });
}

/// Records `passed` for a check and returns it, for use in conditions.
pub fn check(name: &'static str, rfc: &'static str, passed: bool) -> bool {
    record(name, rfc, passed);
    passed
}

/// Runs `future` and returns its output with the checks it recorded.
pub async fn traced<F: Future>(future: F) -> (F::Output, Vec<Check>) {
    LOG.scope(RefCell::new(Vec::new()), async move {
        let out = future.await;
        let checks = LOG.with(|log| log.take());
        (out, checks)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn records_inside_a_scope_only() {
        record("outside", "-", true);
        let (value, checks) = traced(async {
            record("a", "RFC 1", true);
            tokio::task::yield_now().await;
            check("b", "RFC 2", false)
        })
        .await;
        assert!(!value);
        assert_eq!(
            checks
                .iter()
                .map(|c| (c.name.as_str(), c.passed))
                .collect::<Vec<_>>(),
            vec![("a", true), ("b", false)]
        );
    }
}
