//! Frames to text and back: text, hex, base64, JSON; UTC timestamps.

use std::time::{SystemTime, UNIX_EPOCH};

/// How frames are written (and, for input, read).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// The bytes as they are (input: the line as it is).
    Text,
    /// Lower-case hexadecimal.
    Hex,
    /// Standard base64 with padding.
    Base64,
    /// One JSON object per message: {"frames": [...]}, a frame as a string
    /// when it is UTF-8, else as {"base64": "..."} (output only).
    Json,
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 15)] as char);
    }
    out
}

pub fn unhex(text: &[u8]) -> Result<Vec<u8>, String> {
    let text = trim(text);
    if !text.len().is_multiple_of(2) {
        return Err("hex input has an odd number of digits".into());
    }
    let digit = |c: u8| match c {
        b'0'..=b'9' => Ok(c - b'0'),
        b'a'..=b'f' => Ok(c - b'a' + 10),
        b'A'..=b'F' => Ok(c - b'A' + 10),
        _ => Err(format!("not a hex digit: {:?}", c as char)),
    };
    text.chunks(2)
        .map(|pair| Ok(digit(pair[0])? << 4 | digit(pair[1])?))
        .collect()
}

pub fn base64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

pub fn unbase64(text: &[u8]) -> Result<Vec<u8>, String> {
    let text = trim(text);
    if !text.len().is_multiple_of(4) {
        return Err("base64 input length is not a multiple of 4".into());
    }
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let chunks = text.len() / 4;
    for (index, chunk) in text.chunks(4).enumerate() {
        let last = index + 1 == chunks;
        let pad = chunk.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 || (pad > 0 && !last) {
            return Err("misplaced base64 padding".into());
        }
        let mut n = 0u32;
        for &c in &chunk[..4 - pad] {
            let v = B64
                .iter()
                .position(|&d| d == c)
                .ok_or_else(|| format!("not a base64 character: {:?}", c as char))?;
            n = n << 6 | v as u32;
        }
        n <<= 6 * pad as u32;
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..3 - pad]);
    }
    Ok(out)
}

fn trim(text: &[u8]) -> &[u8] {
    let start = text.iter().position(|c| !c.is_ascii_whitespace());
    let end = text.iter().rposition(|c| !c.is_ascii_whitespace());
    match (start, end) {
        (Some(s), Some(e)) => &text[s..=e],
        _ => &[],
    }
}

/// One frame of input in `format` (JSON input is not accepted: checked by
/// the caller).
pub fn decode(frame: &[u8], format: Format) -> Result<Vec<u8>, String> {
    match format {
        Format::Text | Format::Json => Ok(frame.to_vec()),
        Format::Hex => unhex(frame),
        Format::Base64 => unbase64(frame),
    }
}

/// A received message as one output line (without the newline).
pub fn encode_message(frames: &[&[u8]], format: Format, separator: &[u8]) -> Vec<u8> {
    if format == Format::Json {
        let frames: Vec<serde_json::Value> = frames
            .iter()
            .map(|f| match std::str::from_utf8(f) {
                Ok(s) => serde_json::Value::String(s.to_owned()),
                Err(_) => serde_json::json!({ "base64": base64(f) }),
            })
            .collect();
        return serde_json::json!({ "frames": frames })
            .to_string()
            .into_bytes();
    }
    let mut out = Vec::new();
    for (i, f) in frames.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(separator);
        }
        match format {
            Format::Hex => out.extend_from_slice(hex(f).as_bytes()),
            Format::Base64 => out.extend_from_slice(base64(f).as_bytes()),
            _ => out.extend_from_slice(f),
        }
    }
    out
}

/// Splits `line` at every `separator` (no separator: one frame).
pub fn split<'a>(line: &'a [u8], separator: Option<&[u8]>) -> Vec<&'a [u8]> {
    let Some(sep) = separator.filter(|s| !s.is_empty()) else {
        return vec![line];
    };
    let mut frames = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.windows(sep.len()).position(|w| w == sep) {
        frames.push(&rest[..at]);
        rest = &rest[at + sep.len()..];
    }
    frames.push(rest);
    frames
}

/// The current time as `2026-01-31T12:34:56.789Z`.
pub fn utc_now() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let secs = now.as_secs();
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60,
        now.subsec_millis()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codecs_round_trip() {
        for data in [
            &b""[..],
            b"f",
            b"fo",
            b"foo",
            b"foob",
            b"fooba",
            b"foobar",
            b"\0\xff\x80",
        ] {
            assert_eq!(unbase64(base64(data).as_bytes()).unwrap(), data);
            assert_eq!(unhex(hex(data).as_bytes()).unwrap(), data);
        }
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64(b"fooba"), "Zm9vYmE=");
        assert_eq!(base64(b"foob"), "Zm9vYg==");
        assert_eq!(hex(b"\x00\xab"), "00ab");
        assert!(unbase64(b"Zm9=Zm9v").is_err());
        assert!(unbase64(b"Zm9").is_err());
        assert!(unhex(b"0g").is_err());
        assert!(unhex(b"abc").is_err());
    }

    #[test]
    fn split_and_encode() {
        assert_eq!(
            split(b"a|b||c", Some(b"|")),
            vec![&b"a"[..], b"b", b"", b"c"]
        );
        assert_eq!(split(b"a|b", None), vec![&b"a|b"[..]]);
        let frames: [&[u8]; 2] = [b"hi", b"\xff"];
        assert_eq!(
            encode_message(&frames, Format::Json, b"|"),
            br#"{"frames":["hi",{"base64":"/w=="}]}"#
        );
        assert_eq!(encode_message(&frames, Format::Hex, b" "), b"6869 ff");
    }

    #[test]
    fn timestamp_shape() {
        let t = utc_now();
        assert_eq!(t.len(), 24, "{t}");
        assert!(t.starts_with("20") && t.ends_with('Z'), "{t}");
    }
}
