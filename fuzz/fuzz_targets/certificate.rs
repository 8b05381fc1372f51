//! Certificate parsing never panics; what parses renders and parses again
//! to the same certificate.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(cert) = zmq::Certificate::parse(text) {
        let again = zmq::Certificate::parse(&cert.to_public_text()).expect("own output parses");
        assert_eq!(again.public_key(), cert.public_key());
    }
});
