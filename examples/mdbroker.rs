//! Majordomo broker (the guide's `mdbroker.c`, chapter 4, "Service-Oriented
//! Reliable Queuing"): one ROUTER on `tcp://*:5555` for clients (MDP/Client)
//! and workers (MDP/Worker). Requests queue per service and go to that
//! service's idle workers; workers are heartbeated every 2.5 s and
//! forgotten after three silent heartbeats; `mmi.service` answers whether a
//! service has workers (`200`) or not (`404`).
//!
//! ```text
//! cargo run --example mdbroker [-v] [SECONDS [ENDPOINT]]
//! ```
//!
//! `-v` prints every message; it runs `SECONDS` seconds (default forever,
//! also `0`). Ctrl-C ends it with `W: interrupt received, shutting
//! down...` and status 0 (`zhelpers::interrupt`).

#[path = "zhelpers/mod.rs"]
mod zhelpers;

#[path = "mdp/mod.rs"]
mod mdp;

use std::collections::{HashMap, VecDeque};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use mdp::{log, MDPC_CLIENT, MDPW_WORKER};
use mdp::{MDPW_DISCONNECT, MDPW_HEARTBEAT, MDPW_READY, MDPW_REPLY, MDPW_REQUEST};
use zmq::{Context, Message, Multipart, PollEvents, Socket, SocketType};

const USAGE: &str = "mdbroker [-v] [SECONDS [ENDPOINT]]  (SECONDS 0 = forever)";

//  We'd normally pull these from config data
const HEARTBEAT_LIVENESS: u32 = 3; //  3-5 is reasonable
const HEARTBEAT_INTERVAL: Duration = Duration::from_millis(2500);
const HEARTBEAT_EXPIRY: Duration = Duration::from_millis(2500 * HEARTBEAT_LIVENESS as u64);

fn main() -> ExitCode {
    let (verbose, args) = mdp::args(2, USAGE);
    let seconds: u64 = mdp::arg(&args, 0, 0, USAGE);
    let endpoint: String = mdp::arg(&args, 1, "tcp://*:5555".into(), USAGE);
    zhelpers::exit_status("mdbroker", run(verbose, seconds, &endpoint))
}

//  The service class defines a single service instance:
struct Service {
    requests: VecDeque<Multipart>, //  List of client requests
    waiting: VecDeque<String>,     //  List of waiting workers
    workers: usize,                //  How many workers we have
}

//  The worker class defines a single worker, idle or active:
struct Worker {
    identity: Message,       //  Identity frame for routing
    service: Option<String>, //  Owning service, if known
    expiry: Instant,         //  When worker expires, if no heartbeat
}

//  The broker class defines a single broker instance:
struct Broker {
    socket: Socket,                     //  Socket for clients & workers
    verbose: bool,                      //  Print activity to stdout
    services: HashMap<String, Service>, //  Hash of known services
    workers: HashMap<String, Worker>,   //  Hash of known workers
    waiting: VecDeque<String>,          //  List of waiting workers
    heartbeat_at: Instant,              //  When to send HEARTBEAT
}

fn hex(frame: &[u8]) -> String {
    frame.iter().map(|b| format!("{b:02X}")).collect()
}

impl Broker {
    //  This method binds the broker instance to an endpoint. We can call
    //  this multiple times. Note that MDP uses a single socket for both
    //  clients and workers:
    fn bind(&self, endpoint: &str) -> zmq::Result<()> {
        self.socket.bind(endpoint)?;
        log(&format!("I: MDP broker/0.2.0 is active at {endpoint}"));
        Ok(())
    }

    //  This method processes one READY, REPLY, HEARTBEAT, or DISCONNECT
    //  message sent to the broker by a worker:
    fn worker_msg(&mut self, sender: Message, mut msg: Multipart) -> zmq::Result<()> {
        let Some(command) = msg.pop_front() else {
            log("E: invalid input message (no command)");
            return Ok(());
        };
        let id_string = hex(&sender);
        let worker_ready = self.workers.contains_key(&id_string);
        self.worker_require(&id_string, sender);

        if command == MDPW_READY {
            let service_frame = msg.pop_front();
            if worker_ready {
                //  Not first command in session
                self.worker_delete(&id_string, true)?;
            } else if service_frame
                .as_ref()
                .is_none_or(|s| s.starts_with(b"mmi."))
            {
                //  Reserved service name (or none)
                self.worker_delete(&id_string, true)?;
            } else if let Some(service_frame) = service_frame {
                //  Attach worker to service and mark as idle
                let name = self.service_require(&service_frame);
                if let Some(service) = self.services.get_mut(&name) {
                    service.workers += 1;
                }
                if let Some(worker) = self.workers.get_mut(&id_string) {
                    worker.service = Some(name);
                }
                self.worker_waiting(&id_string)?;
            }
        } else if command == MDPW_REPLY {
            if worker_ready {
                //  Remove and save client return envelope and insert the
                //  protocol header and service name, then rewrap envelope.
                let service = self.workers.get(&id_string).and_then(|w| w.service.clone());
                if let (Some(client), Some(service)) = (msg.unwrap(), service) {
                    msg.push_front(service.as_str());
                    msg.push_front(MDPC_CLIENT);
                    msg.wrap(client);
                    self.socket.send_multipart(msg)?;
                }
                self.worker_waiting(&id_string)?;
            } else {
                self.worker_delete(&id_string, true)?;
            }
        } else if command == MDPW_HEARTBEAT {
            if worker_ready {
                if let Some(worker) = self.workers.get_mut(&id_string) {
                    worker.expiry = Instant::now() + HEARTBEAT_EXPIRY;
                }
            } else {
                self.worker_delete(&id_string, true)?;
            }
        } else if command == MDPW_DISCONNECT {
            self.worker_delete(&id_string, false)?;
        } else {
            log("E: invalid input message");
            mdp::dump(&msg);
        }
        Ok(())
    }

