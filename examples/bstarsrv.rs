//! Binary Star server, proof of concept (the guide's `bstarsrv.c`, chapter
//! 4, "High-Availability Pair (Binary Star Pattern)"): a primary and a
//! backup echo server that publish their state to each other every second
//! and fail over when a client asks the passive one after the active one
//! has been silent for two seconds. A plain poll loop around the
//! finite-state machine; `bstarsrv2` is the same on the reactor.
//!
//! ```text
//! cargo run --example bstarsrv -p     # primary, at tcp://localhost:5001
//! cargo run --example bstarsrv -b     # backup, at tcp://localhost:5002
//! cargo run --example bstarsrv -p|-b [FRONTEND LOCAL REMOTE]
//! ```
//!
//! The optional endpoints move the server: the frontend it binds for
//! clients (`tcp://*:5001`), its state publisher (`tcp://*:5003`) and the
//! peer's state publisher (`tcp://localhost:5004`); the backup's defaults
//! are 5002, 5004 and 5003. Ctrl-C stops it with `W: interrupted`, status 0.

#[path = "bstar/mod.rs"]
mod bstar;
#[path = "zhelpers/mod.rs"]
mod zhelpers;

use std::process::ExitCode;
use std::time::{Duration, Instant};

use bstar::{Event, State, HEARTBEAT};
use zmq::{Context, ErrorKind, PollEvents, Poller, SocketType};

const USAGE: &str = "bstarsrv { -p | -b } [FRONTEND LOCAL REMOTE]";

//  Our finite state machine
struct Fsm {
    state: State,         //  Current state
    peer_expiry: Instant, //  When peer is considered 'dead'
}

//  The heart of the Binary Star design is its finite-state machine (FSM).
//  The FSM runs one event at a time. We apply an event to the current state,
//  which checks if the event is accepted, and if so, sets a new state.
//  Returns whether there was an exception.
fn state_machine(fsm: &mut Fsm, event: Event) -> bool {
    let mut exception = false;
    match fsm.state {
        //  These are the PRIMARY and BACKUP states; we're waiting to become
        //  ACTIVE or PASSIVE depending on events we get from our peer:
        State::Primary => match event {
            Event::PeerBackup => {
                println!("I: connected to backup (passive), ready active");
                fsm.state = State::Active;
            }
            Event::PeerActive => {
                println!("I: connected to backup (active), ready passive");
                fsm.state = State::Passive;
            }
            //  Accept client connections
            _ => {}
        },
        State::Backup => match event {
            Event::PeerActive => {
                println!("I: connected to primary (active), ready passive");
                fsm.state = State::Passive;
            }
            //  Reject client connections when acting as backup
            Event::ClientRequest => exception = true,
            _ => {}
        },
        //  These are the ACTIVE and PASSIVE states:
        State::Active => {
            if event == Event::PeerActive {
                //  Two actives would mean split-brain
                println!("E: fatal error - dual actives, aborting");
                exception = true;
            }
        }
        //  Server is passive
        //  CLIENT_REQUEST events can trigger failover if peer looks dead
        State::Passive => match event {
            Event::PeerPrimary => {
                //  Peer is restarting - become active, peer will go passive
                println!("I: primary (passive) is restarting, ready active");
                fsm.state = State::Active;
            }
            Event::PeerBackup => {
                //  Peer is restarting - become active, peer will go passive
                println!("I: backup (passive) is restarting, ready active");
                fsm.state = State::Active;
            }
            Event::PeerPassive => {
                //  Two passives would mean cluster would be non-responsive
                println!("E: fatal error - dual passives, aborting");
                exception = true;
            }
            Event::ClientRequest => {
                //  Peer becomes active if timeout has passed
                //  It's the client request that triggers the failover
                if Instant::now() >= fsm.peer_expiry {
                    //  If peer is dead, switch to the active state
                    println!("I: failover successful, ready active");
                    fsm.state = State::Active;
                } else {
                    //  If peer is alive, reject connections
                    exception = true;
                }
            }
            Event::PeerActive => {}
        },
    }
    exception
}

//  This is our main task. First we bind/connect our sockets with our
//  peer and make sure we will get state messages correctly. We use
//  three sockets; one to publish state, one to subscribe to state, and
//  one for client requests/replies:
fn main() -> ExitCode {
    //  Arguments can be either of:
    //      -p  primary server, at tcp://localhost:5001
    //      -b  backup server, at tcp://localhost:5002
    let (primary, [frontend, local, remote]) = bstar::server_args(USAGE);
    zhelpers::exit_status("bstarsrv", run(primary, &frontend, &local, &remote))
}

fn run(primary: bool, frontend_endpoint: &str, local: &str, remote: &str) -> zmq::Result<()> {
    let ctx = Context::new();
    //  As czmq's zctx: close without lingering
    ctx.set_default_linger(Some(Duration::ZERO));
    let _interrupt = zhelpers::interrupt::catch(&ctx)?;
    let statepub = ctx.socket(SocketType::Pub)?;
    let statesub = ctx.socket(SocketType::Sub)?;
    statesub.set_subscribe(b"")?;
    let frontend = ctx.socket(SocketType::Router)?;
    let mut fsm = Fsm {
        state: if primary {
            State::Primary
        } else {
            State::Backup
        },
        peer_expiry: Instant::now(),
    };
    if primary {
        println!("I: Primary active, waiting for backup (passive)");
    } else {
        println!("I: Backup passive, waiting for primary (active)");
    }
    frontend.bind(frontend_endpoint)?;
    statepub.bind(local)?;
    statesub.connect(remote)?;

    //  We now process events on our two input sockets, and process these
    //  events one at a time via our finite-state machine. Our "work" for
    //  a client request is simply to echo it back:
    #[derive(PartialEq)]
    enum Input {
        Frontend,
        StateSub,
    }
    let mut poller = Poller::new();
    poller.add_socket(&frontend, PollEvents::POLLIN, Input::Frontend);
    poller.add_socket(&statesub, PollEvents::POLLIN, Input::StateSub);

    //  Set timer for next outgoing state message
    let mut send_state_at = Instant::now() + HEARTBEAT;
    loop {
        let time_left = send_state_at.saturating_duration_since(Instant::now());
        match poller.poll(Some(time_left)) {
            //  Context has been shut down (Ctrl-C)
            Err(e) if matches!(e.kind(), ErrorKind::Terminated | ErrorKind::Interrupted) => break,
            result => result?,
        };
        if poller
            .revents(&Input::Frontend)
            .contains(PollEvents::POLLIN)
        {
            //  Have a client request
            let msg = frontend.recv_multipart()?;
            if !state_machine(&mut fsm, Event::ClientRequest) {
                //  Answer client by echoing request back
                frontend.send_multipart(msg)?;
            }
        }
        if poller
            .revents(&Input::StateSub)
            .contains(PollEvents::POLLIN)
        {
            //  Have state from our peer, execute as event
            let message = statesub.recv_msg()?;
            if let Some(event) = Event::from_peer(&message) {
                if state_machine(&mut fsm, event) {
                    break; //  Error, so exit
                }
            }
            fsm.peer_expiry = Instant::now() + 2 * HEARTBEAT;
        }
        //  If we timed out, send state to peer
        if Instant::now() >= send_state_at {
            statepub.send((fsm.state as u8).to_string())?;
            send_state_at = Instant::now() + HEARTBEAT;
        }
    }
    if zhelpers::interrupt::interrupted() {
        println!("W: interrupted");
    }
    Ok(())
}
