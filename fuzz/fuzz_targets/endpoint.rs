//! Endpoints from arbitrary bytes passed to bind, connect, unbind and
//! disconnect (like libzmq's `test_bind_fuzzer`/`test_connect_fuzzer`, through
//! the crate's checks first): no input panics, every refusal is an `Err`, and
//! the socket works on (it still binds a good endpoint).
//!
//! ipc paths are kept inside a fresh temporary directory (an ipc endpoint's
//! path is reduced to its last component, put in that directory), so a
//! fuzzed bind never writes a file elsewhere.
#![no_main]

use std::sync::OnceLock;
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use zmq::{Context, SocketType};

static CTX: OnceLock<(Context, String)> = OnceLock::new();

fn context() -> &'static (Context, String) {
    CTX.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("zmq-fuzz-endpoint-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        (Context::new(), dir.display().to_string())
    })
}

/// Keeps an ipc endpoint's file inside `dir`.
fn confined(endpoint: &str, dir: &str) -> String {
    match endpoint.split_once("://") {
        Some((scheme, path)) if scheme.eq_ignore_ascii_case("ipc") => {
            let name = path
                .rsplit('/')
                .next()
                .unwrap_or("")
                .trim_start_matches('@');
            format!("{scheme}://{dir}/{name}")
        }
        _ => endpoint.to_owned(),
    }
}

const KINDS: [SocketType; 6] = [
    SocketType::Pair,
    SocketType::Pub,
    SocketType::Sub,
    SocketType::Router,
    SocketType::Dealer,
    SocketType::Pull,
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let (ctx, dir) = context();
    let endpoint = confined(&String::from_utf8_lossy(rest), dir);
    let Ok(socket) = ctx.socket(KINDS[pick as usize % KINDS.len()]) else {
        return;
    };
    socket.set_linger(Some(Duration::ZERO)).unwrap();
    if socket.bind(&endpoint).is_ok() {
        let bound = socket.last_endpoint().unwrap();
        let _ = socket.unbind(&bound);
    }
    if socket.connect(&endpoint).is_ok() {
        let _ = socket.disconnect(&endpoint);
    }
    let _ = socket.unbind(&endpoint);
    let _ = socket.disconnect(&endpoint);
    // The socket is still sound and usable.
    socket.bind("tcp://127.0.0.1:*").unwrap();
});
