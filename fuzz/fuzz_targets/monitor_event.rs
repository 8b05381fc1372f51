//! The monitor event parsers must turn any frames into an event or an
//! error, never panic. The input is split into frames at 0xFF bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let frames: Vec<&[u8]> = data.split(|&b| b == 0xff).collect();
    let _ = zmq::monitor::parse_v1(&frames);
    let _ = zmq::monitor::parse_v2(&frames);
    let _ = zmq::ProxyStatistics::parse(&frames);
});
