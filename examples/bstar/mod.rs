//! The Binary Star reactor (the guide's `bstar.c`, chapter 4, "Binary Star
//! Reactor"): a primary and a backup server that watch each other with
//! state heartbeats, so that exactly one of them is active and serves
//! clients. Built on [`zmq::Reactor`], it works as the C class does:
//!
//! - [`Bstar::new`]`(primary, local, remote)` binds a PUB for our state at
//!   `local` and connects a SUB to the peer's at `remote`; a one-second
//!   timer publishes our state, and each state from the peer drives the
//!   finite-state machine.
//! - [`Bstar::voter`] binds the socket clients talk to. Each message on it
//!   is a client's vote (`CLIENT_REQUEST`): if the machine accepts it, the
//!   application's handler gets the socket to read and answer; if not, the
//!   message is dropped.
//! - [`Bstar::new_active`] / [`Bstar::new_passive`] register what to do
//!   when this server becomes active or passive.
//! - [`Bstar::reactor`] (`bstar_zloop`) is the reactor itself, for the
//!   application's own readers and timers; [`Bstar::start`] runs it.
//!
//! Every handler gets the reactor and the application's state `S`, the
//! `&mut S` given to [`Bstar::start`]. Include it with
//! `#[path = "bstar/mod.rs"] mod bstar;`.
#![allow(dead_code)] // each program uses a part of it

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use zmq::{Context, Ended, ErrorKind, Flow, Reactor, Socket, SocketType};

#[allow(unused_imports)] // each program uses a part
pub use crate::zhelpers::log;

/// The first argument of [`Bstar::new`] for the primary server.
pub const PRIMARY: bool = true;
/// The first argument of [`Bstar::new`] for the backup server.
pub const BACKUP: bool = false;

/// We send state information this often; a peer silent for two heartbeats
/// is taken for dead.
pub const HEARTBEAT: Duration = Duration::from_millis(1000);

/// The states a server can be in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// Primary, waiting for its peer to connect.
    Primary = 1,
    /// Backup, waiting for its peer to connect.
    Backup = 2,
    /// Active: accepting connections.
    Active = 3,
    /// Passive: not accepting connections.
    Passive = 4,
}

/// The events, which start with the states our peer can be in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// The peer is a pending primary.
    PeerPrimary = 1,
    /// The peer is a pending backup.
    PeerBackup = 2,
    /// The peer is active.
    PeerActive = 3,
    /// The peer is passive.
    PeerPassive = 4,
    /// A client made a request.
    ClientRequest = 5,
}

impl Event {
    /// The event a peer's state message means (C's `atoi` of it); `None` for
    /// anything else.
    pub fn from_peer(text: &[u8]) -> Option<Event> {
        match text {
            b"1" => Some(Event::PeerPrimary),
            b"2" => Some(Event::PeerBackup),
            b"3" => Some(Event::PeerActive),
            b"4" => Some(Event::PeerPassive),
            _ => None,
        }
    }
}

/// What an accepted event changed, for the state-change handlers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// Nothing to report.
    None,
    /// We became active.
    Active,
    /// We became passive.
    Passive,
}

/// The Binary Star finite-state machine, on its own (`bstarsrv` uses it
/// with a plain poll loop): apply an event to the state; `Err(())` is an
/// exception (the event is refused: a client request we may not serve, or
/// a fatal pairing of states).
#[derive(Clone, Copy, Debug)]
pub struct Fsm {
    /// The current state.
    pub state: State,
    /// When the peer is considered dead.
    pub peer_expiry: Instant,
}

impl Fsm {
    /// A machine in its first state, with the peer's expiry two heartbeats
    /// from now.
    pub fn new(primary: bool) -> Fsm {
        Fsm {
            state: if primary {
                State::Primary
            } else {
                State::Backup
            },
            peer_expiry: Instant::now() + 2 * HEARTBEAT,
        }
    }

    /// The peer just spoke: it is alive for two more heartbeats.
    pub fn update_peer_expiry(&mut self) {
        self.peer_expiry = Instant::now() + 2 * HEARTBEAT;
    }

