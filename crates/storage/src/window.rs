//! Signing windows: presigned GET URLs are signed as of the start of the current window, so that every
//! request within a window gets the same URL (browsers and CDNs can cache the image), while each URL
//! still stays valid for at least three quarters of the requested time to live.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Utc};

use crate::{Result, StorageError};

/// Longest time to live SigV4 accepts (seven days); the local backend applies the same bound.
pub(crate) const MAX_TTL: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// The signing time and expiry of a presigned URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SigningWindow {
    /// When the URL is signed (start of the window), whole seconds.
    pub start: SystemTime,
    /// The time to live, whole seconds.
    pub ttl: Duration,
}

impl SigningWindow {
    /// The window containing `now` for URLs that live `ttl`: windows are `ttl / 4` long (at least one
    /// second) and aligned on the Unix epoch.
    pub fn containing(now: SystemTime, ttl: Duration) -> Result<Self> {
        let ttl = checked_ttl(ttl)?;
        let step = (ttl.as_secs() / 4).max(1);
        let now_secs = now
            .duration_since(UNIX_EPOCH)
            .map_err(|_| StorageError::Presign("the clock is before 1970".into()))?
            .as_secs();
        let start = UNIX_EPOCH + Duration::from_secs(now_secs - now_secs % step);
        Ok(Self { start, ttl })
    }

    /// A window starting exactly at `now` (rounded down to the second): for one-off URLs.
    pub fn starting(now: SystemTime, ttl: Duration) -> Result<Self> {
        let ttl = checked_ttl(ttl)?;
        let now_secs = now
            .duration_since(UNIX_EPOCH)
            .map_err(|_| StorageError::Presign("the clock is before 1970".into()))?
            .as_secs();
        Ok(Self {
            start: UNIX_EPOCH + Duration::from_secs(now_secs),
            ttl,
        })
    }

    /// When the URL stops working.
    pub fn expires_at(&self) -> SystemTime {
        self.start + self.ttl
    }

    /// [`Self::expires_at`] as a chrono time.
    pub fn expires_at_utc(&self) -> DateTime<Utc> {
        DateTime::<Utc>::from(self.expires_at())
    }

    /// [`Self::expires_at`] as Unix seconds.
    pub fn expires_unix(&self) -> i64 {
        self.expires_at_utc().timestamp()
    }
}

/// `ttl` in whole seconds, refusing zero and anything over [`MAX_TTL`].
fn checked_ttl(ttl: Duration) -> Result<Duration> {
    let secs = ttl.as_secs();
    if secs == 0 || ttl > MAX_TTL {
        return Err(StorageError::Presign(format!(
            "time to live must be between 1 second and {} seconds, got {ttl:?}",
            MAX_TTL.as_secs()
        )));
    }
    Ok(Duration::from_secs(secs))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn times_within_one_window_share_the_signing_time() {
        let ttl = Duration::from_secs(900);
        let a = SigningWindow::containing(at(1_800_000_000), ttl).unwrap();
        let b = SigningWindow::containing(at(1_800_000_224), ttl).unwrap();
        assert_eq!(a, b);
        let c = SigningWindow::containing(at(1_800_000_225), ttl).unwrap();
        assert_ne!(a, c);
    }

    #[test]
    fn a_url_lives_at_least_three_quarters_of_its_ttl() {
        let ttl = Duration::from_secs(900);
        for offset in 0..1000 {
            let now = at(1_800_000_000 + offset);
            let w = SigningWindow::containing(now, ttl).unwrap();
            let left = w.expires_at().duration_since(now).unwrap();
            assert!(left >= Duration::from_secs(675), "{left:?} at {offset}");
            assert!(w.start <= now);
        }
    }

    #[test]
    fn short_ttls_use_one_second_windows() {
        let w = SigningWindow::containing(at(1_000_000_003), Duration::from_secs(2)).unwrap();
        assert_eq!(w.start, at(1_000_000_003));
        assert_eq!(w.expires_unix(), 1_000_000_005);
    }

    #[test]
    fn zero_and_overlong_ttls_are_refused() {
        assert!(SigningWindow::containing(at(0), Duration::ZERO).is_err());
        assert!(SigningWindow::containing(at(0), MAX_TTL + Duration::from_secs(1)).is_err());
        assert!(SigningWindow::containing(at(0), MAX_TTL).is_ok());
    }
}
