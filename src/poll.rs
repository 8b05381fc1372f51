//! Polling sockets and plain file descriptors together (`zmq_poll`), a
//! reusable [`Poller`] for loops, and with `draft` the `zmq_poller_*` API.

use std::marker::PhantomData;
use std::time::Duration;

use crate::error::{check, Error, Result};
use crate::os::{BorrowedHandle, RawHandle};
use crate::socket::{PollEvents, Socket};

/// One entry of a [`poll`] call: a socket or a file descriptor, the events
/// wanted, and after the call the events that happened.
///
/// It borrows its socket or descriptor, so it cannot outlive it. It has the
/// layout of `zmq_pollitem_t`, so a slice of items goes to libzmq as it is.
#[repr(transparent)]
pub struct PollItem<'a> {
    raw: zmq_sys::zmq_pollitem_t,
    _borrow: PhantomData<&'a ()>,
}

impl<'a> PollItem<'a> {
    /// Polls a socket for `events` (`POLLIN`, `POLLOUT`).
    #[doc(alias = "as_poll_item")]
    pub fn socket(socket: &'a Socket, events: PollEvents) -> PollItem<'a> {
        PollItem {
            raw: zmq_sys::zmq_pollitem_t {
                socket: socket.as_raw(),
                fd: 0,
                events: events.bits(),
                revents: 0,
            },
            _borrow: PhantomData,
        }
    }

    /// Polls a file descriptor (a pipe, stdin, a TCP socket...) for `events`.
    ///
    /// A descriptor whose peer hung up (the write end of a pipe closed, a TCP
    /// connection reset) reports [`PollEvents::POLLERR`], not `POLLIN`:
    /// `zmq_poll` turns the system's `POLLHUP` into `ZMQ_POLLERR` (there is no
    /// `ZMQ_POLLHUP`), and reports it whatever `events` asked for. Check
    /// [`is_error`](Self::is_error) as well as [`is_readable`](Self::is_readable)
    /// (a pipe with unread data and a closed write end may report both).
    ///
    /// On Windows the handle is a `SOCKET` ([`BorrowedSocket`](crate::os::BorrowedHandle)):
    /// Windows' `select` polls sockets only, not pipes or the console.
    ///
    /// ```
    /// # #[cfg(unix)] {
    /// use std::{os::fd::AsFd, os::unix::net::UnixStream, time::Duration};
    /// use zmq::{PollEvents, PollItem};
    ///
    /// let (mine, theirs) = UnixStream::pair()?;
    /// drop(theirs); // the peer hangs up
    /// let mut items = [PollItem::fd(mine.as_fd(), PollEvents::POLLIN)];
    /// assert_eq!(zmq::poll(&mut items, Some(Duration::from_secs(5)))?, 1);
    /// assert!(items[0].is_error());
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[doc(alias = "from_fd")]
    pub fn fd(fd: BorrowedHandle<'a>, events: PollEvents) -> PollItem<'a> {
        PollItem {
            raw: zmq_sys::zmq_pollitem_t {
                socket: std::ptr::null_mut(),
                fd: crate::os::raw(fd),
                events: events.bits(),
                revents: 0,
            },
            _borrow: PhantomData,
        }
    }

    /// The events that happened in the last poll.
    #[doc(alias = "get_revents")]
    pub fn revents(&self) -> PollEvents {
        PollEvents::from_bits_truncate(self.raw.revents)
    }

    /// Whether the last poll found something to read.
    pub fn is_readable(&self) -> bool {
        self.revents().contains(PollEvents::POLLIN)
    }

    /// Whether the last poll found room to write.
    pub fn is_writable(&self) -> bool {
        self.revents().contains(PollEvents::POLLOUT)
    }

    /// Whether the last poll reported an error condition (descriptors only).
    pub fn is_error(&self) -> bool {
        self.revents().contains(PollEvents::POLLERR)
    }

    /// Whether this item polls `socket`.
    pub fn has_socket(&self, socket: &Socket) -> bool {
        self.raw.socket == socket.as_raw()
    }

    /// Whether this item polls the descriptor `fd`.
    pub fn has_fd(&self, fd: RawHandle) -> bool {
        self.raw.socket.is_null() && self.raw.fd == fd
    }

    /// The events asked for.
    pub fn events(&self) -> PollEvents {
        PollEvents::from_bits_truncate(self.raw.events)
    }

    /// Changes the events asked for.
    pub fn set_events(&mut self, events: PollEvents) {
        self.raw.events = events.bits();
    }
}

impl std::fmt::Debug for PollItem<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("PollItem");
        if self.raw.socket.is_null() {
            d.field("fd", &self.raw.fd);
        } else {
            d.field("socket", &self.raw.socket);
        }
        d.field("events", &self.events())
            .field("revents", &self.revents())
            .finish()
    }
}