    /// Applies `event` (the reactor version, `s_execute_fsm` of `bstar.c`).
    pub fn execute(&mut self, event: Event) -> Result<Change, ()> {
        let mut change = Change::None;
        match self.state {
            //  Primary server is waiting for peer to connect
            //  Accepts CLIENT_REQUEST events in this state
            State::Primary => match event {
                Event::PeerBackup => {
                    log("I: connected to backup (passive), ready as active");
                    self.state = State::Active;
                    change = Change::Active;
                }
                Event::PeerActive => {
                    log("I: connected to backup (active), ready as passive");
                    self.state = State::Passive;
                    change = Change::Passive;
                }
                Event::ClientRequest => {
                    //  Allow client requests to turn us into the active if
                    //  we've waited sufficiently long to believe the backup
                    //  is not currently acting as active (after a failover)
                    if Instant::now() >= self.peer_expiry {
                        log("I: request from client, ready as active");
                        self.state = State::Active;
                        change = Change::Active;
                    } else {
                        //  Don't respond to clients yet: we may be failing
                        //  back while the backup is active
                        return Err(());
                    }
                }
                _ => {}
            },
            //  Backup server is waiting for peer to connect
            //  Rejects CLIENT_REQUEST events in this state
            State::Backup => match event {
                Event::PeerActive => {
                    log("I: connected to primary (active), ready as passive");
                    self.state = State::Passive;
                    change = Change::Passive;
                }
                Event::ClientRequest => return Err(()),
                _ => {}
            },
            //  Server is active
            //  Accepts CLIENT_REQUEST events in this state
            //  The only way out of ACTIVE is death
            State::Active => {
                if event == Event::PeerActive {
                    //  Two actives would mean split-brain
                    log("E: fatal error - dual actives, aborting");
                    return Err(());
                }
            }
            //  Server is passive
            //  CLIENT_REQUEST events can trigger failover if peer looks dead
            State::Passive => {
                match event {
                    Event::PeerPrimary => {
                        //  Peer is restarting - become active, peer will go passive
                        log("I: primary (passive) is restarting, ready as active");
                        self.state = State::Active;
                    }
                    Event::PeerBackup => {
                        //  Peer is restarting - become active, peer will go passive
                        log("I: backup (passive) is restarting, ready as active");
                        self.state = State::Active;
                    }
                    Event::PeerPassive => {
                        //  Two passives would mean cluster would be non-responsive
                        log("E: fatal error - dual passives, aborting");
                        return Err(());
                    }
                    Event::ClientRequest => {
                        //  Peer becomes active if timeout has passed
                        //  It's the client request that triggers the failover
                        if Instant::now() >= self.peer_expiry {
                            //  If peer is dead, switch to the active state
                            log("I: failover successful, ready as active");
                            self.state = State::Active;
                        } else {
                            //  If peer is alive, reject connections
                            return Err(());
                        }
                    }
                    Event::PeerActive => {}
                }
                //  Call state change handler if necessary
                if self.state == State::Active {
                    change = Change::Active;
                }
            }
        }
        Ok(change)
    }
}

/// A state-change handler ([`Bstar::new_active`], [`Bstar::new_passive`]).
pub type Hook<'a, S> = Box<dyn FnMut(&mut Reactor<'a, S>, &mut S) -> zmq::Result<Flow> + 'a>;

/// The machine and the application's state-change handlers, shared by the
/// reactor's handlers.
struct Shared<'a, S> {
    fsm: Fsm,
    active_fn: Option<Hook<'a, S>>,
    passive_fn: Option<Hook<'a, S>>,
}

