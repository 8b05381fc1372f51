//! The Majordomo client API (the guide's `mdcliapi.c`): a REQ socket that
//! sends a request to a service and waits for the reply, Lazy Pirate style:
//! on silence it reconnects and resends, and gives up after a number of
//! tries.

use std::time::Duration;

use zmq::{Context, Multipart, Socket, SocketType};

use super::{frame_is, log, Error, Result, MDPC_CLIENT};

/// A client's session with a broker (`mdcli_t`).
pub struct Client {
    ctx: Context,
    broker: String,
    client: Option<Socket>, //  Socket to broker
    verbose: bool,          //  Print activity to stdout
    timeout: Duration,      //  Request timeout
    retries: u32,           //  Request retries
}

impl Client {
    /// Connects to `broker` (`mdcli_new`), with a 2.5 s timeout and three
    /// tries per request.
    pub fn new(ctx: &Context, broker: &str, verbose: bool) -> Result<Client> {
        let mut client = Client {
            ctx: ctx.clone(),
            broker: broker.to_owned(),
            client: None,
            verbose,
            timeout: Duration::from_millis(2500),
            retries: 3, //  Before we abandon
        };
        client.connect_to_broker()?;
        Ok(client)
    }

    //  Connect or reconnect to broker
    fn connect_to_broker(&mut self) -> Result<()> {
        self.client = None;
        let socket = self.ctx.socket(SocketType::Req)?;
        socket.set_linger(Some(Duration::ZERO))?;
        socket.connect(&self.broker)?;
        self.client = Some(socket);
        if self.verbose {
            log(&format!("I: connecting to broker at {}...", self.broker));
        }
        Ok(())
    }

    /// Sets how long to wait for each reply.
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout;
    }

    /// Sets how many times a request is sent before giving up (at least 1).
    pub fn set_retries(&mut self, retries: u32) {
        self.retries = retries.max(1);
    }

    /// Sends `request` to `service` and returns the reply body, or `None`
    /// when no reply came after all tries (`mdcli_send`). A reply that is
    /// not MDP, or from another service, is an `Error::Protocol`. Ctrl-C
    /// (`zhelpers::interrupt`) ends it with an error for which
    /// `Error::is_stop` holds, after the guide's `W: interrupt received,
    /// killing client...` (the C returns NULL, as for no reply).
    pub fn send(&mut self, service: &str, request: Multipart) -> Result<Option<Multipart>> {
        let result = self.send_request(service, request);
        super::warn_if_interrupted(result, "client")
    }

    fn send_request(&mut self, service: &str, request: Multipart) -> Result<Option<Multipart>> {
        //  Prefix request with protocol frames
        //  Frame 1: "MDPCxy" (six bytes, MDP/Client x.y)
        //  Frame 2: Service name (printable string)
        let mut request = request;
        request.push_front(service);
        request.push_front(MDPC_CLIENT);
        if self.verbose {
            log(&format!("I: send request to '{service}' service:"));
            super::dump(&request);
        }
        let mut retries_left = self.retries;
        while retries_left > 0 {
            let socket = self
                .client
                .as_ref()
                .ok_or_else(|| Error::Protocol("no connection to the broker".into()))?;
            socket.send_multipart(request.clone())?;

            //  If we got a reply, process it
            if let Some(mut msg) = socket.recv_multipart_timeout(self.timeout)? {
                if self.verbose {
                    log("I: received reply:");
                    super::dump(&msg);
                }
                //  We would handle malformed replies better in real code
                if msg.len() < 3 {
                    return Err(Error::Protocol(format!("reply of {} frames", msg.len())));
                }
                if !frame_is(msg.pop_front().as_ref(), MDPC_CLIENT.as_bytes()) {
                    return Err(Error::Protocol("reply without the MDPC01 header".into()));
                }
                if !frame_is(msg.pop_front().as_ref(), service.as_bytes()) {
                    return Err(Error::Protocol("reply from another service".into()));
                }
                return Ok(Some(msg)); //  Success
            }
            retries_left -= 1;
            if retries_left > 0 {
                if self.verbose {
                    log("W: no reply, reconnecting...");
                }
                self.connect_to_broker()?;
            } else {
                if self.verbose {
                    log("W: permanent error, abandoning");
                }
                //  A REQ socket that got no reply cannot send again: a fresh
                //  one keeps this session usable (the C one is not)
                self.connect_to_broker()?;
            }
        }
        Ok(None)
    }
}
