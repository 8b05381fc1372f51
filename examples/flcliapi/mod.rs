//! The Freelance client API (the guide's `flcliapi.c`, chapter 4, "Model
//! Three: Complex and Nasty"), used by `flclient3`. Two halves: the
//! [`FlCliApi`] object the application calls, and an agent thread that
//! talks to the servers over a ROUTER socket, addressing each by its
//! endpoint (the servers, `flserver3`, take that as their identity). The
//! halves talk over an inproc PAIR pipe: `CONNECT endpoint`, `REQUEST ...`,
//! answered with `OK ...` or `FAILED`.
//!
//! The agent pings idle servers every 2 s and takes one silent for 6 s for
//! dead; a request goes to the first server believed alive, again each time
//! the agent wakes, until a reply with its sequence number comes or 3 s
//! pass. Include it with `#[path = "flcliapi/mod.rs"] mod flcliapi;`.
#![allow(dead_code)]

use std::collections::{HashMap, VecDeque};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use zmq::{Context, ErrorKind, Multipart, PollEvents, Poller, Socket, SocketType};

//  If no server replies within this time, abandon request
pub const GLOBAL_TIMEOUT: Duration = Duration::from_millis(3000);
//  PING interval for servers we think are alive
pub const PING_INTERVAL: Duration = Duration::from_millis(2000);
//  Server considered dead if silent for this long
pub const SERVER_TTL: Duration = Duration::from_millis(6000);

/// The application's half: a context, the pipe to the agent, the agent.
pub struct FlCliApi {
    context: Context,
    pipe: Socket,
    agent: Option<JoinHandle<()>>,
}

impl FlCliApi {
    /// Starts the agent thread.
    pub fn new() -> zmq::Result<FlCliApi> {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let endpoint = format!("inproc://flcliapi-{n}");
        let context = Context::new();
        //  As czmq's zctx: close without lingering
        context.set_default_linger(Some(Duration::ZERO));
        let pipe = context.socket(SocketType::Pair)?;
        pipe.bind(&endpoint)?;
        let agent_pipe = context.socket(SocketType::Pair)?;
        agent_pipe.connect(&endpoint)?;
        let router = context.socket(SocketType::Router)?;
        let agent = std::thread::spawn(move || {
            if let Err(e) = Agent::new(agent_pipe, router).run() {
                eprintln!("flcliapi: agent failed: {e}");
            }
        });
        Ok(FlCliApi {
            context,
            pipe,
            agent: Some(agent),
        })
    }

    /// Connects to a server (`CONNECT endpoint` to the agent), then waits
    /// 100 msec for the connection to come up, which isn't pretty, but
    /// saves us from sending all requests to a single server at start-up.
    pub fn connect(&mut self, endpoint: &str) -> zmq::Result<()> {
        self.pipe.send_multipart(["CONNECT", endpoint])?;
        std::thread::sleep(Duration::from_millis(100)); //  Allow connection to come up
        Ok(())
    }

    /// Sends a request through the agent and waits for its reply: `None`
    /// when no server answered in time.
    pub fn request(&mut self, mut request: Multipart) -> zmq::Result<Option<Multipart>> {
        request.push_front("REQUEST");
        self.pipe.send_multipart(request)?;
        let mut reply = self.pipe.recv_multipart()?;
        match reply.pop_front() {
            Some(status) if status == "OK" => Ok(Some(reply)),
            _ => Ok(None),
        }
    }
}

impl Drop for FlCliApi {
    fn drop(&mut self) {
        //  The agent's poll ends with the context (ETERM)
        let _ = self.context.shutdown();
        if let Some(agent) = self.agent.take() {
            let _ = agent.join();
        }
    }
}

//  One server we talk to
struct Server {
    alive: bool,      //  Whether known to be alive
    ping_at: Instant, //  Next ping at this time
    expires: Instant, //  Expires at this time
}

//  The agent: the pipe back to the application, the ROUTER to the
//  servers, the servers by endpoint and the ones believed alive, and the
//  request being worked on.
struct Agent {
    pipe: Socket,
    router: Socket,
    servers: HashMap<String, Server>,
    actives: VecDeque<String>,
    sequence: u64,
    request: Option<Multipart>,
    expires: Instant,
}

impl Agent {
    fn new(pipe: Socket, router: Socket) -> Agent {
        Agent {
            pipe,
            router,
            servers: HashMap::new(),
            actives: VecDeque::new(),
            sequence: 0,
            request: None,
            expires: Instant::now(),
        }
    }