/// A poll of nothing: sleeps out the timeout here (libzmq would
/// `usleep(ms * 1000)`, 32 bits: a wait of 4,294,968 ms became 8 ms).
/// Waiting forever on nothing is refused: only a signal could end it.
fn sleep_on_nothing(timeout: Option<Duration>) -> Result<()> {
    let timeout = timeout.ok_or(Error::from(crate::ErrorKind::InvalidArgument))?;
    crate::duration::sleep(timeout);
    Ok(())
}

/// Calls `wait(ms)` (one libzmq wait, -1 = forever; it returns how many
/// items are ready) until something is ready or `timeout` has passed: a
/// timeout longer than libzmq takes in one call is waited in slices of
/// [`LONGEST_WAIT_MS`](crate::duration::LONGEST_WAIT_MS). Milliseconds are
/// rounded up, so a sub-millisecond wait is not a busy "don't wait".
fn wait_in_slices(
    timeout: Option<Duration>,
    mut wait: impl FnMut(libc::c_long) -> Result<usize>,
) -> Result<usize> {
    let longest = libc::c_long::from(crate::duration::LONGEST_WAIT_MS);
    let mut ms = crate::duration::wait_ms(timeout);
    // Only a wait longer than one libzmq call needs a deadline: the common
    // poll reads no clock.
    let deadline = (ms == longest).then(|| crate::duration::Deadline::after(timeout));
    loop {
        let ready = wait(ms)?;
        let Some(deadline) = deadline.filter(|_| ready == 0 && ms == longest) else {
            return Ok(ready);
        };
        if deadline.passed() {
            return Ok(0);
        }
        ms = crate::duration::wait_ms(deadline.remaining());
    }
}

/// Waits until one of `items` is ready or `timeout` passes (`None` = forever);
/// returns how many items have events. Each item's [`PollItem::revents`]
/// tells what happened. A signal gives [`ErrorKind::Interrupted`](crate::ErrorKind::Interrupted): the caller
/// decides whether to poll again.
///
/// A timeout below a millisecond waits a whole millisecond (libzmq counts in
/// milliseconds; rounding down would make it a busy loop). With no items, a
/// timeout just sleeps and returns 0, and no timeout is
/// [`ErrorKind::InvalidArgument`](crate::ErrorKind::InvalidArgument): nothing could ever end that wait.
///
/// ```
/// use std::time::Duration;
/// use zmq::{poll, Context, PollEvents, PollItem, SocketType};
/// let ctx = Context::new();
/// let pull = ctx.socket(SocketType::Pull)?;
/// pull.bind("inproc://poll-doc")?;
/// let mut items = [PollItem::socket(&pull, PollEvents::POLLIN)];
/// assert_eq!(poll(&mut items, Some(Duration::from_millis(10)))?, 0);
/// assert!(!items[0].is_readable());
/// # Ok::<(), zmq::Error>(())
/// ```
#[doc(alias = "zmq_poll")]
pub fn poll(items: &mut [PollItem<'_>], timeout: Option<Duration>) -> Result<usize> {
    let len =
        i32::try_from(items.len()).map_err(|_| Error::from(crate::ErrorKind::InvalidArgument))?;
    if items.is_empty() {
        sleep_on_nothing(timeout)?;
        return Ok(0);
    }
    wait_in_slices(timeout, |ms| {
        // SAFETY: PollItem is repr(transparent) over zmq_pollitem_t, and each
        // item borrows a live socket or descriptor for the duration of the call.
        let n = check(unsafe { zmq_sys::zmq_poll(items.as_mut_ptr().cast(), len, ms) })?;
        Ok(n as usize)
    })
}

/// A reusable poll set for loops: register sockets and descriptors once, each
/// with a key of yours, then [`Poller::poll`] again and again without
/// allocating, and read the ready keys back — no index bookkeeping.
///
/// ```
/// use std::time::Duration;
/// use zmq::{Context, PollEvents, Poller, SocketType};
/// let ctx = Context::new();
/// let a = ctx.socket(SocketType::Pull)?;
/// a.bind("inproc://poller-doc")?;
/// let push = ctx.socket(SocketType::Push)?;
/// push.connect("inproc://poller-doc")?;
/// push.send("hi")?;
///
/// let mut poller = Poller::new();
/// poller.add_socket(&a, PollEvents::POLLIN, "a");
/// poller.poll(Some(Duration::from_secs(1)))?;
/// let ready: Vec<_> = poller.ready().map(|(key, _)| *key).collect();
/// assert_eq!(ready, ["a"]);
/// # Ok::<(), zmq::Error>(())
/// ```
pub struct Poller<'a, K> {
    items: Vec<PollItem<'a>>,
    keys: Vec<K>,
}

