//! The guide's `clone` class (chapter 5, "Clone Client Class"): the Clone
//! client API stack, multithreaded. The application thread talks to a
//! background agent over an inproc PAIR pipe; the agent keeps the
//! key-value map, takes a snapshot from a server, applies its updates,
//! and fails over to the next server when one is silent (no `HUGZ`) for
//! [`SERVER_TTL`].
//!
//! ```ignore
//! #[path = "clone/mod.rs"]
//! mod clone;
//! let clone = clone::CloneClient::new()?;
//! clone.subtree("/client/")?;
//! clone.connect("tcp://localhost", "5556")?;
//! clone.connect("tcp://localhost", "5566")?;
//! clone.set("/client/1", "value", 0)?;
//! ```
//!
//! It speaks to `clonesrv6` (updates go to the servers' collector, a SUB,
//! on port + 2). The C class is `clone_t`; this is `CloneClient`, since
//! `Clone` is Rust's trait.
#![allow(dead_code)]

use std::thread;
use std::time::{Duration, Instant};

use zmq::{Context, Multipart, PollEvents, PollItem, Socket, SocketType};

#[path = "../kvmsg/mod.rs"]
pub mod kvmsg;
use kvmsg::{log, KvMap, KvMsg};

/// If no server replies within this time, abandon request (the C defines
/// it and never uses it; neither does this).
pub const GLOBAL_TIMEOUT: Duration = Duration::from_millis(4000);

/// Number of servers to which we will talk to.
pub const SERVER_MAX: usize = 2;

/// Server considered dead if silent for this long.
pub const SERVER_TTL: Duration = Duration::from_millis(5000);

// =====================================================================
//  Synchronous part, works in our application thread

/// The application's handle on a Clone agent. Dropping it ends the agent.
pub struct CloneClient {
    ctx: Context, //  Our context
    pipe: Socket, //  Pipe through to clone agent
    agent: Option<thread::JoinHandle<()>>,
}

impl CloneClient {
    /// Starts the agent (`clone_new`). We create a context specifically
    /// for the pipe that connects our frontend to the backend agent.
    pub fn new() -> zmq::Result<CloneClient> {
        let ctx = Context::new();
        ctx.set_default_linger(Some(Duration::ZERO));
        let pipe = ctx.socket(SocketType::Pair)?;
        pipe.bind("inproc://clone-agent")?;
        let child = ctx.socket(SocketType::Pair)?;
        child.connect("inproc://clone-agent")?;
        let agent = thread::spawn(move || {
            let agent = Agent::new(child);
            if let Ok(mut agent) = agent {
                let _ = agent.run();
            }
        });
        Ok(CloneClient {
            ctx,
            pipe,
            agent: Some(agent),
        })
    }

    /// Specifies the subtree for snapshot and updates, which we must do
    /// before connecting to a server as the subtree specification is sent
    /// as the first command to the server. Sends `[SUBTREE][subtree]`.
    pub fn subtree(&self, subtree: &str) -> zmq::Result<()> {
        self.pipe.send_multipart(["SUBTREE", subtree])
    }

    /// Connects to a new server endpoint (`tcp://localhost`, `5556`); at
    /// most two. Sends `[CONNECT][endpoint][service]`.
    pub fn connect(&self, address: &str, service: &str) -> zmq::Result<()> {
        self.pipe.send_multipart(["CONNECT", address, service])
    }

    /// Sets a new value in the shared hashmap; `ttl` in seconds, 0 for
    /// ever. Sends `[SET][key][value][ttl]` to the agent, which does the
    /// actual work.
    pub fn set(&self, key: &str, value: &str, ttl: u32) -> zmq::Result<()> {
        self.pipe
            .send_multipart(["SET", key, value, &ttl.to_string()])
    }

    /// Looks a value up in the distributed hash table: sends `[GET][key]`
    /// and waits for the value; `None` when the key has none.
    pub fn get(&self, key: &str) -> zmq::Result<Option<String>> {
        self.pipe.send_multipart(["GET", key])?;
        let value = self.pipe.recv_string()?;
        Ok((!value.is_empty()).then_some(value))
    }
}

