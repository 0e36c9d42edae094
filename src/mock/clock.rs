//! The mock mode's clock: the server's own clock moved by an offset, or stopped, on command
//! (`POST /mock/clock`), so that codes and tokens expire when a test says so.

use crate::clock::Clock;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

/// Stands for "running" in `frozen_at`.
const RUNNING: i64 = i64::MIN;

/// A clock over another: `base + offset` while running, a fixed instant while frozen.
#[derive(Debug)]
pub struct MockClock {
    base: Arc<dyn Clock>,
    offset: AtomicI64,
    frozen_at: AtomicI64,
    /// Serialises the writers; readers only load.
    write: Mutex<()>,
}

/// What the clock says now, for the control API.
#[derive(Debug, serde::Serialize)]
pub struct ClockState {
    pub now: i64,
    pub frozen: bool,
    pub offset_seconds: i64,
}

impl MockClock {
    /// A running clock over `base`, not moved.
    pub fn over(base: Arc<dyn Clock>) -> Arc<Self> {
        Arc::new(Self {
            base,
            offset: AtomicI64::new(0),
            frozen_at: AtomicI64::new(RUNNING),
            write: Mutex::new(()),
        })
    }

    fn guard(&self) -> std::sync::MutexGuard<'_, ()> {
        self.write.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Moves the clock forward by `seconds`, running or frozen.
    pub fn advance(&self, seconds: i64) {
        let _guard = self.guard();
        let frozen = self.frozen_at.load(Ordering::SeqCst);
        if frozen == RUNNING {
            self.offset.fetch_add(seconds, Ordering::SeqCst);
        } else {
            self.frozen_at
                .store(frozen.saturating_add(seconds), Ordering::SeqCst);
        }
    }

    /// Stops the clock where it stands, or lets it run on from there.
    pub fn freeze(&self, on: bool) {
        let _guard = self.guard();
        let frozen = self.frozen_at.load(Ordering::SeqCst);
        if on && frozen == RUNNING {
            let now = self.base.now() + self.offset.load(Ordering::SeqCst);
            self.frozen_at.store(now, Ordering::SeqCst);
        } else if !on && frozen != RUNNING {
            // The offset first, so that a reader never sees the base without it.
            self.offset
                .store(frozen - self.base.now(), Ordering::SeqCst);
            self.frozen_at.store(RUNNING, Ordering::SeqCst);
        }
    }

    /// Back to the server's own time, running.
    pub fn reset(&self) {
        let _guard = self.guard();
        self.frozen_at.store(RUNNING, Ordering::SeqCst);
        self.offset.store(0, Ordering::SeqCst);
    }

    /// Now, frozen or not, and how far from the server's own time.
    pub fn state(&self) -> ClockState {
        let now = self.now();
        ClockState {
            now,
            frozen: self.frozen_at.load(Ordering::SeqCst) != RUNNING,
            offset_seconds: now - self.base.now(),
        }
    }
}

impl Clock for MockClock {
    fn now(&self) -> i64 {
        match self.frozen_at.load(Ordering::SeqCst) {
            RUNNING => self.base.now() + self.offset.load(Ordering::SeqCst),
            frozen => frozen,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;

    #[test]
    fn advances_freezes_and_runs_on_from_where_it_stood() {
        let base = ManualClock::new(1000);
        let clock = MockClock::over(base.clone());
        clock.advance(60);
        assert_eq!(clock.now(), 1060);
        clock.freeze(true);
        base.advance(10);
        assert_eq!(clock.now(), 1060, "a frozen clock stands still");
        clock.advance(5);
        assert_eq!(clock.now(), 1065);
        clock.freeze(false);
        assert_eq!(clock.now(), 1065, "it runs on from where it stood");
        base.advance(1);
        assert_eq!(clock.now(), 1066);
        assert_eq!(clock.state().offset_seconds, 55);
        clock.reset();
        assert_eq!(clock.now(), 1011);
    }
}
