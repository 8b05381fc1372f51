//! Every conversion of a [`Duration`] for libzmq, in one place: socket
//! options, `poll`, the timed calls (`recv_msg_timeout`...), the proxy's
//! statistics, the reactor and the async sockets all use these.
//!
//! libzmq counts in milliseconds, in a C `int` for socket options and in a
//! C `long` for `zmq_poll` (which narrows it to an `int` inside, and sleeps
//! with `usleep(ms * 1000)`, 32 bits, when it has nothing to poll). So:
//! - milliseconds are rounded **up**: a sub-millisecond timeout must not
//!   become 0, which libzmq reads as "don't wait at all";
//! - a socket option that cannot hold a duration refuses it
//!   ([`ErrorKind::InvalidArgument`](crate::ErrorKind::InvalidArgument));
//! - a *wait* longer than libzmq can take in one call is done in slices
//!   of at most [`LONGEST_WAIT_MS`] against a [`Deadline`], and a deadline
//!   past what `Instant` can represent (`Duration::MAX`) is "never".

use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// The longest wait handed to libzmq in one call: `i32::MAX` ms (24.8 days),
/// what its poll functions hold without overflow on every target (`long`
/// is 32 bits on Windows).
pub(crate) const LONGEST_WAIT_MS: i32 = i32::MAX;

/// Milliseconds of a duration, rounded *up*.
#[inline]
pub(crate) fn ceil_millis(d: Duration) -> u128 {
    d.as_nanos().div_ceil(1_000_000)
}

/// A socket option's milliseconds as a C `int`, rounded up; too long a
/// duration is [`ErrorKind::InvalidArgument`](crate::ErrorKind::InvalidArgument).
pub(crate) fn option_millis(d: Duration) -> Result<i32> {
    i32::try_from(ceil_millis(d)).map_err(|_| Error::from(crate::ErrorKind::InvalidArgument))
}

/// A socket option's whole seconds as a C `int`; a fraction of a second,
/// or too long a duration, is [`ErrorKind::InvalidArgument`](crate::ErrorKind::InvalidArgument).
pub(crate) fn option_seconds(d: Duration) -> Result<i32> {
    if d.subsec_nanos() != 0 {
        return Err(Error::from(crate::ErrorKind::InvalidArgument));
    }
    i32::try_from(d.as_secs()).map_err(|_| Error::from(crate::ErrorKind::InvalidArgument))
}

/// One wait of libzmq's: `-1` for forever, else the milliseconds rounded
/// up and clamped to [`LONGEST_WAIT_MS`] (the caller waits again for the
/// rest: see [`Deadline`]).
#[inline]
pub(crate) fn wait_ms(timeout: Option<Duration>) -> libc::c_long {
    match timeout {
        None => -1,
        Some(d) => {
            let ms = ceil_millis(d).min(LONGEST_WAIT_MS as u128);
            // At most i32::MAX: fits every target's `long`.
            ms as libc::c_long
        }
    }
}

/// When a wait of `timeout` (`None`: forever) started now ends.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Deadline(Option<Instant>);

impl Deadline {
    /// A deadline `timeout` from now; `None`, or a time `Instant` cannot
    /// represent (`Duration::MAX`), is never.
    #[inline]
    pub(crate) fn after(timeout: Option<Duration>) -> Deadline {
        Deadline(timeout.and_then(|d| Instant::now().checked_add(d)))
    }

    /// What is left: `None` for never, zero once passed.
    #[inline]
    pub(crate) fn remaining(&self) -> Option<Duration> {
        self.0
            .map(|end| end.saturating_duration_since(Instant::now()))
    }

    /// Whether the deadline has passed (never for "never").
    #[inline]
    pub(crate) fn passed(&self) -> bool {
        self.remaining().is_some_and(|left| left.is_zero())
    }
}

/// Sleeps for `timeout`, all of it however long (`thread::sleep` takes any
/// duration), for a poll with nothing to poll.
pub(crate) fn sleep(timeout: Duration) {
    std::thread::sleep(timeout);
}

#[cfg(test)]
mod tests {
    use super::*;

    const EDGES: [Duration; 6] = [
        Duration::ZERO,
        Duration::from_nanos(1),
        Duration::from_micros(999),
        Duration::from_millis(i32::MAX as u64),
        Duration::from_millis(1 << 32),
        Duration::MAX,
    ];

    #[test]
    fn milliseconds_round_up_and_options_refuse_what_they_cannot_hold() {
        let ceil: Vec<u128> = EDGES.iter().map(|&d| ceil_millis(d)).collect();
        assert_eq!(ceil[..5], [0, 1, 1, i32::MAX as u128, 1 << 32]);
        assert_eq!(ceil[5], u128::from(u64::MAX) * 1000 + 1000);
        let options: Vec<Option<i32>> = EDGES.iter().map(|&d| option_millis(d).ok()).collect();
        assert_eq!(
            options,
            [Some(0), Some(1), Some(1), Some(i32::MAX), None, None]
        );
        let seconds: Vec<Option<i32>> = EDGES.iter().map(|&d| option_seconds(d).ok()).collect();
        assert_eq!(seconds, [Some(0), None, None, None, None, None]);
        assert_eq!(option_seconds(Duration::from_secs(7)).ok(), Some(7));
    }

    #[test]
    fn one_wait_is_clamped_never_wrapped() {
        let waits: Vec<libc::c_long> = EDGES.iter().map(|&d| wait_ms(Some(d))).collect();
        let max = libc::c_long::from(i32::MAX);
        assert_eq!(waits, [0, 1, 1, max, max, max]);
        assert_eq!(wait_ms(None), -1);
    }

    #[test]
    fn deadlines_past_instant_are_never() {
        assert!(Deadline::after(None).remaining().is_none());
        assert!(Deadline::after(Some(Duration::MAX)).remaining().is_none());
        assert!(!Deadline::after(Some(Duration::MAX)).passed());
        assert!(Deadline::after(Some(Duration::ZERO)).passed());
        let left = Deadline::after(Some(Duration::from_millis(1 << 32)))
            .remaining()
            .unwrap();
        assert!(left > Duration::from_millis(i32::MAX as u64));
    }
}
