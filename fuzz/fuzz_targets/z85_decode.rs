//! Z85 decoding never panics, and what decodes re-encodes to the same text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(bytes) = zmq::z85::decode(text) {
            assert_eq!(zmq::z85::encode(&bytes).unwrap(), text);
        }
        let _ = zmq::CurveKey::from_z85(text);
    }
    let _ = zmq::CurveKey::new(data);
});