impl Drop for CloneClient {
    fn drop(&mut self) {
        let _ = self.ctx.shutdown();
        if let Some(agent) = self.agent.take() {
            let _ = agent.join();
        }
    }
}

// =====================================================================
//  Asynchronous part, works in the background

//  The backend agent manages a set of servers, which we implement using
//  our simple class model:
struct Server {
    address: String,    //  Server address
    port: u16,          //  Server port
    snapshot: Socket,   //  Snapshot socket
    subscriber: Socket, //  Incoming updates
    expiry: Instant,    //  When server expires
    requests: u32,      //  How many snapshot requests made?
}

impl Server {
    fn new(ctx: &Context, address: &str, port: u16, subtree: &str) -> zmq::Result<Server> {
        log(&format!("I: adding server {address}:{port}..."));
        let snapshot = ctx.socket(SocketType::Dealer)?;
        snapshot.connect(&format!("{address}:{port}"))?;
        let subscriber = ctx.socket(SocketType::Sub)?;
        subscriber.connect(&format!("{address}:{}", port + 1))?;
        subscriber.set_subscribe(subtree.as_bytes())?;
        subscriber.set_subscribe(b"HUGZ")?;
        Ok(Server {
            address: address.to_owned(),
            port,
            snapshot,
            subscriber,
            expiry: Instant::now() + SERVER_TTL,
            requests: 0,
        })
    }
}

//  States we can be in
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Initial, //  Before asking server for state
    Syncing, //  Getting state from server
    Active,  //  Getting new updates from server
}

struct Agent {
    ctx: Context,
    pipe: Socket,         //  Pipe back to application
    kvmap: KvMap,         //  Actual key/value table
    subtree: String,      //  Subtree specification, if any
    servers: Vec<Server>, //  At most SERVER_MAX
    state: State,         //  Current state
    cur_server: usize,    //  If active, server 0 or 1
    sequence: i64,        //  Last kvmsg processed
    publisher: Socket,    //  Outgoing updates
}

impl Agent {
    fn new(pipe: Socket) -> zmq::Result<Agent> {
        let ctx = pipe.context().clone();
        let publisher = ctx.socket(SocketType::Pub)?;
        Ok(Agent {
            ctx,
            pipe,
            kvmap: KvMap::new(),
            subtree: String::new(),
            servers: Vec::new(),
            state: State::Initial,
            cur_server: 0,
            sequence: 0,
            publisher,
        })
    }

    //  Here we handle the different control messages from the frontend;
    //  SUBTREE, CONNECT, SET, and GET:
    fn control_message(&mut self, mut msg: Multipart) -> zmq::Result<()> {
        let mut next = || {
            msg.pop_front()
                .map(|f| String::from_utf8_lossy(&f).into_owned())
        };
        let command = next().unwrap_or_default();
        match command.as_str() {
            "SUBTREE" => self.subtree = next().unwrap_or_default(),
            "CONNECT" => {
                let address = next().unwrap_or_default();
                let service = next().unwrap_or_default();
                let Ok(port) = service.parse::<u16>() else {
                    log(&format!("E: bad service {service:?}"));
                    return Ok(());
                };
                if self.servers.len() < SERVER_MAX {
                    let server = Server::new(&self.ctx, &address, port, &self.subtree)?;
                    self.servers.push(server);
                    //  We broadcast updates to all known servers
                    self.publisher.connect(&format!("{address}:{}", port + 2))?;
                } else {
                    log(&format!("E: too many servers (max. {SERVER_MAX})"));
                }
            }
            //  When we set a property, we push the new key-value pair onto
            //  all our connected servers:
            "SET" => {
                let (key, value, ttl) = (
                    next().unwrap_or_default(),
                    next().unwrap_or_default(),
                    next().unwrap_or_default(),
                );
                //  Send key-value pair on to server
                let mut kvmsg = KvMsg::new(0);
                kvmsg.set_key(&key);
                kvmsg.set_uuid();
                kvmsg.set_body(value.as_bytes());
                kvmsg.set_prop("ttl", &ttl);
                kvmsg.send(&self.publisher)?;
                kvmsg.store(&mut self.kvmap);
            }
            "GET" => {
                let key = next().unwrap_or_default();
                let value = self
                    .kvmap
                    .get(&key)
                    .and_then(|kvmsg| kvmsg.body())
                    .unwrap_or_default();
                self.pipe.send(value)?;
            }
            _ => {}
        }
        Ok(())
    }

