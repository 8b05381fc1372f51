//! An event reactor in the manner of czmq's `zloop`: call handlers when
//! sockets or file descriptors have something to read, and on timers.
//!
//! A [`Reactor`] holds *readers* (a socket or a descriptor, with a handler)
//! and *timers* (a delay, a number of times, a handler). [`Reactor::run`]
//! polls them all and calls each handler with the reactor itself, so a
//! handler can add and remove readers and timers while the loop runs, and
//! with a `&mut S` state of yours that every handler shares.
//!
//! A handler returns [`Flow::Continue`] to go on or [`Flow::Stop`] to end the
//! loop; an error from a handler ends the loop and comes back from
//! [`Reactor::run`]. A shut-down context ([`Context::shutdown`]) or a signal
//! ends the loop cleanly: the run returns [`Ended::Terminated`] or
//! [`Ended::Interrupted`].
//!
//! See [`Reactor`] for an example.
//!
//! [`Context::shutdown`]: crate::Context::shutdown
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::borrow::Borrow;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::error::{check, Error, ErrorKind, Result};
use crate::os::{AsHandle, BorrowedHandle};
use crate::socket::{PollEvents, Socket};

/// `base + delay`, or for a delay past what an `Instant` can hold (e.g.
/// `Duration::MAX`) a time a century away: such a timer never fires in
/// practice, where saturating at `base` would fire it at once.
fn later(base: Instant, delay: Duration) -> Instant {
    const CENTURY: Duration = Duration::from_secs(100 * 365 * 24 * 3600);
    base.checked_add(delay)
        .or_else(|| base.checked_add(CENTURY))
        .unwrap_or(base)
}

/// What a handler tells the [`Reactor`]: go on, or end the loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Keep running.
    Continue,
    /// End [`Reactor::run`], which returns [`Ended::Stopped`] (zloop's `-1`
    /// from a handler).
    Stop,
}

/// Why [`Reactor::run`] returned (every case is a clean end; a handler's
/// error comes back as the `Err` of the run instead).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// A handler returned [`Flow::Stop`].
    Stopped,
    /// The context was shut down or terminated (ETERM), seen by the poll or
    /// by a handler.
    Terminated,
    /// A signal interrupted the poll (EINTR), or a handler returned
    /// [`ErrorKind::Interrupted`].
    Interrupted,
    /// No readers and no timers were left: nothing could ever happen.
    Idle,
}

/// Identifies a reader of a [`Reactor`] (from [`Reactor::add_reader`] or
/// [`Reactor::add_fd_reader`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReaderId(u64);

/// Identifies a timer of a [`Reactor`] (from [`Reactor::add_timer`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimerId(u64);

type SocketHandler<'a, S> =
    Box<dyn FnMut(&mut Reactor<'a, S>, &Socket, &mut S) -> Result<Flow> + 'a>;
type FdHandler<'a, S> =
    Box<dyn FnMut(&mut Reactor<'a, S>, BorrowedHandle<'_>, &mut S) -> Result<Flow> + 'a>;
type TimerHandler<'a, S> =
    Box<dyn FnMut(&mut Reactor<'a, S>, TimerId, &mut S) -> Result<Flow> + 'a>;

enum Source<'a, S> {
    Socket(Box<dyn Borrow<Socket> + 'a>, SocketHandler<'a, S>),
    Fd(Box<dyn AsHandle + 'a>, FdHandler<'a, S>),
}

struct Reader<'a, S> {
    source: Source<'a, S>,
    /// Polls in a row that reported an error condition.
    errors: u32,
    /// Whether error conditions are left to the handler alone.
    tolerant: bool,
}

impl<S> Reader<'_, S> {
    fn pollitem(&self) -> zmq_sys::zmq_pollitem_t {
        let (socket, fd) = match &self.source {
            Source::Socket(s, _) => (socket_of(&**s).as_raw(), 0),
            Source::Fd(f, _) => (
                std::ptr::null_mut(),
                crate::os::raw(crate::os::borrow(&**f)),
            ),
        };
        zmq_sys::zmq_pollitem_t {
            socket,
            fd,
            events: PollEvents::POLLIN.bits(),
            revents: 0,
        }
    }

    fn is_socket(&self, raw: *mut std::ffi::c_void) -> bool {
        matches!(&self.source, Source::Socket(s, _) if socket_of(&**s).as_raw() == raw)
    }
}

