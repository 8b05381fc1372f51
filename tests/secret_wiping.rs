//! No copy of a secret is left in freed memory by this crate's Rust code: a
//! global allocator looks into every block this test binary frees (and every
//! block a `realloc` leaves behind) for the secret's bytes while a scenario
//! runs. Secrets checked: a CURVE secret key (raw and as Z85 text) through
//! certificate text, save, load, load_dir, parse and key pair derivation,
//! and a PLAIN password through the authenticator (configured from a map and
//! from a file, and received in ZAP requests during a real handshake).
//!
//! libzmq's own copies live in memory it allocates with `malloc`, which this
//! allocator does not see: those are libzmq's (see docs/SECURITY.md).
//!
//! One test function only: the allocator's state is global to the binary.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::UnsafeCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use zmq::auth::Authenticator;
use zmq::{Certificate, Context, CurveKey, CurveKeyPair, Event, MonitorEvents, SocketType};

const MAX_NEEDLES: usize = 3;
const MAX_NEEDLE_LEN: usize = 64;

/// The secrets to look for: written only while `ARMED` is false.
struct Needles(UnsafeCell<[(usize, [u8; MAX_NEEDLE_LEN]); MAX_NEEDLES]>);
// SAFETY: written only by the test thread while disarmed; read by `dealloc`
// only after an Acquire load of `ARMED` saw the Release store that followed
// the writes.
unsafe impl Sync for Needles {}

static NEEDLES: Needles = Needles(UnsafeCell::new([(0, [0; MAX_NEEDLE_LEN]); MAX_NEEDLES]));
static ARMED: AtomicBool = AtomicBool::new(false);
static FOUND: AtomicUsize = AtomicUsize::new(0);

struct Scanning;

