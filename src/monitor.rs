//! Socket monitoring: `Socket::monitor` gives a [`Monitor`] whose receive
//! returns typed [`MonitorEvent`]s parsed from libzmq's frames. The parsers
//! are pure functions over bytes ([`parse_v1`], [`parse_v2`]), fuzzed.

use std::time::Duration;

use crate::error::{check, Error, Result};
use crate::socket::{c_string, Socket};

bitflags::bitflags! {
    /// Which events a monitor reports (`ZMQ_EVENT_*`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct MonitorEvents: u64 {
        /// A connection was made.
        const CONNECTED = zmq_sys::ZMQ_EVENT_CONNECTED as u64;
        /// A connect is pending (will be retried).
        const CONNECT_DELAYED = zmq_sys::ZMQ_EVENT_CONNECT_DELAYED as u64;
        /// A connect is being retried.
        const CONNECT_RETRIED = zmq_sys::ZMQ_EVENT_CONNECT_RETRIED as u64;
        /// A bind succeeded.
        const LISTENING = zmq_sys::ZMQ_EVENT_LISTENING as u64;
        /// A bind failed.
        const BIND_FAILED = zmq_sys::ZMQ_EVENT_BIND_FAILED as u64;
        /// A connection was accepted.
        const ACCEPTED = zmq_sys::ZMQ_EVENT_ACCEPTED as u64;
        /// Accepting a connection failed.
        const ACCEPT_FAILED = zmq_sys::ZMQ_EVENT_ACCEPT_FAILED as u64;
        /// A connection or listener was closed.
        const CLOSED = zmq_sys::ZMQ_EVENT_CLOSED as u64;
        /// Closing failed.
        const CLOSE_FAILED = zmq_sys::ZMQ_EVENT_CLOSE_FAILED as u64;
        /// A session was disconnected.
        const DISCONNECTED = zmq_sys::ZMQ_EVENT_DISCONNECTED as u64;
        /// The monitor was stopped.
        const MONITOR_STOPPED = zmq_sys::ZMQ_EVENT_MONITOR_STOPPED as u64;
        /// A handshake failed without more detail.
        const HANDSHAKE_FAILED_NO_DETAIL = zmq_sys::ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL as u64;
        /// A handshake (security included) succeeded.
        const HANDSHAKE_SUCCEEDED = zmq_sys::ZMQ_EVENT_HANDSHAKE_SUCCEEDED as u64;
        /// A handshake failed on a protocol error.
        const HANDSHAKE_FAILED_PROTOCOL = zmq_sys::ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL as u64;
        /// A handshake failed authentication (ZAP refused).
        const HANDSHAKE_FAILED_AUTH = zmq_sys::ZMQ_EVENT_HANDSHAKE_FAILED_AUTH as u64;
        /// Queue sizes of the pipes (versioned monitor, DRAFT).
        const PIPES_STATS = PIPES_STATS;
        /// Every event of the classic monitor.
        const ALL = zmq_sys::ZMQ_EVENT_ALL as u64;
    }
}

/// `ZMQ_EVENT_PIPES_STATS`, defined in zmq.h's DRAFT section only; known here
/// so that a stable build still parses it.
const PIPES_STATS: u64 = 0x10000;

