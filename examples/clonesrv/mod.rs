//! What the Clone servers of models five and six (`clonesrv5`,
//! `clonesrv6`, the guide's chapter 5) share: answering snapshot requests
//! for a subtree, storing updates with a time-to-live, and flushing the
//! values whose time is up. The C programs repeat this code in each.
#![allow(dead_code)]

use zmq::{Message, Socket};

use crate::kvmsg::{log, KvMap, KvMsg};

/// Milliseconds since the epoch (`zclock_time`).
pub fn clock_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Handles one `[identity][ICANHAZ?][subtree]` request waiting on the
/// ROUTER `socket` by sending the entries of `kvmap` under the subtree,
/// then `KTHXBAI` with the snapshot's `sequence`. Anything else is a bad
/// request, reported and dropped.
pub fn snapshots(socket: &Socket, kvmap: &KvMap, sequence: i64) -> zmq::Result<()> {
    let mut request = socket.recv_multipart()?;
    let Some(identity) = request.pop_front() else {
        return Ok(());
    };
    //  Request is in second frame of message
    let subtree = match <[Message; 2]>::try_from(request) {
        Ok([command, subtree]) if command == "ICANHAZ?" => subtree,
        _ => {
            println!("E: bad request, aborting");
            return Ok(());
        }
    };
    //  Send state snapshot to client
    let keys = kvmap
        .iter()
        .filter(|(k, _)| k.as_bytes().starts_with(&subtree));
    for (_, kvmsg) in keys {
        socket.send_more(&identity)?; //  Choose recipient
        kvmsg.send(socket)?;
    }
    //  Now send END message with sequence number
    log(&format!("I: sending shapshot={sequence}"));
    socket.send_more(&identity)?;
    let mut kvmsg = KvMsg::new(sequence);
    kvmsg.set_key("KTHXBAI");
    kvmsg.set_body(b"");
    kvmsg.send(socket)
}

/// Turns an update's `ttl` property (seconds, from the client) into the
/// time it expires (msecs since the epoch), as the server stores it.
pub fn set_expiry(kvmsg: &mut KvMsg) {
    let ttl: i64 = kvmsg.prop("ttl").parse().unwrap_or(0);
    if ttl != 0 {
        kvmsg.set_prop("ttl", &(clock_ms() + ttl * 1000).to_string());
    }
}

/// At regular intervals, we flush ephemeral values that have expired: each
/// is deleted (published with an empty body and a new sequence number) and
/// its deletion published. This could be slow on very large data sets.
pub fn flush_ttl(kvmap: &mut KvMap, sequence: &mut i64, publisher: &Socket) -> zmq::Result<()> {
    let now = clock_ms();
    let expired: Vec<String> = kvmap
        .iter()
        .filter(|(_, kvmsg)| {
            let ttl: i64 = kvmsg.prop("ttl").parse().unwrap_or(0);
            ttl != 0 && now >= ttl
        })
        .map(|(key, _)| key.clone())
        .collect();
    for key in expired {
        let Some(mut kvmsg) = kvmap.remove(&key) else {
            continue;
        };
        *sequence += 1;
        kvmsg.set_sequence(*sequence);
        kvmsg.set_body(b"");
        kvmsg.send(publisher)?;
        kvmsg.store(kvmap);
        log(&format!("I: publishing delete={sequence}"));
    }
    Ok(())
}

/// The endpoints of a server on `port`: snapshot, publisher and collector
/// (`tcp://*:port`, `port + 1`, `port + 2`), on `host` (`*` by default).
pub fn endpoints(host: &str, port: u16) -> [String; 3] {
    [0, 1, 2].map(|n| format!("tcp://{host}:{}", port + n))
}