    //  Process a request coming from a client. We implement MMI requests
    //  directly here (at present, we implement only the mmi.service request):
    fn client_msg(&mut self, sender: Message, mut msg: Multipart) -> zmq::Result<()> {
        //  Service name + body
        if msg.len() < 2 {
            log("E: invalid client message (no service or body)");
            return Ok(());
        }
        let Some(service_frame) = msg.pop_front() else {
            return Ok(());
        };
        let name = self.service_require(&service_frame);
        //  Set reply return identity to client sender
        msg.wrap(sender);

        //  If we got a MMI service request, process that internally
        if service_frame.starts_with(b"mmi.") {
            let return_code = if service_frame == "mmi.service" {
                let name = msg.last().map(|f| String::from_utf8_lossy(f).into_owned());
                let known = name
                    .and_then(|name| self.services.get(&name))
                    .is_some_and(|service| service.workers > 0);
                if known {
                    "200"
                } else {
                    "404"
                }
            } else {
                "501"
            };
            if let Some(last) = msg.last_mut() {
                *last = Message::from(return_code);
            }
            //  Remove & save client return envelope and insert the
            //  protocol header and service name, then rewrap envelope.
            if let Some(client) = msg.unwrap() {
                msg.push_front(service_frame);
                msg.push_front(MDPC_CLIENT);
                msg.wrap(client);
                self.socket.send_multipart(msg)?;
            }
        } else {
            //  Else dispatch the message to the requested service
            self.service_dispatch(&name, Some(msg))?;
        }
        Ok(())
    }

    //  This method deletes any idle workers that haven't pinged us in a
    //  while. We hold workers from oldest to most recent so we can stop
    //  scanning whenever we find a live worker. This means we'll mainly stop
    //  at the first worker, which is essential when we have large numbers of
    //  workers (we call this method in our critical path):
    fn purge(&mut self) -> zmq::Result<()> {
        while let Some(id) = self.waiting.front().cloned() {
            let alive = self
                .workers
                .get(&id)
                .is_some_and(|worker| Instant::now() < worker.expiry);
            if alive {
                break; //  Worker is alive, we're done here
            }
            if self.verbose {
                log(&format!("I: deleting expired worker: {id}"));
            }
            self.worker_delete(&id, false)?;
        }
        Ok(())
    }

    //  Lazy constructor that locates a service by name or creates a new
    //  service if there is no service already with that name.
    fn service_require(&mut self, service_frame: &[u8]) -> String {
        let name = String::from_utf8_lossy(service_frame).into_owned();
        if !self.services.contains_key(&name) {
            self.services.insert(
                name.clone(),
                Service {
                    requests: VecDeque::new(),
                    waiting: VecDeque::new(),
                    workers: 0,
                },
            );
            if self.verbose {
                log(&format!("I: added service: {name}"));
            }
        }
        name
    }

    //  This method sends requests to waiting workers:
    fn service_dispatch(&mut self, name: &str, msg: Option<Multipart>) -> zmq::Result<()> {
        if let (Some(msg), Some(service)) = (msg, self.services.get_mut(name)) {
            service.requests.push_back(msg); //  Queue message if any
        }
        self.purge()?;
        while let Some(service) = self.services.get_mut(name) {
            if service.waiting.is_empty() || service.requests.is_empty() {
                break;
            }
            let (Some(worker), Some(msg)) =
                (service.waiting.pop_front(), service.requests.pop_front())
            else {
                break;
            };
            self.waiting.retain(|id| *id != worker);
            self.worker_send(&worker, MDPW_REQUEST, None, msg)?;
        }
        Ok(())
    }

    //  Lazy constructor that locates a worker by identity, or creates a new
    //  worker if there is no worker already with that identity.
    fn worker_require(&mut self, id_string: &str, identity: Message) {
        if !self.workers.contains_key(id_string) {
            self.workers.insert(
                id_string.to_owned(),
                Worker {
                    identity,
                    service: None,
                    expiry: Instant::now() + HEARTBEAT_EXPIRY,
                },
            );
            if self.verbose {
                log(&format!("I: registering new worker: {id_string}"));
            }
        }
    }