macro_rules! protocol_errors {
    ($( $(#[$doc:meta])* $name:ident = $c:ident, )*) => {
        /// The protocol error of a `HANDSHAKE_FAILED_PROTOCOL` event.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ProtocolError {
            $( $(#[$doc])* $name, )*
            /// A code this crate does not know.
            Unknown(u32),
        }

        impl ProtocolError {
            /// The error of a `ZMQ_PROTOCOL_ERROR_*` code.
            pub fn from_code(code: u32) -> ProtocolError {
                $( if code == zmq_sys::$c as u32 { return ProtocolError::$name; } )*
                ProtocolError::Unknown(code)
            }

            /// The `ZMQ_PROTOCOL_ERROR_*` code.
            pub fn code(self) -> u32 {
                match self {
                    $( ProtocolError::$name => zmq_sys::$c as u32, )*
                    ProtocolError::Unknown(code) => code,
                }
            }
        }
    };
}

protocol_errors! {
    /// ZMTP error without detail.
    ZmtpUnspecified = ZMQ_PROTOCOL_ERROR_ZMTP_UNSPECIFIED,
    /// A command arrived out of place.
    ZmtpUnexpectedCommand = ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND,
    /// Commands in the wrong order.
    ZmtpInvalidSequence = ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_SEQUENCE,
    /// Key exchange failed.
    ZmtpKeyExchange = ZMQ_PROTOCOL_ERROR_ZMTP_KEY_EXCHANGE,
    /// A malformed command.
    ZmtpMalformedCommandUnspecified = ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED,
    /// A malformed MESSAGE command.
    ZmtpMalformedCommandMessage = ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_MESSAGE,
    /// A malformed HELLO command.
    ZmtpMalformedCommandHello = ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO,
    /// A malformed INITIATE command.
    ZmtpMalformedCommandInitiate = ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_INITIATE,
    /// A malformed ERROR command.
    ZmtpMalformedCommandError = ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_ERROR,
    /// A malformed READY command.
    ZmtpMalformedCommandReady = ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_READY,
    /// A malformed WELCOME command.
    ZmtpMalformedCommandWelcome = ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_WELCOME,
    /// Invalid metadata.
    ZmtpInvalidMetadata = ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_METADATA,
    /// A cryptographic error (CURVE): wrong keys.
    ZmtpCryptographic = ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC,
    /// The peers use different security mechanisms.
    ZmtpMechanismMismatch = ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH,
    /// ZAP error without detail.
    ZapUnspecified = ZMQ_PROTOCOL_ERROR_ZAP_UNSPECIFIED,
    /// The ZAP handler sent a malformed reply.
    ZapMalformedReply = ZMQ_PROTOCOL_ERROR_ZAP_MALFORMED_REPLY,
    /// The ZAP reply has the wrong request id.
    ZapBadRequestId = ZMQ_PROTOCOL_ERROR_ZAP_BAD_REQUEST_ID,
    /// The ZAP reply has the wrong version.
    ZapBadVersion = ZMQ_PROTOCOL_ERROR_ZAP_BAD_VERSION,
    /// The ZAP reply has an invalid status code.
    ZapInvalidStatusCode = ZMQ_PROTOCOL_ERROR_ZAP_INVALID_STATUS_CODE,
    /// The ZAP reply has invalid metadata.
    ZapInvalidMetadata = ZMQ_PROTOCOL_ERROR_ZAP_INVALID_METADATA,
    /// WebSocket error without detail.
    WsUnspecified = ZMQ_PROTOCOL_ERROR_WS_UNSPECIFIED,
}

/// What happened, with its value typed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// Connected; the new connection's file descriptor.
    Connected {
        /// Its descriptor.
        fd: i64,
    },
    /// A connect could not complete at once and will be retried.
    ConnectDelayed {
        /// The errno of the attempt.
        errno: i32,
    },
    /// A connect is being retried after this interval.
    ConnectRetried {
        /// The reconnect interval.
        interval: Duration,
    },
    /// Bound and listening.
    Listening {
        /// The listener's descriptor.
        fd: i64,
    },
    /// A bind failed.
    BindFailed {
        /// The errno (see [`Error::from_errno`]).
        errno: i32,
    },
    /// A connection was accepted.
    Accepted {
        /// The accepted connection's descriptor.
        fd: i64,
    },
    /// Accepting a connection failed.
    AcceptFailed {
        /// The errno.
        errno: i32,
    },
    /// A connection or listener was closed.
    Closed {
        /// Its descriptor.
        fd: i64,
    },
    /// Closing failed.
    CloseFailed {
        /// The errno.
        errno: i32,
    },
    /// A session was disconnected (the peer went away).
    Disconnected {
        /// Its descriptor.
        fd: i64,
    },
    /// The monitor was stopped; no more events follow.
    MonitorStopped,
    /// A handshake failed without detail.
    HandshakeFailedNoDetail {
        /// The errno.
        errno: i32,
    },
    /// A handshake succeeded (security included).
    HandshakeSucceeded,
    /// A handshake failed on a protocol error.
    HandshakeFailedProtocol(ProtocolError),
    /// Authentication failed: the ZAP handler refused.
    HandshakeFailedAuth {
        /// The ZAP status code (e.g. 400).
        status: u32,
    },
    /// Queue sizes of a connection's pipes (versioned monitor, DRAFT).
    PipesStats {
        /// Messages queued outbound.
        outbound: u64,
        /// Messages queued inbound.
        inbound: u64,
    },
    /// An event code this crate does not know, as it came.
    Unknown {
        /// The event number.
        code: u64,
        /// Its first value, if any.
        value: u64,
    },
}

impl Event {
    fn from_parts(code: u64, values: &[u64]) -> Event {
        let value = values.first().copied().unwrap_or(0);
        let fd = value as u32 as i32 as i64;
        let errno = value as u32 as i32;
        let is = |c: i32| code == c as u64;
        if is(zmq_sys::ZMQ_EVENT_CONNECTED) {
            Event::Connected { fd }
        } else if is(zmq_sys::ZMQ_EVENT_CONNECT_DELAYED) {
            Event::ConnectDelayed { errno }
        } else if is(zmq_sys::ZMQ_EVENT_CONNECT_RETRIED) {
            Event::ConnectRetried {
                interval: Duration::from_millis(value),
            }
        } else if is(zmq_sys::ZMQ_EVENT_LISTENING) {
            Event::Listening { fd }
        } else if is(zmq_sys::ZMQ_EVENT_BIND_FAILED) {
            Event::BindFailed { errno }
        } else if is(zmq_sys::ZMQ_EVENT_ACCEPTED) {
            Event::Accepted { fd }
        } else if is(zmq_sys::ZMQ_EVENT_ACCEPT_FAILED) {
            Event::AcceptFailed { errno }
        } else if is(zmq_sys::ZMQ_EVENT_CLOSED) {
            Event::Closed { fd }
        } else if is(zmq_sys::ZMQ_EVENT_CLOSE_FAILED) {
            Event::CloseFailed { errno }
        } else if is(zmq_sys::ZMQ_EVENT_DISCONNECTED) {
            Event::Disconnected { fd }
        } else if is(zmq_sys::ZMQ_EVENT_MONITOR_STOPPED) {
            Event::MonitorStopped
        } else if is(zmq_sys::ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) {
            Event::HandshakeFailedNoDetail { errno }
        } else if is(zmq_sys::ZMQ_EVENT_HANDSHAKE_SUCCEEDED) {
            Event::HandshakeSucceeded
        } else if is(zmq_sys::ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL) {
            Event::HandshakeFailedProtocol(ProtocolError::from_code(value as u32))
        } else if is(zmq_sys::ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) {
            Event::HandshakeFailedAuth {
                status: value as u32,
            }
        } else if code == PIPES_STATS {
            Event::PipesStats {
                outbound: value,
                inbound: values.get(1).copied().unwrap_or(0),
            }
        } else {
            Event::Unknown { code, value }
        }
    }
}

/// An event with the endpoints it concerns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MonitorEvent {
    /// What happened.
    pub event: Event,
    /// The endpoint (the local one, for the versioned monitor).
    pub endpoint: String,
    /// The remote endpoint (versioned monitor only; may be empty).
    pub remote_endpoint: Option<String>,
}

fn malformed(what: &'static str) -> Error {
    Error::malformed_event(what)
}

fn endpoint(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Parses the two frames of a classic (v1) monitor event: 6 bytes (a 16-bit
/// event number and a 32-bit value, native endian) and the endpoint.
pub fn parse_v1(frames: &[&[u8]]) -> Result<MonitorEvent> {
    let [head, address] = frames else {
        return Err(malformed("a v1 event has two frames"));
    };
    let head: &[u8; 6] = (*head)
        .try_into()
        .map_err(|_| malformed("a v1 event header is 6 bytes"))?;
    let code = u16::from_ne_bytes([head[0], head[1]]);
    let value = u32::from_ne_bytes([head[2], head[3], head[4], head[5]]);
    Ok(MonitorEvent {
        event: Event::from_parts(u64::from(code), &[u64::from(value)]),
        endpoint: endpoint(address),
        remote_endpoint: None,
    })
}

fn u64_frame(frame: &[u8]) -> Result<u64> {
    let bytes: [u8; 8] = frame
        .try_into()
        .map_err(|_| malformed("a v2 number frame is 8 bytes"))?;
    Ok(u64::from_ne_bytes(bytes))
}

/// Parses a versioned (v2) monitor event: the event number, the count of
/// values, the values (64-bit each), the local and the remote endpoint.
pub fn parse_v2(frames: &[&[u8]]) -> Result<MonitorEvent> {
    let [code, count, rest @ ..] = frames else {
        return Err(malformed("a v2 event has at least four frames"));
    };
    let code = u64_frame(code)?;
    let count = u64_frame(count)?;
    let [values @ .., local, remote] = rest else {
        return Err(malformed(
            "a v2 event's value count does not match its frames",
        ));
    };
    if count != values.len() as u64 {
        return Err(malformed(
            "a v2 event's value count does not match its frames",
        ));
    }
    let values = values
        .iter()
        .map(|f| u64_frame(f))
        .collect::<Result<Vec<_>>>()?;
    Ok(MonitorEvent {
        event: Event::from_parts(code, &values),
        endpoint: endpoint(local),
        remote_endpoint: Some(endpoint(remote)),
    })
}

/// Receives the events of a monitored socket.
#[derive(Debug)]
pub struct Monitor {
    socket: Socket,
    version: u8,
    frames: crate::Multipart,
}

impl Monitor {
    fn start(target: &Socket, events: u64, version: u8) -> Result<Monitor> {
        let endpoint = crate::context::unique_inproc("monitor");
        let c = c_string(&endpoint)?;
        if version == 1 {
            let events = i32::try_from(events)
                .map_err(|_| Error::from(crate::ErrorKind::InvalidArgument))?;
            // SAFETY: live socket, NUL-terminated endpoint.
            check(unsafe { zmq_sys::zmq_socket_monitor(target.as_raw(), c.as_ptr(), events) })?;
        } else {
            #[cfg(feature = "draft")]
            // SAFETY: live socket, NUL-terminated endpoint.
            check(unsafe {
                zmq_sys::zmq_socket_monitor_versioned(
                    target.as_raw(),
                    c.as_ptr(),
                    events,
                    2,
                    zmq_sys::ZMQ_PAIR,
                )
            })?;
        }
        // Not counted as a handle of the context: a monitor waiting on
        // another thread must not keep the application's context alive.
        let socket = Socket::new_for_monitor(target.context())?;
        socket.set_linger(Some(Duration::ZERO))?;
        socket.connect(&endpoint)?;
        Ok(Monitor {
            socket,
            version,
            frames: crate::Multipart::new(),
        })
    }

    /// Receives the next event, waiting as long as it takes (up to a
    /// `ZMQ_RCVTIMEO` set on [`Monitor::socket`]).
    pub fn recv(&mut self) -> Result<MonitorEvent> {
        self.socket.recv_multipart_into(&mut self.frames)?;
        self.parse()
    }

    /// Receives the next event if one is there: `Ok(None)` when none is.
    pub fn try_recv(&mut self) -> Result<Option<MonitorEvent>> {
        if !self.socket.try_recv_multipart_into(&mut self.frames)? {
            return Ok(None);
        }
        self.parse().map(Some)
    }

    /// Receives the next event, waiting at most `timeout`; `Ok(None)` when
    /// none came. A `ZMQ_RCVTIMEO` set on [`Monitor::socket`] is neither
    /// used nor changed.
    pub fn recv_timeout(&mut self, timeout: Duration) -> Result<Option<MonitorEvent>> {
        match self.socket.recv_multipart_timeout(timeout)? {
            Some(frames) => {
                self.frames = frames;
                self.parse().map(Some)
            }
            None => Ok(None),
        }
    }

    fn parse(&self) -> Result<MonitorEvent> {
        let frames: Vec<&[u8]> = self.frames.iter().map(|m| &m[..]).collect();
        if self.version == 1 {
            parse_v1(&frames)
        } else {
            parse_v2(&frames)
        }
    }

    /// The PAIR socket events arrive on, to poll it with others.
    pub fn socket(&self) -> &Socket {
        &self.socket
    }
}

impl Socket {
    /// Starts monitoring this socket for `events`; the returned [`Monitor`]
    /// receives them. A socket has at most one monitor: a new one replaces
    /// the old.
    #[doc(alias = "zmq_socket_monitor")]
    pub fn monitor(&self, events: MonitorEvents) -> Result<Monitor> {
        Monitor::start(self, events.bits(), 1)
    }

    /// Stops the monitor of this socket: its [`Monitor`] receives
    /// [`Event::MonitorStopped`] and nothing after it. Stopping a socket
    /// that has no monitor does nothing.
    #[doc(alias = "zmq_socket_monitor")]
    pub fn stop_monitor(&self) -> Result<()> {
        // SAFETY: live socket; a NULL endpoint stops the monitor.
        check(unsafe { zmq_sys::zmq_socket_monitor(self.as_raw(), std::ptr::null(), 0) })
            .map(drop)
            .map_err(|e| e.context("stop monitor", "(socket)"))
    }

    /// Starts the versioned (v2) monitor (DRAFT): 64-bit values, local and
    /// remote endpoints (which peer disconnected), and `PIPES_STATS`.
    #[cfg(feature = "draft")]
    #[doc(alias = "zmq_socket_monitor_versioned")]
    pub fn monitor_v2(&self, events: MonitorEvents) -> Result<Monitor> {
        Monitor::start(self, events.bits(), 2)
    }

    /// Asks for a `PIPES_STATS` event per connection on the v2 monitor (DRAFT).
    #[cfg(feature = "draft")]
    #[doc(alias = "zmq_socket_monitor_pipes_stats")]
    pub fn monitor_pipes_stats(&self) -> Result<()> {
        // SAFETY: live socket.
        check(unsafe { zmq_sys::zmq_socket_monitor_pipes_stats(self.as_raw()) }).map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v1(code: u16, value: u32, endpoint: &str) -> Result<MonitorEvent> {
        let mut head = code.to_ne_bytes().to_vec();
        head.extend_from_slice(&value.to_ne_bytes());
        parse_v1(&[&head, endpoint.as_bytes()])
    }

    #[test]
    fn parses_known_and_unknown_events() {
        let e = v1(zmq_sys::ZMQ_EVENT_LISTENING as u16, 7, "tcp://127.0.0.1:1").unwrap();
        assert_eq!(e.event, Event::Listening { fd: 7 });
        assert_eq!(e.endpoint, "tcp://127.0.0.1:1");
        let e = v1(
            zmq_sys::ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL as u16,
            zmq_sys::ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH as u32,
            "",
        )
        .unwrap();
        assert_eq!(
            e.event,
            Event::HandshakeFailedProtocol(ProtocolError::ZmtpMechanismMismatch)
        );
        assert_eq!(
            v1(0x8000, 5, "x").unwrap().event,
            Event::Unknown {
                code: 0x8000,
                value: 5
            }
        );
        assert_eq!(ProtocolError::from_code(1), ProtocolError::Unknown(1));
    }

    #[test]
    fn malformed_frames_are_errors() {
        assert!(parse_v1(&[]).is_err());
        assert!(parse_v1(&[b"12345", b""]).is_err());
        assert!(parse_v2(&[b"12345678"]).is_err());
        let n = 1u64.to_ne_bytes();
        assert!(parse_v2(&[&n, &5u64.to_ne_bytes(), b"", b""]).is_err());
        let e = parse_v2(&[
            &n,
            &1u64.to_ne_bytes(),
            &9u64.to_ne_bytes(),
            b"local",
            b"remote",
        ])
        .unwrap();
        assert_eq!(e.event, Event::Connected { fd: 9 });
        assert_eq!(e.remote_endpoint.as_deref(), Some("remote"));
    }
}