impl<K> Default for Poller<'_, K> {
    fn default() -> Self {
        Poller::new()
    }
}

impl<'a, K> Poller<'a, K> {
    /// An empty poll set.
    pub fn new() -> Self {
        Poller {
            items: Vec::new(),
            keys: Vec::new(),
        }
    }

    /// Adds a socket under `key`.
    pub fn add_socket(&mut self, socket: &'a Socket, events: PollEvents, key: K) {
        self.items.push(PollItem::socket(socket, events));
        self.keys.push(key);
    }

    /// Adds a file descriptor under `key`.
    pub fn add_fd(&mut self, fd: BorrowedHandle<'a>, events: PollEvents, key: K) {
        self.items.push(PollItem::fd(fd, events));
        self.keys.push(key);
    }

    /// Removes the entries whose key matches; returns how many.
    pub fn remove(&mut self, mut matches: impl FnMut(&K) -> bool) -> usize {
        let before = self.items.len();
        let mut i = 0;
        while let Some(key) = self.keys.get(i) {
            if matches(key) {
                self.keys.remove(i);
                self.items.remove(i);
            } else {
                i += 1;
            }
        }
        before - self.items.len()
    }

    /// Changes the events wanted for the entries whose key matches.
    pub fn set_events(&mut self, mut matches: impl FnMut(&K) -> bool, events: PollEvents) {
        for (item, key) in self.items.iter_mut().zip(&self.keys) {
            if matches(key) {
                item.set_events(events);
            }
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Waits like [`poll`]; returns how many entries are ready. A poller
    /// whose entries were all removed sleeps out a timeout, and refuses to
    /// wait forever ([`ErrorKind::InvalidArgument`](crate::ErrorKind::InvalidArgument)), as [`poll`] does.
    pub fn poll(&mut self, timeout: Option<Duration>) -> Result<usize> {
        poll(&mut self.items, timeout)
    }

    /// The keys of the entries that had events in the last poll, with them.
    pub fn ready(&self) -> impl Iterator<Item = (&K, PollEvents)> + '_ {
        self.keys
            .iter()
            .zip(&self.items)
            .filter(|(_, item)| !item.revents().is_empty())
            .map(|(key, item)| (key, item.revents()))
    }

    /// The events of the entry with `key` in the last poll (empty if none).
    pub fn revents(&self, key: &K) -> PollEvents
    where
        K: PartialEq,
    {
        self.keys
            .iter()
            .zip(&self.items)
            .filter(|(k, _)| *k == key)
            .fold(PollEvents::empty(), |acc, (_, item)| acc | item.revents())
    }

    /// The items, for direct inspection.
    pub fn items(&self) -> &[PollItem<'a>] {
        &self.items
    }
}

#[cfg(feature = "draft")]
pub use self::draft::{DraftPoller, PollerEvent};

#[cfg(feature = "draft")]
mod draft {
    use super::*;
    use std::ffi::c_void;
    use std::ptr::NonNull;

    /// An event reported by [`DraftPoller::wait`].
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct PollerEvent<K> {
        /// The key given when the socket or descriptor was added.
        pub key: K,
        /// What happened.
        pub events: PollEvents,
    }

    /// libzmq's DRAFT poller (`zmq_poller_*`): scales to many sockets and
    /// also serves the thread-safe socket types that `zmq_poll` rejects.
    /// Entries carry a `Copy` key of yours.
    pub struct DraftPoller<'a, K: Copy> {
        raw: NonNull<c_void>,
        /// Keys by slot; libzmq's user data is the slot index.
        slots: Vec<Option<K>>,
        events: Vec<zmq_sys::zmq_poller_event_t>,
        _borrow: PhantomData<&'a Socket>,
    }

    // The poller is used from one thread at a time (it is not thread-safe).
    impl<'a, K: Copy> DraftPoller<'a, K> {
        /// A new, empty poller.
        #[doc(alias = "zmq_poller_new")]
        pub fn new() -> Result<Self> {
            // SAFETY: no preconditions; NULL means failure.
            let raw = crate::error::check_ptr(unsafe { zmq_sys::zmq_poller_new() })?;
            Ok(DraftPoller {
                raw,
                slots: Vec::new(),
                events: Vec::new(),
                _borrow: PhantomData,
            })
        }

