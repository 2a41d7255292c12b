//! A per-upstream circuit breaker.
//!
//! After `threshold` consecutive failed fetches (errors other than "not found") the
//! breaker opens: for `cooldown` every fetch fails at once instead of waiting on a dead
//! upstream, so a `|` fallback moves on immediately and cached answers are served stale
//! without delay. When the cooldown ends one trial fetch is let through (half-open); its
//! success closes the breaker, its failure opens it again.

use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug)]
pub struct Breaker {
    threshold: u32,
    cooldown: Duration,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    failures: u32,
    open_until: Option<Instant>,
    trial_in_flight: bool,
}

/// Why the breaker refused a fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Open {
    pub failures: u32,
    pub retry_in: Duration,
}

impl Breaker {
    pub fn new(threshold: u32, cooldown: Duration) -> Breaker {
        Breaker {
            threshold: threshold.max(1),
            cooldown,
            state: Mutex::new(State::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Asks to make a fetch now: `Ok(true)` when it is the half-open trial (which
    /// must end in [`success`](Self::success), [`failure`](Self::failure) or
    /// [`abandon`](Self::abandon)).
    pub fn allow(&self) -> Result<bool, Open> {
        let mut s = self.lock();
        let Some(until) = s.open_until else {
            return Ok(false);
        };
        let now = Instant::now();
        if now < until || s.trial_in_flight {
            return Err(Open {
                failures: s.failures,
                retry_in: until.saturating_duration_since(now),
            });
        }
        s.trial_in_flight = true;
        Ok(true)
    }

    /// Records a fetch that reached a healthy upstream (including "not found").
    pub fn success(&self) {
        *self.lock() = State::default();
    }

    /// Records a failed fetch.
    pub fn failure(&self) {
        let mut s = self.lock();
        s.failures = s.failures.saturating_add(1);
        if s.trial_in_flight || s.failures >= self.threshold {
            s.open_until = Some(Instant::now() + self.cooldown);
        }
        s.trial_in_flight = false;
    }

    /// Records that the half-open trial was given up before it ended (another
    /// upstream answered first): it says nothing about the upstream, but the trial
    /// must not stay taken forever.
    pub fn abandon(&self) {
        self.lock().trial_in_flight = false;
    }

    /// Whether the breaker currently refuses fetches.
    pub fn is_open(&self) -> bool {
        let s = self.lock();
        s.open_until.is_some_and(|u| Instant::now() < u)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_threshold_and_recovers_through_one_trial() {
        let b = Breaker::new(3, Duration::from_millis(50));
        for _ in 0..2 {
            assert!(b.allow().is_ok());
            b.failure();
        }
        assert!(!b.is_open());
        b.success(); // a success resets the count
        for _ in 0..3 {
            assert!(b.allow().is_ok());
            b.failure();
        }
        assert!(b.is_open());
        let open = b.allow().unwrap_err();
        assert_eq!(open.failures, 3);
        assert!(open.retry_in <= Duration::from_millis(50));

        std::thread::sleep(Duration::from_millis(60));
        assert!(b.allow().is_ok(), "half-open lets one trial through");
        assert!(b.allow().is_err(), "but only one");
        b.failure(); // the trial failed: open again at once
        assert!(b.is_open());

        std::thread::sleep(Duration::from_millis(60));
        assert!(b.allow().is_ok());
        b.success();
        assert!(!b.is_open());
        assert!(b.allow().is_ok() && b.allow().is_ok());
    }

    #[test]
    fn an_abandoned_trial_lets_the_next_one_through() {
        let b = Breaker::new(1, Duration::from_millis(20));
        assert!(b.allow().is_ok());
        b.failure();
        std::thread::sleep(Duration::from_millis(30));
        assert_eq!(b.allow(), Ok(true), "the trial");
        assert!(b.allow().is_err());
        b.abandon();
        assert!(b.allow().is_ok(), "abandoned: another trial may go");
        b.success();
        assert!(!b.is_open());
    }
}