    //  This method deletes the current worker.
    fn worker_delete(&mut self, id: &str, disconnect: bool) -> zmq::Result<()> {
        if disconnect {
            self.worker_send(id, MDPW_DISCONNECT, None, Multipart::new())?;
        }
        if let Some(worker) = self.workers.remove(id) {
            if let Some(service) = worker.service.and_then(|s| self.services.get_mut(&s)) {
                service.waiting.retain(|w| w != id);
                service.workers -= 1;
            }
        }
        self.waiting.retain(|w| w != id);
        Ok(())
    }

    //  This method formats and sends a command to a worker. The caller may
    //  also provide a command option, and a message payload:
    fn worker_send(
        &self,
        id: &str,
        command: &[u8],
        option: Option<&str>,
        mut msg: Multipart,
    ) -> zmq::Result<()> {
        let Some(worker) = self.workers.get(id) else {
            return Ok(());
        };
        //  Stack protocol envelope to start of message
        if let Some(option) = option {
            msg.push_front(option);
        }
        msg.push_front(command);
        msg.push_front(MDPW_WORKER);

        //  Stack routing envelope to start of message
        msg.wrap(&worker.identity);

        if self.verbose {
            log(&format!(
                "I: sending {} to worker",
                mdp::command_name(command)
            ));
            mdp::dump(&msg);
        }
        self.socket.send_multipart(msg)
    }

    //  This worker is now waiting for work
    fn worker_waiting(&mut self, id: &str) -> zmq::Result<()> {
        //  Queue to broker and service waiting lists
        let Some(worker) = self.workers.get_mut(id) else {
            return Ok(());
        };
        worker.expiry = Instant::now() + HEARTBEAT_EXPIRY;
        let Some(name) = worker.service.clone() else {
            return Ok(());
        };
        self.waiting.push_back(id.to_owned());
        if let Some(service) = self.services.get_mut(&name) {
            service.waiting.push_back(id.to_owned());
        }
        self.service_dispatch(&name, None)
    }
}

//  Finally, here is the main task. We create a new broker instance and
//  then process messages on the broker socket:
fn run(verbose: bool, seconds: u64, endpoint: &str) -> Result<(), Box<dyn std::error::Error>> {
    let ctx = Context::new();
    let mut broker = Broker {
        socket: ctx.socket(SocketType::Router)?,
        verbose,
        services: HashMap::new(),
        workers: HashMap::new(),
        waiting: VecDeque::new(),
        heartbeat_at: Instant::now() + HEARTBEAT_INTERVAL,
    };
    broker.socket.set_linger(Some(Duration::ZERO))?;
    broker.bind(endpoint)?;
    let end = (seconds > 0).then(|| Instant::now() + Duration::from_secs(seconds));
    //  Ctrl-C shuts the context down: the loop ends on Terminated
    let interrupt = zhelpers::interrupt::catch(&ctx)?;
    zhelpers::stopped_ok(serve(&mut broker, end))?;
    drop(interrupt);
    if zhelpers::interrupt::interrupted() {
        println!("W: interrupt received, shutting down...");
    }
    Ok(())
}

//  Get and process messages forever, until the time is up or interrupted
fn serve(broker: &mut Broker, end: Option<Instant>) -> zmq::Result<()> {
    while end.is_none_or(|end| Instant::now() < end) {
        let wait = end.map_or(HEARTBEAT_INTERVAL, |end| {
            HEARTBEAT_INTERVAL.min(end.saturating_duration_since(Instant::now()))
        });
        //  Process next input message, if any
        if !broker
            .socket
            .poll(PollEvents::POLLIN, Some(wait))?
            .is_empty()
        {
            let mut msg = broker.socket.recv_multipart()?;
            if broker.verbose {
                log("I: received message:");
                mdp::dump(&msg);
            }
            let sender = msg.pop_front();
            let _empty = msg.pop_front();
            let header = msg.pop_front();

            match (sender, header) {
                (Some(sender), Some(header)) if header == MDPC_CLIENT => {
                    broker.client_msg(sender, msg)?
                }
                (Some(sender), Some(header)) if header == MDPW_WORKER => {
                    broker.worker_msg(sender, msg)?
                }
                _ => {
                    log("E: invalid message:");
                    mdp::dump(&msg);
                }
            }
        }
        //  Disconnect and delete any expired workers
        //  Send heartbeats to idle workers if needed
        if Instant::now() > broker.heartbeat_at {
            broker.purge()?;
            for id in &broker.waiting {
                broker.worker_send(id, MDPW_HEARTBEAT, None, Multipart::new())?;
            }
            broker.heartbeat_at = Instant::now() + HEARTBEAT_INTERVAL;
        }
    }
    Ok(())
}