struct Timer<'a, S> {
    delay: Duration,
    /// Firings left; `None` is forever.
    left: Option<usize>,
    when: Instant,
    handler: TimerHandler<'a, S>,
}

/// The one reader or timer whose handler runs now (taken out of its map for
/// the call), and whether the handler removed it.
#[derive(Clone, Copy)]
enum Current {
    None,
    Reader(ReaderId, *mut std::ffi::c_void, bool),
    Timer(TimerId, bool),
}

/// An event loop over sockets, descriptors and timers, like czmq's `zloop`:
/// handlers for readers and timers get the reactor (to add and remove
/// readers and timers while it runs) and a state of yours. A handler
/// returns [`Flow::Continue`] or [`Flow::Stop`]; an error from it ends the
/// run and comes back from [`Reactor::run`]. A shut-down context
/// ([`Context::shutdown`](crate::Context::shutdown)) or a signal ends the
/// run cleanly ([`Ended`]).
///
/// ```
/// use std::time::Duration;
/// use zmq::{Context, Ended, Flow, Reactor, SocketType};
///
/// let ctx = Context::new();
/// let input = ctx.socket(SocketType::Pair)?;
/// input.bind("inproc://reactor-doc")?;
/// let output = ctx.socket(SocketType::Pair)?;
/// output.connect("inproc://reactor-doc")?;
///
/// // The state every handler gets: how many pings were received.
/// let mut received = 0;
/// let mut reactor = Reactor::new();
/// // Every 5 ms, three times, send a ping.
/// reactor.add_timer(Duration::from_millis(5), 3, |_, _, _| {
///     output.send("PING")?;
///     Ok(Flow::Continue)
/// });
/// // On the third ping, end the loop.
/// reactor.add_reader(&input, |_, socket, received: &mut i32| {
///     socket.recv_msg()?;
///     *received += 1;
///     Ok(if *received == 3 { Flow::Stop } else { Flow::Continue })
/// });
/// assert_eq!(reactor.run(&mut received)?, Ended::Stopped);
/// assert_eq!(received, 3);
/// # Ok::<(), zmq::Error>(())
/// ```
///
/// `'a` is how long the sockets, descriptors and handlers it is given must
/// live; `S` is the state [`Reactor::run`] lends to every handler. Readers
/// take a socket by reference (`&Socket`), shared (`Rc<Socket>`) or owned
/// (`Socket`); handlers get `&Socket` back.
///
/// Order: in each round, due timers fire first (earliest first, then in the
/// order they were added), then the ready readers in the order they were
/// added. Something removed by a handler does not fire again, not even later
/// in the same round. Readers and timers added by a handler take part from
/// the next round on.
pub struct Reactor<'a, S = ()> {
    readers: BTreeMap<ReaderId, Reader<'a, S>>,
    timers: BTreeMap<TimerId, Timer<'a, S>>,
    next_id: u64,
    current: Current,
    /// Reused between rounds: the poll set and the reader of each item.
    items: Vec<zmq_sys::zmq_pollitem_t>,
    item_ids: Vec<ReaderId>,
    due: Vec<TimerId>,
}

impl<S> Default for Reactor<'_, S> {
    fn default() -> Self {
        Reactor::new()
    }
}

impl<S> std::fmt::Debug for Reactor<'_, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reactor")
            .field("readers", &self.readers.len())
            .field("timers", &self.timers.len())
            .finish()
    }
}

impl<'a, S> Reactor<'a, S> {
    /// An empty reactor.
    #[doc(alias = "zloop_new")]
    pub fn new() -> Self {
        Reactor {
            readers: BTreeMap::new(),
            timers: BTreeMap::new(),
            next_id: 0,
            current: Current::None,
            items: Vec::new(),
            item_ids: Vec::new(),
            due: Vec::new(),
        }
    }