        fn slot(&mut self, key: K) -> usize {
            self.slots.push(Some(key));
            self.events.push(zmq_sys::zmq_poller_event_t {
                socket: std::ptr::null_mut(),
                fd: 0,
                user_data: std::ptr::null_mut(),
                events: 0,
            });
            self.slots.len() - 1
        }

        /// Adds a socket (of any type, thread-safe ones included).
        #[doc(alias = "zmq_poller_add")]
        pub fn add(&mut self, socket: &'a Socket, events: PollEvents, key: K) -> Result<()> {
            let slot = self.slot(key);
            // SAFETY: live poller and socket (borrowed for 'a); the user data
            // is an index, never dereferenced.
            let rc = unsafe {
                zmq_sys::zmq_poller_add(
                    self.raw.as_ptr(),
                    socket.as_raw(),
                    slot as *mut c_void,
                    events.bits(),
                )
            };
            self.undo_on_error(check(rc))
        }

        /// Adds a file descriptor.
        #[doc(alias = "zmq_poller_add_fd")]
        pub fn add_fd(&mut self, fd: BorrowedHandle<'a>, events: PollEvents, key: K) -> Result<()> {
            let slot = self.slot(key);
            // SAFETY: live poller; the descriptor is borrowed for 'a.
            let rc = unsafe {
                zmq_sys::zmq_poller_add_fd(
                    self.raw.as_ptr(),
                    crate::os::raw(fd),
                    slot as *mut c_void,
                    events.bits(),
                )
            };
            self.undo_on_error(check(rc))
        }

        fn undo_on_error(&mut self, rc: Result<i32>) -> Result<()> {
            if let Err(e) = rc {
                self.slots.pop();
                self.events.pop();
                return Err(e);
            }
            Ok(())
        }

        /// Changes the events polled for a socket.
        #[doc(alias = "zmq_poller_modify")]
        pub fn modify(&mut self, socket: &Socket, events: PollEvents) -> Result<()> {
            // SAFETY: live poller; libzmq checks the socket is registered.
            check(unsafe {
                zmq_sys::zmq_poller_modify(self.raw.as_ptr(), socket.as_raw(), events.bits())
            })
            .map(drop)
        }

        /// Removes a socket.
        #[doc(alias = "zmq_poller_remove")]
        pub fn remove(&mut self, socket: &Socket) -> Result<()> {
            // SAFETY: live poller; libzmq checks the socket is registered.
            check(unsafe { zmq_sys::zmq_poller_remove(self.raw.as_ptr(), socket.as_raw()) })
                .map(drop)
        }

        /// Waits for events (`None` = forever) and returns them, from storage
        /// the poller reuses; no events before the timeout is an empty
        /// iterator (not an error). With no sockets it sleeps out a timeout,
        /// and refuses to wait forever ([`ErrorKind::InvalidArgument`](crate::ErrorKind::InvalidArgument)), as
        /// [`poll`] does.
        #[doc(alias = "zmq_poller_wait_all")]
        pub fn wait(
            &mut self,
            timeout: Option<Duration>,
        ) -> Result<impl Iterator<Item = PollerEvent<K>> + '_> {
            let ready = if self.events.is_empty() {
                // As `poll` with no items: sleep out the timeout.
                sleep_on_nothing(timeout)?;
                0
            } else {
                let n = self.events.len() as i32;
                let (raw, events) = (self.raw, &mut self.events);
                wait_in_slices(timeout, |ms| {
                    // SAFETY: live poller; `events` has room for `n` entries.
                    let rc = unsafe {
                        zmq_sys::zmq_poller_wait_all(raw.as_ptr(), events.as_mut_ptr(), n, ms)
                    };
                    match check(rc) {
                        Ok(n) => Ok(n as usize),
                        Err(ref e) if e.kind() == crate::ErrorKind::Again => Ok(0),
                        Err(e) => Err(e),
                    }
                })?
            };
            let slots = &self.slots;
            // libzmq reports at most `n` (the buffer's length) events.
            Ok(self.events.get(..ready).unwrap_or(&[]).iter().filter_map(
                move |e: &zmq_sys::zmq_poller_event_t| {
                    let key = (*slots.get(e.user_data as usize)?)?;
                    Some(PollerEvent {
                        key,
                        events: PollEvents::from_bits_truncate(e.events),
                    })
                },
            ))
        }
    }

    impl<K: Copy> Drop for DraftPoller<'_, K> {
        fn drop(&mut self) {
            let mut raw = self.raw.as_ptr();
            // SAFETY: the poller is live and destroyed only here.
            unsafe { zmq_sys::zmq_poller_destroy(&mut raw) };
        }
    }
}