    //  This method processes one message from our frontend class
    //  (it's going to be CONNECT or REQUEST):
    fn control_message(&mut self) -> zmq::Result<()> {
        let mut msg = self.pipe.recv_multipart()?;
        let Some(command) = msg.pop_front() else {
            return Ok(());
        };
        if command == "CONNECT" {
            let Some(endpoint) = msg.pop_front() else {
                return Ok(());
            };
            let endpoint = String::from_utf8_lossy(&endpoint).into_owned();
            println!("I: connecting to {endpoint}...");
            self.router.connect(&endpoint)?;
            let now = Instant::now();
            //  Believed alive until it stays silent for SERVER_TTL (the C
            //  version marks it alive only on its first answer, and then
            //  lists it a second time among the actives)
            self.servers.insert(
                endpoint.clone(),
                Server {
                    alive: true,
                    ping_at: now + PING_INTERVAL,
                    expires: now + SERVER_TTL,
                },
            );
            self.actives.push_back(endpoint);
        } else if command == "REQUEST" {
            //  Prefix request with sequence number and empty envelope
            self.sequence += 1;
            msg.push_front(self.sequence.to_string());
            //  Take ownership of request message
            self.request = Some(msg);
            //  Request expires after global timeout
            self.expires = Instant::now() + GLOBAL_TIMEOUT;
        }
        Ok(())
    }

    //  This method processes one message from a connected server:
    fn router_message(&mut self) -> zmq::Result<()> {
        let mut reply = self.router.recv_multipart()?;
        //  Frame 0 is server that replied
        let Some(endpoint) = reply.pop_front() else {
            return Ok(());
        };
        let endpoint = String::from_utf8_lossy(&endpoint).into_owned();
        let Some(server) = self.servers.get_mut(&endpoint) else {
            return Ok(()); //  Not one of ours
        };
        if !server.alive {
            self.actives.push_back(endpoint);
            server.alive = true;
        }
        let now = Instant::now();
        server.ping_at = now + PING_INTERVAL;
        server.expires = now + SERVER_TTL;

        //  Frame 1 may be sequence number for reply; a duplicate answer to
        //  a request already answered is dropped
        let sequence = reply.pop_front();
        if self.request.is_some()
            && sequence.is_some_and(|s| s == self.sequence.to_string().as_str())
        {
            reply.push_front("OK");
            self.pipe.send_multipart(reply)?;
            self.request = None;
        }
        Ok(())
    }

    //  Finally, here's the agent task itself, which polls its two sockets
    //  and processes incoming messages:
    fn run(mut self) -> zmq::Result<()> {
        loop {
            //  Calculate tickless timer, up to 1 hour
            let mut tickless = Instant::now() + Duration::from_secs(3600);
            if self.request.is_some() {
                tickless = tickless.min(self.expires);
            }
            for server in self.servers.values() {
                tickless = tickless.min(server.ping_at);
            }
            let (pipe_ready, router_ready) = {
                let mut poller = Poller::new();
                poller.add_socket(&self.pipe, PollEvents::POLLIN, 0);
                poller.add_socket(&self.router, PollEvents::POLLIN, 1);
                match poller.poll(Some(tickless.saturating_duration_since(Instant::now()))) {
                    Err(e) if e.kind() == ErrorKind::Terminated => return Ok(()), //  Context has been shut down
                    result => result?,
                };
                (
                    !poller.revents(&0).is_empty(),
                    !poller.revents(&1).is_empty(),
                )
            };
            if pipe_ready {
                self.control_message()?;
            }
            if router_ready {
                self.router_message()?;
            }
            //  If we're processing a request, dispatch to next server
            if let Some(request) = &self.request {
                if Instant::now() >= self.expires {
                    //  Request expired, kill it
                    self.pipe.send("FAILED")?;
                    self.request = None;
                } else {
                    //  Find server to talk to, remove any expired ones
                    while let Some(endpoint) = self.actives.front() {
                        let Some(server) = self.servers.get_mut(endpoint) else {
                            self.actives.pop_front();
                            continue;
                        };
                        if Instant::now() >= server.expires {
                            server.alive = false;
                            self.actives.pop_front();
                        } else {
                            let mut request = request.clone();
                            request.push_front(endpoint.as_str());
                            self.router.send_multipart(request)?;
                            break;
                        }
                    }
                }
            }
            //  Send heartbeats to idle servers if needed
            let now = Instant::now();
            for (endpoint, server) in &mut self.servers {
                if now >= server.ping_at {
                    self.router.send_multipart([endpoint.as_str(), "PING"])?;
                    server.ping_at = now + PING_INTERVAL;
                }
            }
        }
    }
}
