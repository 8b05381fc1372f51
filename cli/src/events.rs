//! Monitor events in words.

use zmq::{Error, Event, ProtocolError};

/// The event's `ZMQ_EVENT_*` name (without the prefix).
pub fn name(event: &Event) -> String {
    match event {
        Event::Connected { .. } => "CONNECTED".into(),
        Event::ConnectDelayed { .. } => "CONNECT_DELAYED".into(),
        Event::ConnectRetried { .. } => "CONNECT_RETRIED".into(),
        Event::Listening { .. } => "LISTENING".into(),
        Event::BindFailed { .. } => "BIND_FAILED".into(),
        Event::Accepted { .. } => "ACCEPTED".into(),
        Event::AcceptFailed { .. } => "ACCEPT_FAILED".into(),
        Event::Closed { .. } => "CLOSED".into(),
        Event::CloseFailed { .. } => "CLOSE_FAILED".into(),
        Event::Disconnected { .. } => "DISCONNECTED".into(),
        Event::MonitorStopped => "MONITOR_STOPPED".into(),
        Event::HandshakeFailedNoDetail { .. } => "HANDSHAKE_FAILED_NO_DETAIL".into(),
        Event::HandshakeSucceeded => "HANDSHAKE_SUCCEEDED".into(),
        Event::HandshakeFailedProtocol(_) => "HANDSHAKE_FAILED_PROTOCOL".into(),
        Event::HandshakeFailedAuth { .. } => "HANDSHAKE_FAILED_AUTH".into(),
        Event::PipesStats { .. } => "PIPES_STATS".into(),
        Event::Unknown { code, .. } => format!("EVENT_{code:#x}"),
        _ => "UNKNOWN".into(),
    }
}

fn errno(e: i32) -> String {
    Error::from_errno(e).to_string()
}

/// What the event means, in words.
pub fn describe(event: &Event) -> String {
    match event {
        Event::Connected { fd } => format!("connected (fd {fd})"),
        Event::ConnectDelayed { errno: e } => {
            format!("connect in progress, not yet complete ({})", errno(*e))
        }
        Event::ConnectRetried { interval } => {
            format!("connect failed, retrying in {} ms", interval.as_millis())
        }
        Event::Listening { fd } => format!("listening (fd {fd})"),
        Event::BindFailed { errno: e } => format!("bind failed: {}", errno(*e)),
        Event::Accepted { fd } => format!("accepted a connection (fd {fd})"),
        Event::AcceptFailed { errno: e } => format!("accept failed: {}", errno(*e)),
        Event::Closed { fd } => format!("closed (fd {fd})"),
        Event::CloseFailed { errno: e } => format!("close failed: {}", errno(*e)),
        Event::Disconnected { fd } => format!("disconnected: the peer went away (fd {fd})"),
        Event::MonitorStopped => "monitor stopped".into(),
        Event::HandshakeFailedNoDetail { errno: e } => {
            format!("handshake failed: {}", errno(*e))
        }
        Event::HandshakeSucceeded => "handshake succeeded (security included)".into(),
        Event::HandshakeFailedProtocol(p) => format!(
            "handshake failed, protocol error {:#x}: {}",
            p.code(),
            protocol_error(*p)
        ),
        Event::HandshakeFailedAuth { status } => format!(
            "handshake failed: authentication refused by the ZAP handler, status {status} ({})",
            zap_status(*status)
        ),
        Event::PipesStats { outbound, inbound } => {
            format!("queued: {outbound} outbound, {inbound} inbound")
        }
        Event::Unknown { code, value } => format!("unknown event {code:#x}, value {value}"),
        _ => format!("{event:?}"),
    }
}

/// A ZAP status code (RFC 27) in words.
pub fn zap_status(status: u32) -> &'static str {
    match status {
        200 => "OK",
        300 => "temporary failure, try again later",
        400 => "authentication failure: the client's credentials or key are not allowed",
        500 => "internal error of the ZAP handler",
        _ => "a status RFC 27 does not define",
    }
}

/// A protocol error in words.
pub fn protocol_error(error: ProtocolError) -> String {
    use ProtocolError::*;
    match error {
        ZmtpUnspecified => "ZMTP error without detail".into(),
        ZmtpUnexpectedCommand => "a ZMTP command arrived out of place".into(),
        ZmtpInvalidSequence => "ZMTP commands in the wrong order".into(),
        ZmtpKeyExchange => "the key exchange failed".into(),
        ZmtpMalformedCommandUnspecified => "a malformed ZMTP command".into(),
        ZmtpMalformedCommandMessage => "a malformed MESSAGE command".into(),
        ZmtpMalformedCommandHello => "a malformed HELLO command".into(),
        ZmtpMalformedCommandInitiate => "a malformed INITIATE command".into(),
        ZmtpMalformedCommandError => "a malformed ERROR command".into(),
        ZmtpMalformedCommandReady => "a malformed READY command".into(),
        ZmtpMalformedCommandWelcome => "a malformed WELCOME command".into(),
        ZmtpInvalidMetadata => "invalid metadata in the handshake".into(),
        ZmtpCryptographic => {
            "cryptographic error (CURVE): the keys do not match, e.g. the client uses the \
             wrong server public key"
                .into()
        }
        ZmtpMechanismMismatch => "security mechanism mismatch: the peers use different mechanisms \
             (e.g. CURVE against NULL or PLAIN)"
            .into(),
        ZapUnspecified => "ZAP error without detail".into(),
        ZapMalformedReply => "the ZAP handler sent a malformed reply".into(),
        ZapBadRequestId => "the ZAP reply has the wrong request id".into(),
        ZapBadVersion => "the ZAP reply has the wrong version".into(),
        ZapInvalidStatusCode => "the ZAP reply has an invalid status code".into(),
        ZapInvalidMetadata => "the ZAP reply has invalid metadata".into(),
        WsUnspecified => "WebSocket error without detail".into(),
        Unknown(code) => format!("unknown protocol error {code:#x}"),
        _ => format!("{error:?}"),
    }
}