    //  The asynchronous agent manages a server pool and handles the
    //  request-reply dialog when the application asks for it. It ends when
    //  the context is shut down.
    fn run(&mut self) -> zmq::Result<()> {
        loop {
            let mut server_socket: Option<&Socket> = None;
            if let Some(server) = self.servers.get_mut(self.cur_server) {
                match self.state {
                    State::Initial => {
                        //  In this state we ask the server for a snapshot,
                        //  if we have a server to talk to...
                        log(&format!(
                            "I: waiting for server at {}:{}...",
                            server.address, server.port
                        ));
                        if server.requests < 2 {
                            server
                                .snapshot
                                .send_multipart(["ICANHAZ?", self.subtree.as_str()])?;
                            server.requests += 1;
                        }
                        server.expiry = Instant::now() + SERVER_TTL;
                        self.state = State::Syncing;
                    }
                    //  In this state we read from snapshot and we expect
                    //  the server to respond, else we fail over.
                    State::Syncing => {}
                    //  In this state we read from subscriber and we expect
                    //  the server to give HUGZ, else we fail over.
                    State::Active => {}
                }
            }
            let server = self.servers.get(self.cur_server);
            if let Some(server) = server {
                server_socket = Some(match self.state {
                    State::Active => &server.subscriber,
                    _ => &server.snapshot,
                });
            }
            let timeout = server.map(|s| s.expiry.saturating_duration_since(Instant::now()));

            //  We're ready to process incoming messages; if nothing at all
            //  comes from our server within the timeout, that means the
            //  server is dead:
            let (control, input) = {
                let mut items = vec![PollItem::socket(&self.pipe, PollEvents::POLLIN)];
                if let Some(socket) = server_socket {
                    items.push(PollItem::socket(socket, PollEvents::POLLIN));
                }
                zmq::poll(&mut items, timeout)?;
                let input = items.get(1).is_some_and(PollItem::is_readable);
                (items[0].is_readable(), input)
            };
            if control {
                let msg = self.pipe.recv_multipart()?;
                self.control_message(msg)?;
            } else if input {
                let Some(server) = self.servers.get_mut(self.cur_server) else {
                    continue;
                };
                let socket = match self.state {
                    State::Active => &server.subscriber,
                    _ => &server.snapshot,
                };
                let Some(kvmsg) = KvMsg::recv(socket)? else {
                    continue;
                };
                //  Anything from server resets its expiry time
                server.expiry = Instant::now() + SERVER_TTL;
                if self.state == State::Syncing {
                    //  Store in snapshot until we're finished
                    server.requests = 0;
                    if kvmsg.key() == Some("KTHXBAI") {
                        self.sequence = kvmsg.sequence();
                        self.state = State::Active;
                        log(&format!(
                            "I: received from {}:{} snapshot={}",
                            server.address, server.port, self.sequence
                        ));
                    } else {
                        kvmsg.store(&mut self.kvmap);
                    }
                } else if self.state == State::Active {
                    //  Discard out-of-sequence updates, incl. HUGZ
                    if kvmsg.sequence() > self.sequence {
                        self.sequence = kvmsg.sequence();
                        kvmsg.store(&mut self.kvmap);
                        log(&format!(
                            "I: received from {}:{} update={}",
                            server.address, server.port, self.sequence
                        ));
                    }
                }
            } else if let Some(server) = self.servers.get(self.cur_server) {
                //  Server has died, failover to next
                log(&format!(
                    "I: server at {}:{} didn't give HUGZ",
                    server.address, server.port
                ));
                self.cur_server = (self.cur_server + 1) % self.servers.len();
                self.state = State::Initial;
            }
        }
    }
}
