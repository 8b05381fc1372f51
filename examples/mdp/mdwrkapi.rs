//! The Majordomo worker API (the guide's `mdwrkapi.c`): a DEALER connected
//! to the broker that registers a service with READY, heartbeats, answers
//! the broker's heartbeats and DISCONNECT, and reconnects when the broker
//! has been silent for [`HEARTBEAT_LIVENESS`] heartbeats.

use std::time::{Duration, Instant};

use zmq::{Context, Message, Multipart, PollEvents, Socket, SocketType};

use super::{frame_is, log, Error, Result};
use super::{MDPW_DISCONNECT, MDPW_HEARTBEAT, MDPW_READY, MDPW_REPLY, MDPW_REQUEST, MDPW_WORKER};

/// Silent heartbeats before the broker is taken for dead (3-5 is reasonable).
pub const HEARTBEAT_LIVENESS: u32 = 3;

/// A worker's session with a broker (`mdwrk_t`).
pub struct Worker {
    ctx: Context,
    broker: String,
    service: String,
    worker: Option<Socket>, //  Socket to broker
    verbose: bool,          //  Print activity to stdout

    //  Heartbeat management
    heartbeat_at: Instant, //  When to send HEARTBEAT
    liveness: u32,         //  How many attempts left
    heartbeat: Duration,   //  Heartbeat delay
    reconnect: Duration,   //  Reconnect delay

    reply_to: Option<Message>, //  Return identity, if any
}

impl Worker {
    /// Connects to `broker` and registers `service` (`mdwrk_new`). The
    /// socket lives in `ctx`: shutting it down ends a blocked
    /// [`recv`](Worker::recv) with `ErrorKind::Terminated`.
    pub fn new(ctx: &Context, broker: &str, service: &str, verbose: bool) -> Result<Worker> {
        let mut worker = Worker {
            ctx: ctx.clone(),
            broker: broker.to_owned(),
            service: service.to_owned(),
            worker: None,
            verbose,
            heartbeat_at: Instant::now(),
            liveness: HEARTBEAT_LIVENESS,
            heartbeat: Duration::from_millis(2500),
            reconnect: Duration::from_millis(2500),
            reply_to: None,
        };
        worker.connect_to_broker()?;
        Ok(worker)
    }

    /// Sets the heartbeat delay (default 2.5 s).
    pub fn set_heartbeat(&mut self, heartbeat: Duration) {
        self.heartbeat = heartbeat;
        self.heartbeat_at = Instant::now() + heartbeat;
    }

    /// Sets the delay before reconnecting to a silent broker (default 2.5 s).
    pub fn set_reconnect(&mut self, reconnect: Duration) {
        self.reconnect = reconnect;
    }

    //  Send message to broker
    fn send_to_broker(&self, command: &[u8], option: Option<&str>, msg: Multipart) -> Result<()> {
        let mut msg = msg;
        //  Stack protocol envelope to start of message
        if let Some(option) = option {
            msg.push_front(option);
        }
        msg.push_front(command);
        msg.push_front(MDPW_WORKER);
        msg.push_front("");
        if self.verbose {
            log(&format!(
                "I: sending {} to broker",
                super::command_name(command)
            ));
            super::dump(&msg);
        }
        match &self.worker {
            Some(socket) => Ok(socket.send_multipart(msg)?),
            None => Err(Error::Protocol("no connection to the broker".into())),
        }
    }

    //  Connect or reconnect to broker
    fn connect_to_broker(&mut self) -> Result<()> {
        self.worker = None; // the old socket goes first (linger 0)
        let socket = self.ctx.socket(SocketType::Dealer)?;
        socket.set_linger(Some(Duration::ZERO))?;
        socket.connect(&self.broker)?;
        self.worker = Some(socket);
        if self.verbose {
            log(&format!("I: connecting to broker at {}...", self.broker));
        }

        //  Register service with broker
        self.send_to_broker(MDPW_READY, Some(&self.service), Multipart::new())?;

        //  If liveness hits zero, queue is considered disconnected
        self.liveness = HEARTBEAT_LIVENESS;
        self.heartbeat_at = Instant::now() + self.heartbeat;
        Ok(())
    }

    /// Sends `reply` (to the request returned last), if any, then waits for
    /// the next request and returns its body (`mdwrk_recv`). Heartbeats and
    /// reconnects meanwhile. A reply with no request to answer is refused
    /// with `Error::Protocol` (and not sent). Ctrl-C (`zhelpers::interrupt`)
    /// ends it with an error for which [`Error::is_stop`] holds, after the
    /// guide's `W: interrupt received, killing worker...`.
    pub fn recv(&mut self, reply: Option<Multipart>) -> Result<Multipart> {
        let result = self.recv_request(reply);
        super::warn_if_interrupted(result, "worker")
    }

    fn recv_request(&mut self, reply: Option<Multipart>) -> Result<Multipart> {
        //  Format and send the reply if we were provided one
        if let Some(mut reply) = reply {
            let Some(reply_to) = self.reply_to.take() else {
                return Err(Error::Protocol("a reply, but no request to answer".into()));
            };
            reply.wrap(reply_to);
            self.send_to_broker(MDPW_REPLY, None, reply)?;
        }

        loop {
            let socket = self
                .worker
                .as_ref()
                .ok_or_else(|| Error::Protocol("no connection to the broker".into()))?;
            if !socket
                .poll(PollEvents::POLLIN, Some(self.heartbeat))?
                .is_empty()
            {
                let mut msg = socket.recv_multipart()?;
                if self.verbose {
                    log("I: received message from broker:");
                    super::dump(&msg);
                }
                self.liveness = HEARTBEAT_LIVENESS;

                let empty = msg.pop_front();
                let header = msg.pop_front();
                let command = msg.pop_front();
                if !frame_is(empty.as_ref(), b"")
                    || !frame_is(header.as_ref(), MDPW_WORKER.as_bytes())
                {
                    log("E: invalid input message");
                    super::dump(&msg);
                } else if frame_is(command.as_ref(), MDPW_REQUEST) {
                    //  We should pop and save as many addresses as there are
                    //  up to a null part, but for now, just save one...
                    self.reply_to = msg.unwrap();
                    if self.reply_to.is_some() {
                        return Ok(msg); //  We have a request to process
                    }
                    log("E: request without a return address");
                } else if frame_is(command.as_ref(), MDPW_HEARTBEAT) {
                    //  Do nothing for heartbeats
                } else if frame_is(command.as_ref(), MDPW_DISCONNECT) {
                    self.connect_to_broker()?;
                } else {
                    log("E: invalid input message");
                    super::dump(&msg);
                }
            } else {
                self.liveness -= 1;
                if self.liveness == 0 {
                    if self.verbose {
                        log("W: disconnected from broker - retrying...");
                    }
                    //  Ctrl-C cuts the nap short; the reconnect then
                    //  fails with the context's shutdown
                    crate::zhelpers::sleep_unless_interrupted(self.reconnect);
                    self.connect_to_broker()?;
                }
            }
            //  Send HEARTBEAT if it's time
            if Instant::now() > self.heartbeat_at {
                self.send_to_broker(MDPW_HEARTBEAT, None, Multipart::new())?;
                self.heartbeat_at = Instant::now() + self.heartbeat;
            }
        }
    }
}
