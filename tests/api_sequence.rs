//! The stateful API model (tests/model/api_sequence.rs) over seeded random
//! sequences: every transport, every message constructor, clones, writes,
//! sends and receives that succeed and that fail, context shutdown. A
//! failure names the seed; `API_SEQUENCE_SEED=N cargo test --test
//! api_sequence` replays it alone. `API_SEQUENCE_RUNS` sets how many
//! sequences run (default 150; CI's valgrind and ASan stages run these too).
//! The coverage-guided twin is the fuzz target `api_sequence`.

#[path = "model/api_sequence.rs"]
mod model;

/// xorshift64*: a fixed, dependency-free generator, so that a seed names
/// the same sequence on every machine.
fn sequence(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            (state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 56) as u8
        })
        .collect()
}

fn run_seed(seed: u64) {
    let bytes = sequence(seed, 1200);
    let outcome = std::panic::catch_unwind(|| model::run(&bytes));
    if let Err(panic) = outcome {
        eprintln!("api_sequence: seed {seed} failed (replay: API_SEQUENCE_SEED={seed})");
        std::panic::resume_unwind(panic);
    }
}

#[test]
fn random_sequences_keep_every_promise() {
    if let Some(seed) = std::env::var("API_SEQUENCE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        run_seed(seed);
        return;
    }
    let runs: u64 = std::env::var("API_SEQUENCE_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(150);
    for seed in 0..runs {
        run_seed(seed);
    }
}
