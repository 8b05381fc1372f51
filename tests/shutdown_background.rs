//! Terminations that go on in the background, and the notice a program
//! without a `log` logger gets while its exit waits. A test binary of its
//! own: `zmq::background_terminations()` counts for the whole process.

use std::process::Command;
use std::time::{Duration, Instant};

use zmq::{Context, SocketType, Termination};

fn count(dir: &str) -> usize {
    std::fs::read_dir(dir).map(|d| d.count()).unwrap_or(0)
}

/// A context whose PUSH holds a message nobody will take, with `linger`.
fn stuck_context(linger: Option<Duration>) -> Context {
    let ctx = Context::new();
    let push = ctx.socket(SocketType::Push).unwrap();
    push.set_linger(linger).unwrap();
    push.connect("tcp://127.0.0.1:9").unwrap(); // nothing listens there
    push.send("undeliverable").unwrap();
    ctx
}

#[test]
fn background_terminations_are_counted_and_a_linger_bounds_them() {
    let (threads, fds) = (count("/proc/self/task"), count("/proc/self/fd"));
    assert_eq!(zmq::background_terminations(), 0);
    let ctx = stuck_context(Some(Duration::from_millis(1500)));
    let outcome = ctx.terminate(Some(Duration::from_millis(100))).unwrap();
    assert!(
        matches!(outcome, Termination::TimedOut { .. }),
        "{outcome:?}"
    );
    assert_eq!(zmq::background_terminations(), 1);
    let (more_threads, more_fds) = (
        count("/proc/self/task").saturating_sub(threads),
        count("/proc/self/fd").saturating_sub(fds),
    );
    // docs/SHUTDOWN.md quotes these figures.
    eprintln!("a context terminating in the background holds {more_threads} threads and {more_fds} descriptors");
    assert!(more_threads >= 1);
    // The linger expires 1.5 s after the close: termination finishes, and
    // its threads and descriptors are released.
    let deadline = Instant::now() + Duration::from_secs(10);
    while zmq::background_terminations() != 0 {
        assert!(
            Instant::now() < deadline,
            "the linger did not bound the termination"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    while count("/proc/self/task") > threads {
        assert!(
            Instant::now() < deadline,
            "threads stayed after the termination"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Run by [`a_program_without_a_logger_is_told_why_its_exit_waits`] in a
/// child process (it needs a process with no `log` logger).
#[test]
#[ignore = "run in a child process by a_program_without_a_logger_is_told_why_its_exit_waits"]
fn child_drops_a_stuck_context() {
    let ctx = stuck_context(None);
    ctx.set_term_timeout(Some(Duration::from_millis(2500)));
    drop(ctx);
}

#[test]
fn a_program_without_a_logger_is_told_why_its_exit_waits() {
    // Was: with no logger the 10 s wait at exit was silent.
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "child_drops_a_stuck_context",
            "--nocapture",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("zmq: terminating a context: waiting up to")
            && stderr.contains("PUSH tcp://127.0.0.1:9"),
        "no notice while waiting: {stderr}"
    );
    assert!(
        stderr.contains("zmq: context termination still waiting after 2.5s"),
        "no warning at the timeout: {stderr}"
    );
}