// SAFETY: every call is forwarded to `System`; `dealloc` only reads the block
// it is handed (still owned until forwarded) before freeing it.
unsafe impl GlobalAlloc for Scanning {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // Zeroed, so that spare capacity never written reads as zeroes in
        // `dealloc` rather than as stale heap. (Struct padding copied into a
        // block can still be undefined: this binary stays out of valgrind.)
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if ARMED.load(Ordering::Acquire) {
            // SAFETY: `ptr` is a live block of `layout.size()` bytes that we
            // were given to free (allocated zeroed, or grown by the default
            // `realloc` through `alloc`); it is only read here, as bytes.
            let block = unsafe { std::slice::from_raw_parts(ptr, layout.size()) };
            // SAFETY: see `Needles`: not written while armed.
            let needles = unsafe { &*NEEDLES.0.get() };
            for (len, bytes) in needles {
                if *len > 0 && block.windows(*len).any(|w| w == &bytes[..*len]) {
                    FOUND.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Scanning = Scanning;

/// Runs `scenario` with the allocator looking for `needles` in freed blocks;
/// returns how many freed blocks held one.
fn copies_left_by(needles: &[&[u8]], scenario: impl FnOnce()) -> usize {
    assert!(!ARMED.load(Ordering::Acquire));
    // SAFETY: disarmed, so `dealloc` does not read the needles now.
    let slots = unsafe { &mut *NEEDLES.0.get() };
    for (i, slot) in slots.iter_mut().enumerate() {
        *slot = (0, [0; MAX_NEEDLE_LEN]);
        if let Some(needle) = needles.get(i) {
            slot.0 = needle.len();
            slot.1[..needle.len()].copy_from_slice(needle);
        }
    }
    FOUND.store(0, Ordering::Relaxed);
    ARMED.store(true, Ordering::Release);
    scenario();
    ARMED.store(false, Ordering::Release);
    FOUND.load(Ordering::Relaxed)
}

/// The Z85 text of `key`, made on the stack (no heap copy of the secret).
fn z85_on_stack(key: &[u8; 32]) -> [u8; 40] {
    let mut text = [0u8; 41];
    // SAFETY: 32 bytes encode to 40 characters plus a NUL: 41 bytes.
    let p = unsafe { zmq::sys::zmq_z85_encode(text.as_mut_ptr().cast(), key.as_ptr(), 32) };
    assert!(!p.is_null());
    let mut out = [0u8; 40];
    out.copy_from_slice(&text[..40]);
    out
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("zmq-rs-wipe-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const SECRET: [u8; 32] = [
    0x8e, 0x0b, 0xdd, 0x69, 0x76, 0x28, 0xb9, 0x1d, 0x8f, 0x24, 0x55, 0x87, 0xee, 0x95, 0xc5, 0xb0,
    0x4d, 0x48, 0x96, 0x3f, 0x79, 0x25, 0x98, 0x77, 0xb4, 0x9c, 0xd9, 0x06, 0x3a, 0xea, 0xd3, 0xb7,
];
const PASSWORD: &str = "correct-horse-battery-staple-42";
const PASSWORD_FILE: &str = "# users\nadmin=correct-horse-battery-staple-42\n";

fn certificate_scenarios(dir: &std::path::Path) {
    let cert = Certificate::from_secret(CurveKey::from_bytes(&SECRET).unwrap()).unwrap();
    drop(cert.to_secret_text());
    let (_, secret_path) = cert.save(dir.join("server")).unwrap();
    let secret_path = secret_path.unwrap();
    let loaded = Certificate::load(&secret_path).unwrap();
    assert!(loaded == cert);
    let text = cert.to_secret_text().unwrap();
    assert!(Certificate::parse(&text).unwrap() == cert);
    drop(text);
    assert_eq!(Certificate::load_dir(dir).unwrap().len(), 1);
    let pair = CurveKeyPair::from_secret(CurveKey::from_bytes(&SECRET).unwrap()).unwrap();
    assert!(&pair.public == cert.public_key());
}

fn plain_scenarios(dir: &std::path::Path) {
    let ctx = Context::new();
    let auth = Authenticator::start(&ctx).unwrap();
    let mut users = HashMap::new();
    users.insert("admin".to_owned(), PASSWORD.to_owned());
    auth.configure_plain("map", users);
    let file = dir.join("passwords");
    std::fs::write(&file, PASSWORD_FILE).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt; // a password file must be private
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    auth.configure_plain_file("file", &file).unwrap();

    // A real handshake: the password reaches the authenticator in a ZAP request.
    let server = ctx.socket(SocketType::Rep).unwrap();
    server.set_plain_server(true).unwrap();
    server.set_zap_domain("file").unwrap();
    let mut mon = server.monitor(MonitorEvents::ALL).unwrap();
    server.bind("tcp://127.0.0.1:*").unwrap();
    let client = ctx.socket(SocketType::Req).unwrap();
    client.set_plain_username("admin").unwrap();
    client.set_plain_password(PASSWORD).unwrap();
    client.connect(&server.last_endpoint().unwrap()).unwrap();
    client.send("hi").unwrap();
    server.set_rcvtimeo(Some(Duration::from_secs(5))).unwrap();
    assert_eq!(server.recv_string().unwrap(), "hi");
    loop {
        let e = mon.recv_timeout(Duration::from_secs(5)).unwrap().unwrap();
        if e.event == Event::HandshakeSucceeded {
            break;
        }
    }
    drop((client, server, mon));
    drop(auth);
    drop(ctx);
}

#[test]
fn secrets_are_wiped_before_their_memory_is_freed() {
    let dir = temp_dir("certs");
    let z85 = z85_on_stack(&SECRET);
    let in_certificates = copies_left_by(&[&SECRET, &z85], || certificate_scenarios(&dir));
    let dir = temp_dir("plain");
    let in_authenticator = copies_left_by(&[PASSWORD.as_bytes()], || plain_scenarios(&dir));
    assert_eq!(
        (in_certificates, in_authenticator),
        (0, 0),
        "freed blocks that still held the CURVE secret key (certificates), the PLAIN password (authenticator)"
    );
}
