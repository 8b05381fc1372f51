//! ZAP request parsing turns any frames into a request or a 500 reason,
//! never a panic. Frames are split at 0xFF bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let frames: Vec<&[u8]> = data.split(|&b| b == 0xff).collect();
    let _ = zmq::auth::ZapRequest::parse(&frames);
});
