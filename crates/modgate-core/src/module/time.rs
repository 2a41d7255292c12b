//! [`UtcTime`]: a UTC instant with one-second resolution, enough for
//! pseudo-version timestamps (`20060102150405`) and the RFC 3339 `Time`
//! fields of proxy `.info` files, without a date-time dependency.
//!
//! Dates are proleptic Gregorian, as in Go's `time` package; years are
//! limited to 0000–9999 so that both text forms are always four-digit and
//! round-trip. Validation of the 14-digit form matches Go's
//! `time.Parse("20060102150405", s)`: month 1–12, a day that exists in that
//! month, hour < 24, minute and second < 60.

use std::fmt;

/// A calendar date and time of day in UTC, to the second.
///
/// Fields are ordered so that the derived ordering is chronological.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UtcTime {
    /// Year, 0–9999.
    pub year: u16,
    /// Month, 1–12.
    pub month: u8,
    /// Day of the month, 1–31 (checked against the month's length).
    pub day: u8,
    /// Hour, 0–23.
    pub hour: u8,
    /// Minute, 0–59.
    pub minute: u8,
    /// Second, 0–59.
    pub second: u8,
}

/// Days from 0000-01-01 to the Unix epoch, 1970-01-01.
const UNIX_OFFSET_DAYS: i64 = 719_528;
const SECONDS_PER_DAY: i64 = 86_400;

impl UtcTime {
    /// Go's zero `time.Time`, 0001-01-01T00:00:00Z, which `ZeroPseudoVersion` uses.
    pub const GO_ZERO: UtcTime = UtcTime {
        year: 1,
        month: 1,
        day: 1,
        hour: 0,
        minute: 0,
        second: 0,
    };

    /// A time from its parts, or `None` if any part is out of range.
    pub fn new(year: u16, month: u8, day: u8, hour: u8, minute: u8, second: u8) -> Option<Self> {
        let ok = year <= 9999
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month)
            && hour < 24
            && minute < 60
            && second < 60;
        ok.then_some(UtcTime {
            year,
            month,
            day,
            hour,
            minute,
            second,
        })
    }

    /// Parses the 14-digit form `yyyymmddhhmmss` (Go layout `20060102150405`).
    pub fn parse_compact(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        if b.len() != 14 || !b.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let num = |r: std::ops::Range<usize>| {
            b[r].iter()
                .fold(0u16, |acc, &d| acc * 10 + u16::from(d - b'0'))
        };
        // Two-digit fields are below 100, so the narrowing casts are exact.
        UtcTime::new(
            num(0..4),
            num(4..6) as u8,
            num(6..8) as u8,
            num(8..10) as u8,
            num(10..12) as u8,
            num(12..14) as u8,
        )
    }

    /// Formats as `yyyymmddhhmmss` (Go layout `20060102150405`).
    pub fn format_compact(&self) -> String {
        format!(
            "{:04}{:02}{:02}{:02}{:02}{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }

    /// Parses RFC 3339 as Go's `time.Parse(time.RFC3339, s)` accepts it:
    /// `yyyy-mm-ddThh:mm:ss`, optional fractional seconds (dropped, since this
    /// type has one-second resolution), then `Z` or a `±hh:mm` offset, which
    /// is applied to give UTC. Returns `None` for anything else, or if the
    /// result falls outside years 0–9999.
    pub fn parse_rfc3339(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        let digits = |r: std::ops::Range<usize>| -> Option<u16> {
            let part = b.get(r)?;
            part.iter().try_fold(0u16, |acc, &d| {
                d.is_ascii_digit().then(|| acc * 10 + u16::from(d - b'0'))
            })
        };
        let sep = |i: usize, c: u8| b.get(i) == Some(&c);
        if !(sep(4, b'-') && sep(7, b'-') && sep(10, b'T') && sep(13, b':') && sep(16, b':')) {
            return None;
        }
        let t = UtcTime::new(
            digits(0..4)?,
            u8::try_from(digits(5..7)?).ok()?,
            u8::try_from(digits(8..10)?).ok()?,
            u8::try_from(digits(11..13)?).ok()?,
            u8::try_from(digits(14..16)?).ok()?,
            u8::try_from(digits(17..19)?).ok()?,
        )?;
        let mut rest = &s[19..];
        if let Some(frac) = rest.strip_prefix(['.', ',']) {
            let n = frac.bytes().take_while(u8::is_ascii_digit).count();
            if n == 0 {
                return None;
            }
            rest = &frac[n..];
        }
        let offset = match rest.as_bytes() {
            [b'Z'] => 0,
            [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
                let two = |a: u8, b: u8| -> Option<i64> {
                    (a.is_ascii_digit() && b.is_ascii_digit())
                        .then(|| i64::from(a - b'0') * 10 + i64::from(b - b'0'))
                };
                let (h, m) = (two(*h1, *h2)?, two(*m1, *m2)?);
                // Go's general parser tolerates offsets of 24 hours or 60 minutes.
                if h > 24 || m > 60 {
                    return None;
                }
                let secs = h * 3600 + m * 60;
                if *sign == b'-' { -secs } else { secs }
            }
            _ => return None,
        };
        UtcTime::from_unix(t.to_unix() - offset)
    }

    /// Formats as RFC 3339 in UTC, `yyyy-mm-ddThh:mm:ssZ` (Go's
    /// `t.UTC().Format(time.RFC3339)` for whole seconds).
    pub fn format_rfc3339(&self) -> String {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }

    /// Seconds since 1970-01-01T00:00:00Z (negative before), as Go's `t.Unix()`.
    pub fn to_unix(&self) -> i64 {
        let days = days_from_civil(
            i64::from(self.year),
            i64::from(self.month),
            i64::from(self.day),
        ) - UNIX_OFFSET_DAYS;
        days * SECONDS_PER_DAY
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
    }

    /// The time `secs` seconds after the Unix epoch, or `None` outside years 0–9999.
    pub fn from_unix(secs: i64) -> Option<Self> {
        let days = secs.div_euclid(SECONDS_PER_DAY);
        let rem = secs.rem_euclid(SECONDS_PER_DAY);
        let (y, m, d) = civil_from_days(days.checked_add(UNIX_OFFSET_DAYS)?);
        // rem < 86400, so the hour, minute and second fit in a u8.
        UtcTime::new(
            u16::try_from(y).ok()?,
            u8::try_from(m).ok()?,
            u8::try_from(d).ok()?,
            (rem / 3600) as u8,
            (rem % 3600 / 60) as u8,
            (rem % 60) as u8,
        )
    }
}

impl fmt::Display for UtcTime {
    /// RFC 3339, as [`UtcTime::format_rfc3339`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format_rfc3339())
    }
}

fn is_leap(year: u16) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 0000-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`, which counts from 0000-03-01 so leap days fall last).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    // era*146097 + doe counts from 0000-03-01; 0000-01-01 is 60 days earlier
    // (0000 is a leap year).
    era * 146_097 + doe + 60
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days - 60;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}
