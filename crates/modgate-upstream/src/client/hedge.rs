//! When to hedge: each HTTP upstream's recent time to response headers, per file
//! kind, and the delay after which a request still without an answer is also sent to
//! the next proxy of a `|` list.
//!
//! The adaptive delay is the 95th percentile of the last [`WINDOW`] successful
//! header times of that upstream for that kind (a request hedged later than most
//! answers arrive costs little extra load), never below [`FLOOR`]; until
//! [`MIN_SAMPLES`] answers have been seen it is [`DEFAULT`]. An attempt cancelled
//! because a hedge won is recorded with the time it had waited: a lower bound of its
//! real latency, so that a slow upstream's percentile is not computed only from its
//! fast answers.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use super::FileKind;

/// Samples kept per kind.
pub const WINDOW: usize = 64;
/// Samples needed before the percentile is trusted.
pub const MIN_SAMPLES: usize = 16;
/// The delay before enough samples exist.
pub const DEFAULT: Duration = Duration::from_millis(500);
/// The adaptive delay is never shorter than this.
pub const FLOOR: Duration = Duration::from_millis(50);

const KINDS: usize = 7;

fn slot(kind: FileKind) -> usize {
    match kind {
        FileKind::List => 0,
        FileKind::Info => 1,
        FileKind::Latest => 2,
        FileKind::Mod => 3,
        FileKind::Zip => 4,
        FileKind::Sumdb => 5,
        FileKind::Vuln => 6,
    }
}

/// Recent times to response headers of one upstream.
#[derive(Debug, Default)]
pub struct Latency {
    // Boxed: kept small inside `Upstream`.
    samples: Mutex<Box<[VecDeque<Duration>; KINDS]>>,
}

impl Latency {
    pub fn record(&self, kind: FileKind, d: Duration) {
        let mut s = self.samples.lock().unwrap_or_else(|p| p.into_inner());
        let q = &mut s[slot(kind)];
        if q.len() == WINDOW {
            q.pop_front();
        }
        q.push_back(d);
    }

    /// The 95th percentile (nearest rank) once [`MIN_SAMPLES`] are known.
    pub fn p95(&self, kind: FileKind) -> Option<Duration> {
        let mut v: Vec<Duration> = {
            let s = self.samples.lock().unwrap_or_else(|p| p.into_inner());
            s[slot(kind)].iter().copied().collect()
        };
        if v.len() < MIN_SAMPLES {
            return None;
        }
        v.sort_unstable();
        let rank = (v.len() * 95).div_ceil(100);
        Some(v[rank.saturating_sub(1)])
    }

    /// The adaptive hedge delay for `kind`.
    pub fn adaptive_delay(&self, kind: FileKind) -> Duration {
        self.p95(kind).map_or(DEFAULT, |p| p.max(FLOOR))
    }
}

/// The delay for a request to `latency`'s upstream: `None` when hedging is off
/// (`configured` is zero).
pub fn delay(configured: Option<Duration>, latency: &Latency, kind: FileKind) -> Option<Duration> {
    match configured {
        Some(d) if d.is_zero() => None,
        Some(d) => Some(d),
        None => Some(latency.adaptive_delay(kind)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adaptive_delay_is_the_p95_with_a_default_and_a_floor() {
        let l = Latency::default();
        assert_eq!(l.adaptive_delay(FileKind::Mod), DEFAULT);
        // 0.1 s to 2 s: the 95th percentile by nearest rank is the 19th value.
        for ms in 1..=20 {
            l.record(FileKind::Mod, Duration::from_millis(ms * 100));
        }
        assert_eq!(l.p95(FileKind::Mod), Some(Duration::from_millis(1900)));
        assert_eq!(l.adaptive_delay(FileKind::Mod), Duration::from_millis(1900));
        // Kinds are kept apart.
        assert_eq!(l.adaptive_delay(FileKind::Zip), DEFAULT);
        // Fast answers: the floor.
        for _ in 0..WINDOW {
            l.record(FileKind::Info, Duration::from_millis(2));
        }
        assert_eq!(l.adaptive_delay(FileKind::Info), FLOOR);
        // Only the last WINDOW samples count.
        for _ in 0..WINDOW {
            l.record(FileKind::Mod, Duration::from_millis(300));
        }
        assert_eq!(l.p95(FileKind::Mod), Some(Duration::from_millis(300)));
    }

    #[test]
    fn zero_turns_hedging_off_and_a_fixed_delay_wins() {
        let l = Latency::default();
        assert_eq!(delay(Some(Duration::ZERO), &l, FileKind::Zip), None);
        assert_eq!(
            delay(Some(Duration::from_millis(70)), &l, FileKind::Zip),
            Some(Duration::from_millis(70))
        );
        assert_eq!(delay(None, &l, FileKind::Zip), Some(DEFAULT));
    }
}