/// Applies `event`; on a change, calls the application's handler for it.
/// `Ok(None)` is an exception (the event refused).
fn execute<'a, S>(
    shared: &RefCell<Shared<'a, S>>,
    event: Event,
    reactor: &mut Reactor<'a, S>,
    app: &mut S,
) -> zmq::Result<Option<Flow>> {
    let change = shared.borrow_mut().fsm.execute(event);
    let hook = match change {
        Err(()) => return Ok(None),
        Ok(Change::None) => return Ok(Some(Flow::Continue)),
        Ok(Change::Active) => shared.borrow_mut().active_fn.take(),
        Ok(Change::Passive) => shared.borrow_mut().passive_fn.take(),
    };
    let Some(mut hook) = hook else {
        return Ok(Some(Flow::Continue));
    };
    // Called with the shared state released: the handler may use the
    // reactor freely.
    let flow = hook(reactor, app);
    let mut shared = shared.borrow_mut();
    let slot = match change {
        Ok(Change::Passive) => &mut shared.passive_fn,
        _ => &mut shared.active_fn,
    };
    if slot.is_none() {
        *slot = Some(hook);
    }
    flow.map(Some)
}

/// A Binary Star server: the reactor, the state publisher and subscriber,
/// and the machine. See the module documentation.
pub struct Bstar<'a, S> {
    context: Context,
    reactor: Reactor<'a, S>,
    shared: Rc<RefCell<Shared<'a, S>>>,
    has_voter: bool,
}

