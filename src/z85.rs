//! Z85 (ZeroMQ RFC 32), the printable encoding of CURVE keys: four bytes
//! become five characters. Lengths and characters are checked; bad input is
//! an error, never a panic.
//!
//! For secret material use [`encode_secret`] and [`decode_secret`]: their
//! results are [`Zeroizing`] buffers, wiped when dropped, and they leave no
//! other copy behind.

use zeroize::Zeroize;
pub use zeroize::Zeroizing;

use crate::error::{Error, Result};

const ALPHABET: &[u8; 85] =
    b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

// Evaluated at compile time: an index out of range is a build error.
#[allow(clippy::indexing_slicing)]
const fn decode_table() -> [u8; 256] {
    let mut table = [0xffu8; 256];
    let mut i = 0;
    while i < 85 {
        table[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    table
}

const DECODE: [u8; 256] = decode_table();

/// Encodes `data`, whose length must be a multiple of 4.
#[doc(alias = "zmq_z85_encode", alias = "z85_encode")]
pub fn encode(data: &[u8]) -> Result<String> {
    let mut out = String::new();
    encode_into(data, &mut out)?;
    Ok(out)
}

/// Like [`encode`], for secret material: the text is wiped from memory when
/// the result is dropped.
pub fn encode_secret(data: &[u8]) -> Result<Zeroizing<String>> {
    let mut out = Zeroizing::new(String::new());
    encode_into(data, &mut out)?;
    Ok(out)
}

/// Encodes into `out`, which is allocated once at its final size (a
/// growing buffer would leave copies behind in freed memory).
fn encode_into(data: &[u8], out: &mut String) -> Result<()> {
    if !data.len().is_multiple_of(4) {
        return Err(Error::from(crate::ErrorKind::InvalidArgument));
    }
    out.reserve_exact(data.len() / 4 * 5);
    let mut digits = [0u8; 5];
    for chunk in data.chunks_exact(4) {
        let mut value = u32::from_be_bytes(
            chunk
                .try_into()
                .map_err(|_| Error::from(crate::ErrorKind::InvalidArgument))?,
        );
        for digit in digits.iter_mut().rev() {
            // value % 85 is always a place of the 85-character alphabet.
            *digit = ALPHABET
                .get((value % 85) as usize)
                .copied()
                .ok_or(Error::from(crate::ErrorKind::InvalidArgument))?;
            value /= 85;
        }
        out.extend(digits.iter().map(|&d| d as char));
    }
    digits.zeroize();
    Ok(())
}

/// Decodes Z85 text, whose length must be a multiple of 5; a character
/// outside the alphabet, or a group above 2^32-1, is an error.
#[doc(alias = "zmq_z85_decode", alias = "z85_decode")]
pub fn decode(text: &str) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    decode_into(text, &mut out)?;
    Ok(out)
}

/// Like [`decode`], for secret material: the bytes are wiped from memory
/// when the result is dropped (or on an error, what was decoded so far).
pub fn decode_secret(text: &str) -> Result<Zeroizing<Vec<u8>>> {
    let mut out = Zeroizing::new(Vec::new());
    decode_into(text, &mut out)?;
    Ok(out)
}

/// Decodes into `out`, allocated once at its final size.
fn decode_into(text: &str, out: &mut Vec<u8>) -> Result<()> {
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(5) {
        return Err(Error::from(crate::ErrorKind::InvalidArgument));
    }
    out.reserve_exact(bytes.len() / 5 * 4);
    for chunk in bytes.chunks_exact(5) {
        let mut value: u64 = 0;
        for &c in chunk {
            // A u8 is always a place of the 256-entry table.
            let digit = DECODE.get(usize::from(c)).copied().unwrap_or(0xff);
            if digit == 0xff {
                return Err(Error::from(crate::ErrorKind::InvalidArgument));
            }
            value = value * 85 + u64::from(digit);
        }
        let value =
            u32::try_from(value).map_err(|_| Error::from(crate::ErrorKind::InvalidArgument))?;
        out.extend_from_slice(&value.to_be_bytes());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_32_test_vector() {
        let data = [0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B];
        assert_eq!(encode(&data).unwrap(), "HelloWorld");
        assert_eq!(decode("HelloWorld").unwrap(), data);
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(encode(&[1, 2, 3]).is_err());
        assert!(decode("1234").is_err());
        assert!(decode("Hello Worl").is_err()); // space is not in the alphabet
        assert!(decode("#####").is_err()); // 84*(85^4+...) > u32::MAX
        assert!(decode("héllo").is_err());
        assert_eq!(decode("").unwrap(), b"");
        assert!(encode_secret(&[1, 2, 3]).is_err());
        assert!(decode_secret("Hello Worl").is_err());
    }

    #[test]
    fn secret_variants_agree() {
        let data = [0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B];
        assert_eq!(encode_secret(&data).unwrap().as_str(), "HelloWorld");
        assert_eq!(decode_secret("HelloWorld").unwrap().as_slice(), data);
        assert_eq!(
            format!("{:?}", encode_secret(&data).unwrap()),
            "Zeroizing { .. }"
        );
    }

    /// The key type from raw bytes is pure Rust (run under Miri too).
    #[test]
    fn curve_key_from_raw_bytes() {
        let bytes: Vec<u8> = (0u8..32).collect();
        let key = crate::CurveKey::new(&bytes).unwrap();
        assert_eq!(key.as_bytes()[..], bytes[..]);
        assert_eq!(crate::CurveKey::from_bytes(&bytes).unwrap(), key);
        assert!(crate::CurveKey::new(&bytes[..31]).is_err());
        assert!(crate::CurveKey::from_bytes(&[0u8; 33]).is_err());
        assert_eq!(format!("{key:?}"), "CurveKey(..)");
    }

    /// Its Z85 text goes through libzmq's zmq_z85_* (not under Miri).
    #[test]
    fn curve_key_text_round_trip() {
        let bytes: Vec<u8> = (0u8..32).collect();
        let key = crate::CurveKey::new(&bytes).unwrap();
        let text = key.to_z85();
        assert_eq!(text, encode(&bytes).unwrap());
        assert_eq!(crate::CurveKey::from_z85(&text).unwrap(), key);
        assert_eq!(crate::CurveKey::new(text.as_bytes()).unwrap(), key);
        assert!(crate::CurveKey::from_z85(&text[..39]).is_err());
        assert!(crate::CurveKey::from_z85(&format!("{}\0", &text[..39])).is_err());
    }
}
