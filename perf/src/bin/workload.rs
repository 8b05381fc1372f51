//! One workload of `compare`, once, for profilers:
//! `workload <c|c-shaped|rust|rust-c-shaped|rust-from-fn|rust-with-size> <thr|lat> <endpoint> <message-size> <count> [<enable_curve>]`.
//! Prints msg/s (thr) or microseconds (lat). Instructions per message:
//! `valgrind --tool=callgrind workload rust thr inproc://x 1 200000`, minus
//! the same with half the count, divided by the difference.

use zmq_perf::{arg, c_lat, c_thr, rust_lat, rust_thr, Sender, Workload};

const USAGE: &str =
    "workload <c|c-shaped|rust|rust-c-shaped|rust-from-fn|rust-with-size> <thr|lat> <endpoint> <message-size> <count> [<enable_curve>]";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 6 && args.len() != 7 {
        println!("usage: {USAGE}");
        std::process::exit(1);
    }
    let w = Workload {
        endpoint: args[3].clone(),
        size: arg(&args, 4, USAGE),
        count: arg(&args, 5, USAGE),
        curve: args.len() == 7 && arg::<i32>(&args, 6, USAGE) != 0,
        sender: match args[1].as_str() {
            "rust-c-shaped" | "c-shaped" => Sender::InPlace,
            "rust-from-fn" => Sender::Message,
            "rust-with-size" => Sender::WithSize,
            _ => Sender::Slice,
        },
    };
    let result = match (args[1].as_str(), args[2].as_str()) {
        ("c" | "c-shaped", "thr") => c_thr(&w),
        ("c" | "c-shaped", "lat") => c_lat(&w),
        ("rust" | "rust-c-shaped" | "rust-from-fn" | "rust-with-size", "thr") => rust_thr(&w),
        ("rust" | "rust-c-shaped" | "rust-from-fn" | "rust-with-size", "lat") => rust_lat(&w),
        _ => {
            println!("usage: {USAGE}");
            std::process::exit(1)
        }
    };
    match result {
        Ok(v) => println!("{v:.3}"),
        Err(e) => {
            println!("{e}");
            std::process::exit(255)
        }
    }
}
