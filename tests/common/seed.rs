//! The checks of the seed examples' output (`hwclient`, `hwserver`,
//! `wuclient`, `tasksink`, `taskvent`), shared by the Rust programs and the
//! pyzmq ones of the interop suite: both print the same lines.

use crate::DEADLINE;

/// The hello-world client's output for `count` round trips.
pub fn check_hello_client(out: &str, count: usize) {
    assert!(out.contains("Connecting to hello world server"), "{out}");
    for n in 0..count {
        assert!(out.contains(&format!("Sending Hello {n}")), "{out}");
        assert!(out.contains(&format!("Received World {n}\n")), "{out}");
    }
    assert!(!out.contains(&format!("Sending Hello {count}")), "{out}");
}

/// The hello-world server's output for `count` requests.
pub fn check_hello_server(out: &str, count: usize) {
    assert_eq!(out.matches("Received Hello\n").count(), count, "{out}");
}

/// The weather client's average for `zipcode`, which must be a possible one.
pub fn check_weather_client(out: &str, zipcode: &str) -> i64 {
    assert!(
        out.contains("Collecting updates from weather server"),
        "{out}"
    );
    let prefix = format!("Average temperature for zipcode '{zipcode}' was ");
    let line = out
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no average for {zipcode}:\n{out}"));
    let average: i64 = line
        .strip_suffix('F')
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("bad average line {line:?}"));
    assert!((-80..=134).contains(&average), "{out}");
    average
}

/// The sink's output: 100 results, a `:` for each tenth, and the time.
pub fn check_sink(out: &str) -> u64 {
    assert_eq!(out.matches(':').count(), 10 + 1, "{out}"); // + "Total...: N"
    assert_eq!(out.matches('.').count(), 90, "{out}");
    // On the line of the progress marks, as in C (no newline before it).
    let ms = out
        .split_once("Total elapsed time: ")
        .and_then(|(_, l)| l.lines().next())
        .and_then(|l| l.strip_suffix(" msec"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no elapsed time:\n{out}"));
    assert!(ms < DEADLINE.as_millis() as u64, "{out}");
    ms
}

/// The ventilator's expected cost: 100 workloads of 1-100 msec.
pub fn check_vent(out: &str) -> u64 {
    assert!(out.contains("Sending tasks to workers"), "{out}");
    let cost: u64 = out
        .lines()
        .find_map(|l| l.strip_prefix("Total expected cost: "))
        .and_then(|l| l.strip_suffix(" msec"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no expected cost:\n{out}"));
    assert!((100..=10_000).contains(&cost), "{out}");
    cost
}