    fn next_id(&mut self) -> u64 {
        self.next_id = self.next_id.wrapping_add(1);
        self.next_id
    }

    /// Calls `handler` whenever `socket` has a message to read. The socket
    /// may be `&Socket`, `Rc<Socket>` or an owned `Socket` (then the reactor
    /// keeps it until the reader is removed or the reactor dropped). The
    /// handler should read what is waiting: a reader left readable is
    /// called again at once.
    #[doc(alias = "zloop_reader")]
    pub fn add_reader<T, F>(&mut self, socket: T, handler: F) -> ReaderId
    where
        T: Borrow<Socket> + 'a,
        F: FnMut(&mut Reactor<'a, S>, &Socket, &mut S) -> Result<Flow> + 'a,
    {
        let id = ReaderId(self.next_id());
        let source = Source::Socket(Box::new(socket), Box::new(handler));
        self.readers.insert(id, reader(source));
        id
    }

    /// Calls `handler` whenever the descriptor `fd` (a pipe, a TCP stream,
    /// stdin; anything [`AsFd`](std::os::fd::AsFd), borrowed or owned; on
    /// Windows a socket, anything [`AsSocket`](crate::os::AsHandle)) is readable or reports
    /// an error condition (end of file of a pipe shows as one).
    #[doc(alias = "zloop_poller")]
    pub fn add_fd_reader<T, F>(&mut self, fd: T, handler: F) -> ReaderId
    where
        T: AsHandle + 'a,
        F: FnMut(&mut Reactor<'a, S>, BorrowedHandle<'_>, &mut S) -> Result<Flow> + 'a,
    {
        let id = ReaderId(self.next_id());
        let source = Source::Fd(Box::new(fd), Box::new(handler));
        self.readers.insert(id, reader(source));
        id
    }

    /// Removes a reader; whether it was there. From inside the reader's own
    /// handler, the reader goes once the handler returns.
    pub fn remove_reader(&mut self, id: ReaderId) -> bool {
        if self.readers.remove(&id).is_some() {
            return true;
        }
        match &mut self.current {
            Current::Reader(current, _, removed) if *current == id && !*removed => {
                *removed = true;
                true
            }
            _ => false,
        }
    }

    /// Removes every reader of `socket` (zloop's `zloop_reader_end`);
    /// returns how many.
    #[doc(alias = "zloop_reader_end")]
    pub fn remove_socket(&mut self, socket: &Socket) -> usize {
        let raw = socket.as_raw();
        let before = self.readers.len();
        self.readers.retain(|_, r| !r.is_socket(raw));
        let mut removed = before.saturating_sub(self.readers.len());
        if let Current::Reader(_, current, gone) = &mut self.current {
            if *current == raw && !*gone {
                *gone = true;
                removed = removed.saturating_add(1);
            }
        }
        removed
    }

    /// Leaves error conditions on a reader to its handler: by default a
    /// reader whose source reports an error condition twice in a row is
    /// removed (as zloop does), so a dead descriptor cannot spin the loop.
    /// Returns whether the reader exists.
    #[doc(alias = "zloop_reader_set_tolerant")]
    pub fn set_tolerant(&mut self, id: ReaderId) -> bool {
        match self.readers.get_mut(&id) {
            Some(r) => {
                r.tolerant = true;
                true
            }
            None => false,
        }
    }

    /// Calls `handler` after `delay`, `times` times (0 = forever), `delay`
    /// apart. The delay counts from now, or for a reactor not running yet
    /// from the start of [`Reactor::run`] (as zloop does). The handler gets
    /// the timer's id, so it can cancel itself.
    #[doc(alias = "zloop_timer")]
    pub fn add_timer<F>(&mut self, delay: Duration, times: usize, handler: F) -> TimerId
    where
        F: FnMut(&mut Reactor<'a, S>, TimerId, &mut S) -> Result<Flow> + 'a,
    {
        let id = TimerId(self.next_id());
        let now = Instant::now();
        let timer = Timer {
            delay,
            left: if times == 0 { None } else { Some(times) },
            when: later(now, delay),
            handler: Box::new(handler),
        };
        self.timers.insert(id, timer);
        id
    }

    /// Cancels a timer; whether it was there. A cancelled timer never fires
    /// again, not even later in the current round.
    #[doc(alias = "zloop_timer_end")]
    pub fn cancel_timer(&mut self, id: TimerId) -> bool {
        if self.timers.remove(&id).is_some() {
            return true;
        }
        match &mut self.current {
            Current::Timer(current, removed) if *current == id && !*removed => {
                *removed = true;
                true
            }
            _ => false,
        }
    }

    /// Number of readers.
    pub fn readers(&self) -> usize {
        self.readers.len()
    }

    /// Number of timers.
    pub fn timers(&self) -> usize {
        self.timers.len()
    }

    /// Runs the loop until a handler returns [`Flow::Stop`] or an error, the
    /// context is shut down, a signal interrupts the poll, or nothing is
    /// left to wait for; see [`Ended`]. Every handler gets `state`.
    ///
    /// A handler's [`ErrorKind::Terminated`] or [`ErrorKind::Interrupted`]
    /// (say from a `recv` after [`Context::shutdown`](crate::Context::shutdown))
    /// ends the loop cleanly too; any other handler error is returned. The
    /// reactor stays usable: run it again to go on.
    ///
    /// With timers only, the wait between them is a plain sleep: neither a
    /// shutdown nor a signal cuts it short (a shutdown shows at the next
    /// socket call of a handler). Give it a reader to wake it.
    #[doc(alias = "zloop_start")]
    pub fn run(&mut self, state: &mut S) -> Result<Ended> {
        let start = Instant::now();
        for timer in self.timers.values_mut() {
            timer.when = later(start, timer.delay);
        }
        loop {
            if self.readers.is_empty() && self.timers.is_empty() {
                return Ok(Ended::Idle);
            }
            match self.poll() {
                Ok(()) => {}
                Err(e) => return ended(e),
            }
            match self.fire_timers(state).and_then(|f| match f {
                Flow::Continue => self.dispatch_readers(state),
                Flow::Stop => Ok(Flow::Stop),
            }) {
                Ok(Flow::Continue) => {}
                Ok(Flow::Stop) => return Ok(Ended::Stopped),
                Err(e) => return ended(e),
            }
        }
    }

    /// Polls the readers until one is ready or the next timer is due.
    fn poll(&mut self) -> Result<()> {
        self.items.clear();
        self.item_ids.clear();
        for (id, r) in &self.readers {
            self.items.push(r.pollitem());
            self.item_ids.push(*id);
        }
        // Until the first timer is due (clamped to the longest wait libzmq
        // takes: the loop then looks again), or forever without timers.
        let next = self.timers.values().map(|t| t.when).min();
        let wait = next.map(|when| when.saturating_duration_since(Instant::now()));
        if self.items.is_empty() {
            // Timers only: sleep until the first is due (`wait` is not None
            // here, as the map of timers is not empty).
            crate::duration::sleep(wait.unwrap_or_default());
            return Ok(());
        }
        let timeout = crate::duration::wait_ms(wait);
        let len =
            i32::try_from(self.items.len()).map_err(|_| Error::from(ErrorKind::InvalidArgument))?;
        // SAFETY: `items` holds `len` initialised zmq_pollitem_t; each names
        // a socket or descriptor owned or borrowed by a reader in
        // `self.readers`, which nothing can change during the call.
        check(unsafe { zmq_sys::zmq_poll(self.items.as_mut_ptr(), len, timeout) })?;
        Ok(())
    }

    /// Fires the timers that are due, earliest first.
    fn fire_timers(&mut self, state: &mut S) -> Result<Flow> {
        let now = Instant::now();
        let mut due = std::mem::take(&mut self.due);
        due.clear();
        due.extend(
            self.timers
                .iter()
                .filter(|(_, t)| t.when <= now)
                .map(|(id, _)| *id),
        );
        due.sort_by_key(|id| (self.timers.get(id).map(|t| t.when), *id));
        let mut flow = Ok(Flow::Continue);
        for id in due.iter().copied() {
            // Taken out for the call, so the handler can have `&mut self`.
            let Some(mut timer) = self.timers.remove(&id) else {
                continue; // cancelled by an earlier handler of this round
            };
            let (result, seen) = self.call_handler(Current::Timer(id, false), |this| {
                (timer.handler)(this, id, state)
            });
            let cancelled = matches!(seen, Current::Timer(_, true));
            let left = timer.left.map(|n| n.saturating_sub(1));
            if !cancelled && left != Some(0) {
                timer.left = left;
                let next = later(timer.when, timer.delay);
                let now = Instant::now();
                timer.when = if next < now { now } else { next };
                self.timers.insert(id, timer);
            }
            match result {
                Ok(Flow::Continue) => {}
                other => {
                    flow = other;
                    break;
                }
            }
        }
        self.due = due;
        flow
    }

    /// Calls a handler (`call`) with `current` naming it, and gives back
    /// what it returned and what became of `current` (removed from inside
    /// the handler?). `current` is reset whatever happens: a handler that
    /// panics loses its reader or timer (taken out of the maps for the
    /// call, it is dropped by the unwinding), the panic goes on to the
    /// caller of [`Reactor::run`], and the reactor stays consistent — a
    /// `remove_reader` or `cancel_timer` of it then answers `false`.
    fn call_handler<R>(
        &mut self,
        current: Current,
        call: impl FnOnce(&mut Self) -> R,
    ) -> (R, Current) {
        self.current = current;
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| call(self)));
        let seen = std::mem::replace(&mut self.current, Current::None);
        match result {
            Ok(value) => (value, seen),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }

    /// Calls the handlers of the readers the last poll found ready.
    fn dispatch_readers(&mut self, state: &mut S) -> Result<Flow> {
        let items = std::mem::take(&mut self.items);
        let ids = std::mem::take(&mut self.item_ids);
        let mut flow = Ok(Flow::Continue);
        for (item, id) in items.iter().zip(ids.iter().copied()) {
            let revents = PollEvents::from_bits_truncate(item.revents);
            if revents.is_empty() {
                continue;
            }
            let Some(mut reader) = self.readers.remove(&id) else {
                continue; // removed by an earlier handler of this round
            };
            if revents.contains(PollEvents::POLLERR) && !reader.tolerant {
                reader.errors = reader.errors.saturating_add(1);
                if reader.errors > 1 {
                    // The handler had its chance; drop the reader so it
                    // cannot spin the loop.
                    continue;
                }
            } else {
                reader.errors = 0;
            }
            let (result, seen) = self.call_handler(
                Current::Reader(id, item.socket, false),
                |this| match &mut reader.source {
                    Source::Socket(socket, handler) => handler(this, socket_of(&**socket), state),
                    Source::Fd(fd, handler) => handler(this, crate::os::borrow(&**fd), state),
                },
            );
            let removed = matches!(seen, Current::Reader(_, _, true));
            if !removed {
                self.readers.insert(id, reader);
            }
            match result {
                Ok(Flow::Continue) => {}
                other => {
                    flow = other;
                    break;
                }
            }
        }
        self.items = items;
        self.item_ids = ids;
        flow
    }
}

/// The socket a reader holds, however it holds it.
fn socket_of<'s>(holder: &'s (dyn Borrow<Socket> + '_)) -> &'s Socket {
    Borrow::<Socket>::borrow(holder)
}

fn reader<S>(source: Source<'_, S>) -> Reader<'_, S> {
    Reader {
        source,
        errors: 0,
        tolerant: false,
    }
}

/// Terminated and Interrupted end a run cleanly; other errors are returned.
fn ended(e: Error) -> Result<Ended> {
    match e.kind() {
        ErrorKind::Terminated => Ok(Ended::Terminated),
        ErrorKind::Interrupted => Ok(Ended::Interrupted),
        _ => Err(e),
    }
}
