//! The simulated crashes and overloads of the chapter 4 servers and workers
//! (`lpserver`, `spworker`, `ppworker`), made deterministic: the guide rolls
//! `randof (n) == 0` after a few cycles; here the dice are a xorshift
//! generator that a seed can fix, so a test knows in which cycle a worker
//! crashes.

/// When and how often a server misbehaves.
pub struct Chaos {
    after: u64,
    state: u64,
}

impl Chaos {
    /// Chaos from cycle `after + 1` on (`0`: never). With `seed` the rolls
    /// are the same on every run; without, they depend on the clock.
    pub fn new(after: u64, seed: Option<u64>) -> Chaos {
        let seed = seed.unwrap_or_else(|| super::clock_ms() ^ u64::from(std::process::id()));
        // splitmix64 of the seed: close seeds give unrelated sequences
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Chaos {
            after,
            state: (z ^ (z >> 31)) | 1,
        }
    }

    /// `randof (n) == 0` in a cycle where chaos is on: `cycles > after`.
    /// Rolls the dice only then, as the C's `&&` does.
    pub fn strikes(&mut self, cycles: u64, n: u64) -> bool {
        if self.after == 0 || cycles <= self.after {
            return false;
        }
        let mut x = self.state;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.state = x;
        x.is_multiple_of(n)
    }
}