impl<'a, S: 'a> Bstar<'a, S> {
    /// A Binary Star server (`bstar_new`): [`PRIMARY`] or [`BACKUP`], the
    /// endpoint to bind our state publisher to, and the peer's to connect
    /// to. It has its own context ([`Bstar::context`]).
    pub fn new(primary: bool, local: &str, remote: &str) -> zmq::Result<Bstar<'a, S>> {
        let context = Context::new();
        //  As czmq's zctx: close without lingering
        context.set_default_linger(Some(Duration::ZERO));
        //  Create publisher for state going to peer
        let statepub = context.socket(SocketType::Pub)?;
        statepub.bind(local)?;
        //  Create subscriber for state coming from peer
        let statesub = context.socket(SocketType::Sub)?;
        statesub.set_subscribe(b"")?;
        statesub.connect(remote)?;

        let shared = Rc::new(RefCell::new(Shared {
            fsm: Fsm::new(primary),
            active_fn: None,
            passive_fn: None,
        }));
        let mut reactor = Reactor::new();
        //  Set-up basic reactor events
        //  Publish our state to peer
        let state = Rc::clone(&shared);
        reactor.add_timer(HEARTBEAT, 0, move |_, _, _| {
            let number = state.borrow().fsm.state as u8;
            statepub.send(number.to_string())?;
            Ok(Flow::Continue)
        });
        //  Receive state from peer, execute finite state machine
        let state = Rc::clone(&shared);
        reactor.add_reader(statesub, move |reactor, socket, app| {
            let message = socket.recv_msg()?;
            state.borrow_mut().fsm.update_peer_expiry();
            let Some(event) = Event::from_peer(&message) else {
                return Ok(Flow::Continue); // not a state: ignored, as atoi gives 0
            };
            match execute(&state, event, reactor, app)? {
                Some(flow) => Ok(flow),
                None => Ok(Flow::Stop), // a fatal pairing ends the reactor
            }
        });
        Ok(Bstar {
            context,
            reactor,
            shared,
            has_voter: false,
        })
    }

    /// The context of the server's sockets (the voter's too).
    pub fn context(&self) -> &Context {
        &self.context
    }

    /// The underlying reactor (`bstar_zloop`), for the application's own
    /// readers and timers.
    pub fn reactor(&mut self) -> &mut Reactor<'a, S> {
        &mut self.reactor
    }

    /// The current state.
    pub fn state(&self) -> State {
        self.shared.borrow().fsm.state
    }

    /// Binds a socket of `kind` at `endpoint` for clients (`bstar_voter`);
    /// each message on it is a vote. When the machine accepts it, `handler`
    /// gets the socket to read the message and answer; otherwise the
    /// message is dropped. One voter per server: a second is
    /// `ErrorKind::InvalidState`.
    pub fn voter<F>(&mut self, endpoint: &str, kind: SocketType, handler: F) -> zmq::Result<()>
    where
        F: FnMut(&mut Reactor<'a, S>, &Socket, &mut S) -> zmq::Result<Flow> + 'a,
    {
        if self.has_voter {
            return Err(zmq::Error::from(ErrorKind::InvalidState));
        }
        let socket = self.context.socket(kind)?;
        socket.bind(endpoint)?;
        self.voter_socket(socket, handler)
    }

    /// [`Bstar::voter`] on a socket the caller made in this Binary Star's
    /// [`context`](Bstar::context) and bound, for options that must be set
    /// before the bind (the send HWM of a snapshot ROUTER, say).
    pub fn voter_socket<F>(&mut self, socket: Socket, mut handler: F) -> zmq::Result<()>
    where
        F: FnMut(&mut Reactor<'a, S>, &Socket, &mut S) -> zmq::Result<Flow> + 'a,
    {
        if self.has_voter {
            return Err(zmq::Error::from(ErrorKind::InvalidState));
        }
        let state = Rc::clone(&self.shared);
        //  Application wants to speak to us, see if it's possible
        self.reactor
            .add_reader(socket, move |reactor, socket, app| {
                //  If server can accept input now, call appl handler
                match execute(&state, Event::ClientRequest, reactor, app)? {
                    Some(Flow::Continue) => handler(reactor, socket, app),
                    Some(Flow::Stop) => Ok(Flow::Stop),
                    None => {
                        //  Destroy waiting message, no-one to read it
                        socket.recv_multipart()?;
                        Ok(Flow::Continue)
                    }
                }
            });
        self.has_voter = true;
        Ok(())
    }

    /// Calls `handler` each time this server becomes active.
    pub fn new_active<F>(&mut self, handler: F)
    where
        F: FnMut(&mut Reactor<'a, S>, &mut S) -> zmq::Result<Flow> + 'a,
    {
        self.shared.borrow_mut().active_fn = Some(Box::new(handler));
    }

    /// Calls `handler` each time this server becomes passive.
    pub fn new_passive<F>(&mut self, handler: F)
    where
        F: FnMut(&mut Reactor<'a, S>, &mut S) -> zmq::Result<Flow> + 'a,
    {
        self.shared.borrow_mut().passive_fn = Some(Box::new(handler));
    }

    /// Runs the reactor (`bstar_start`) until a handler stops it or fails,
    /// a fatal state pairing, or the context is shut down (Ctrl-C with the
    /// examples' interrupt helper). A server without a voter is
    /// `ErrorKind::InvalidState`.
    pub fn start(&mut self, app: &mut S) -> zmq::Result<Ended> {
        if !self.has_voter {
            return Err(zmq::Error::from(ErrorKind::InvalidState));
        }
        self.shared.borrow_mut().fsm.update_peer_expiry();
        self.reactor.run(app)
    }
}

/// The arguments of the Binary Star servers: `-p` (primary) or `-b`
/// (backup), then optionally the frontend, local state and remote state
/// endpoints, by default the guide's (`tcp://*:5001`, `tcp://*:5003`,
/// `tcp://localhost:5004` for the primary; 5002, 5004, 5003 for the
/// backup). Bad arguments end the program with `usage: {usage}`, status 2.
pub fn server_args(usage: &str) -> (bool, [String; 3]) {
    let fail = || -> ! {
        eprintln!("usage: {usage}");
        std::process::exit(2)
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let primary = match args.first().map(String::as_str) {
        Some("-p") => PRIMARY,
        Some("-b") => BACKUP,
        _ => fail(),
    };
    let defaults = if primary {
        ["tcp://*:5001", "tcp://*:5003", "tcp://localhost:5004"]
    } else {
        ["tcp://*:5002", "tcp://*:5004", "tcp://localhost:5003"]
    };
    match args.get(1..) {
        Some([]) => (primary, defaults.map(String::from)),
        Some([a, b, c]) => (primary, [a.clone(), b.clone(), c.clone()]),
        _ => fail(),
    }
}
