//! Titanic (`titanic`, `ticlient`, the guide's chapter 4 "Disconnected
//! Reliability") over the Majordomo broker and worker, on free loopback
//! ports with the store in a temporary directory; and the message files
//! and UUIDs it is built on (`examples/zhelpers/msgfile.rs`).

use std::time::{Duration, Instant};

mod common;
use common::{free_endpoint, wait_listening, IpcDir, Proc};

#[path = "../examples/zhelpers/mod.rs"]
mod zhelpers;
use zhelpers::msgfile;

use zmq::Multipart;

/// The longest any example may run.
const DEADLINE: Duration = Duration::from_secs(40);

fn broker() -> (Proc, String) {
    let endpoint = free_endpoint();
    let mut broker = Proc::run("mdbroker", &["60", &endpoint]);
    broker.wait_for("I: MDP broker/0.2.0 is active at");
    wait_listening(&endpoint);
    (broker, endpoint)
}

/// The files of the store, sorted, with `.req`/`.rep` names reduced to
/// their extension.
fn listing(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| {
                    let name = e.unwrap().file_name().to_string_lossy().into_owned();
                    match name.split_once('.') {
                        Some((_, ext)) => format!("*.{ext}"),
                        None => name,
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn titanic_delivers_a_request_stored_while_the_worker_was_down() {
    let tmp = IpcDir::new("titanic-deliver");
    let store = tmp.path().join("store");
    let store_arg = store.to_str().unwrap();
    let (broker, endpoint) = broker();
    let titanic = Proc::run("titanic", &["60", &endpoint, store_arg]);

    // No echo worker yet: the request is stored and stays pending.
    let mut client = Proc::run("ticlient", &[&endpoint, "300"]);
    client.wait_for("I: request UUID [032] ");
    client.wait_for("I: no reply yet, trying again...");
    let uuid = client
        .stdout()
        .lines()
        .find_map(|l| l.strip_prefix("I: request UUID [032] ").map(str::to_owned))
        .unwrap();
    assert!(uuid.len() == 32 && uuid.bytes().all(|b| b.is_ascii_hexdigit()));
    let request =
        msgfile::load(std::fs::File::open(store.join(format!("{uuid}.req"))).unwrap()).unwrap();
    assert_eq!(request, ["echo", "Hello world"]);
    let queue = std::fs::read_to_string(store.join("queue")).unwrap();
    assert_eq!(queue, format!("-{uuid}\n"));

    // The worker comes: Titanic hands it the request, the client gets the
    // reply and closes the request, which deletes its files.
    let worker = Proc::run("mdworker", &["60", &endpoint]);
    let out = client.finish();
    assert!(out.ends_with("Reply: Hello world\n"), "{out}");
    let queue = std::fs::read_to_string(store.join("queue")).unwrap();
    assert_eq!(queue, format!("+{uuid}\n"));
    assert_eq!(listing(&store), ["queue"]);
    worker.stop();
    let out = titanic.stop();
    assert_eq!(out, "");
    broker.stop();
}

#[test]
fn titanic_delivers_what_an_earlier_run_left_in_its_store() {
    // A store as a Titanic that stopped before the echo worker came would
    // leave it: a saved request and its pending queue entry, after one
    // already delivered.
    let tmp = IpcDir::new("titanic-restart");
    let store = tmp.path().join("store");
    std::fs::create_dir_all(&store).unwrap();
    let uuid = msgfile::new_uuid();
    let request = Multipart::from_iter(["echo", "stored", ""]);
    msgfile::save(
        &request,
        std::fs::File::create(store.join(format!("{uuid}.req"))).unwrap(),
    )
    .unwrap();
    let done = "0".repeat(32);
    std::fs::write(store.join("queue"), format!("+{done}\n-{uuid}\n")).unwrap();

    let (broker, endpoint) = broker();
    let worker = Proc::run("mdworker", &["60", &endpoint]);
    let titanic = Proc::run("titanic", &["60", &endpoint, store.to_str().unwrap()]);
    let reply_file = store.join(format!("{uuid}.rep"));
    let started = Instant::now();
    while !reply_file.exists() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no reply stored"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let reply = msgfile::load(std::fs::File::open(&reply_file).unwrap()).unwrap();
    assert_eq!(reply, ["stored", ""]);
    while std::fs::read_to_string(store.join("queue")).unwrap() != format!("+{done}\n+{uuid}\n") {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "queue entry not marked"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    titanic.stop();
    worker.stop();
    broker.stop();
}

#[test]
fn a_bounded_titanic_ends_by_itself() {
    let tmp = IpcDir::new("titanic-bounded");
    let (broker, endpoint) = broker();
    let out = Proc::run("titanic", &["1", &endpoint, tmp.path().to_str().unwrap()]).finish();
    assert_eq!(out, "");
    broker.stop();
}

#[test]
fn message_files_round_trip_every_frame() {
    let msg = Multipart::from_iter([&b""[..], b"\x00\x01binary\xff", &[7u8; 70_000][..], b"end"]);
    let mut file = Vec::new();
    msgfile::save(&msg, &mut file).unwrap();
    assert_eq!(msgfile::load(&file[..]).unwrap(), msg);
    // czmq's layout: a native size_t, then the bytes, per frame.
    let word = std::mem::size_of::<usize>();
    assert_eq!(file.len(), 4 * word + 9 + 70_000 + 3);
    assert_eq!(&file[..word], &0usize.to_ne_bytes());
    assert_eq!(msgfile::load(&[][..]).unwrap(), Multipart::new());
}

#[test]
fn a_damaged_message_file_is_an_error_not_a_panic() {
    let mut file = Vec::new();
    msgfile::save(&Multipart::from_iter(["hello"]), &mut file).unwrap();
    for cut in [3, file.len() - 1] {
        let err = msgfile::load(&file[..cut]).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidData, "cut at {cut}");
    }
    let huge = usize::MAX.to_ne_bytes();
    let err = msgfile::load(&huge[..]).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
    let over = (msgfile::MAX_FRAME + 1).to_ne_bytes();
    assert!(msgfile::load(&over[..]).is_err());
}

#[test]
fn uuids_are_32_hex_digits_and_differ() {
    let a = msgfile::new_uuid();
    let b = msgfile::new_uuid();
    assert_eq!(a.len(), 32);
    assert!(a
        .bytes()
        .all(|c| c.is_ascii_digit() || (b'A'..=b'F').contains(&c)));
    assert_ne!(a, b);
}

#[test]
fn titanic_and_ticlient_refuse_bad_arguments() {
    for (name, args) in [
        ("titanic", &["x"][..]),
        ("titanic", &["-q"][..]),
        ("titanic", &["1", "2", "3", "4"][..]),
        ("ticlient", &["tcp://127.0.0.1:1", "soon"][..]),
    ] {
        let (status, _, err) = Proc::run(name, args).wait();
        assert_eq!(status.code(), Some(2), "{name} {args:?}: {err}");
        assert!(err.starts_with("usage: "), "{name}: {err}");
    }
}
