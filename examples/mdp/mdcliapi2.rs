//! The asynchronous Majordomo client API (the guide's `mdcliapi2.c`): a
//! DEALER socket, so that any number of requests can be sent before their
//! replies are read. No retries: recovering from a broker failure would
//! need every unanswered request kept and resent.

use std::time::Duration;

use zmq::{Context, Multipart, Socket, SocketType};

use super::{frame_is, log, Error, Result, MDPC_CLIENT};

/// An asynchronous client's session with a broker (`mdcli_t` of `mdcliapi2`).
pub struct Client {
    client: Socket,    //  Socket to broker
    verbose: bool,     //  Print activity to stdout
    timeout: Duration, //  Request timeout
}

impl Client {
    /// Connects to `broker` (`mdcli_new`), with a 2.5 s timeout.
    pub fn new(ctx: &Context, broker: &str, verbose: bool) -> Result<Client> {
        let client = ctx.socket(SocketType::Dealer)?;
        client.set_linger(Some(Duration::ZERO))?;
        client.connect(broker)?;
        if verbose {
            log(&format!("I: connecting to broker at {broker}..."));
        }
        Ok(Client {
            client,
            verbose,
            timeout: Duration::from_millis(2500),
        })
    }

    /// Sets how long [`recv`](Client::recv) waits for a reply.
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout;
    }

    /// Sends `request` to `service` without waiting for the reply
    /// (`mdcli_send`).
    pub fn send(&self, service: &str, request: Multipart) -> Result<()> {
        //  Prefix request with protocol frames
        //  Frame 0: empty (REQ emulation)
        //  Frame 1: "MDPCxy" (six bytes, MDP/Client x.y)
        //  Frame 2: Service name (printable string)
        let mut request = request;
        request.push_front(service);
        request.push_front(MDPC_CLIENT);
        request.push_front("");
        if self.verbose {
            log(&format!("I: send request to '{service}' service:"));
            super::dump(&request);
        }
        Ok(self.client.send_multipart(request)?)
    }

    /// Waits for the next reply and returns its body, or `None` after the
    /// timeout (`mdcli_recv`). A reply that is not MDP is an
    /// `Error::Protocol`. Ctrl-C (`zhelpers::interrupt`) ends it with an
    /// error for which `Error::is_stop` holds, after the guide's `W:
    /// interrupt received, killing client...`.
    pub fn recv(&self) -> Result<Option<Multipart>> {
        let result = self.recv_reply();
        super::warn_if_interrupted(result, "client")
    }

    fn recv_reply(&self) -> Result<Option<Multipart>> {
        //  Poll socket for a reply, with timeout
        let Some(mut msg) = self.client.recv_multipart_timeout(self.timeout)? else {
            if self.verbose {
                log("W: permanent error, abandoning request");
            }
            return Ok(None);
        };
        if self.verbose {
            log("I: received reply:");
            super::dump(&msg);
        }
        if msg.len() < 4 {
            return Err(Error::Protocol(format!("reply of {} frames", msg.len())));
        }
        if !frame_is(msg.pop_front().as_ref(), b"") {
            return Err(Error::Protocol("reply without the empty delimiter".into()));
        }
        if !frame_is(msg.pop_front().as_ref(), MDPC_CLIENT.as_bytes()) {
            return Err(Error::Protocol("reply without the MDPC01 header".into()));
        }
        msg.pop_front(); //  The service
        Ok(Some(msg)) //  Success
    }
}
