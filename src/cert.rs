//! CURVE certificates in the ZPL text format that czmq (`zcert`) and pyzmq
//! (`zmq.auth.create_certificates`) write and read: `name.key` holds the
//! public key, `name.key_secret` both keys (file mode 0600), each with an
//! optional metadata section.
//!
//! Files are written to a new temporary file in the same directory (created
//! exclusively, never through a symbolic link) and renamed into place, so a
//! planted link is replaced, not followed, and a reader of the old file
//! never sees the new secret. Files are read only if they are regular files
//! (no symbolic links, FIFOs or devices) of at most
//! [`Certificate::MAX_FILE_LEN`] bytes, without blocking on open.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::socket::Socket;
use crate::CurveKey;

/// A CURVE key pair. The secret half is wiped from memory on drop and
/// never shown by `Debug`.
///
/// ```
/// let pair = zmq::CurveKeyPair::generate()?;
/// let again = zmq::CurveKeyPair::from_secret(pair.secret.clone())?;
/// assert_eq!(again.public, pair.public);
/// assert!(!format!("{pair:?}").contains(&pair.secret.to_z85()));
/// # Ok::<(), zmq::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CurveKeyPair {
    /// The public key, to give to peers.
    pub public: CurveKey,
    /// The secret key.
    pub secret: CurveKey,
}

impl CurveKeyPair {
    /// A new random key pair (`zmq_curve_keypair`); needs CURVE in libzmq.
    #[doc(alias = "zmq_curve_keypair")]
    pub fn generate() -> Result<CurveKeyPair> {
        let (public, secret) = CurveKey::generate_keypair()?;
        Ok(CurveKeyPair { public, secret })
    }

    /// The pair of a secret key, its public key derived (`zmq_curve_public`).
    #[doc(alias = "zmq_curve_public")]
    pub fn from_secret(secret: CurveKey) -> Result<CurveKeyPair> {
        let public = CurveKey::public_from_secret(&secret)?;
        Ok(CurveKeyPair { public, secret })
    }
}

/// A CURVE key pair, or only a public key (a peer's certificate), with metadata.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Certificate {
    public: CurveKey,
    secret: Option<CurveKey>,
    metadata: BTreeMap<String, String>,
}

fn invalid(why: impl Into<String>) -> Error {
    Error::invalid_certificate(why.into())
}

impl Certificate {
    /// The largest certificate file [`Certificate::load`] reads (a
    /// certificate is about 400 bytes, plus its metadata).
    pub const MAX_FILE_LEN: u64 = 64 * 1024;

    /// A certificate with a new random key pair.
    #[doc(alias = "zmq_curve_keypair")]
    pub fn generate() -> Result<Certificate> {
        let (public, secret) = CurveKey::generate_keypair()?;
        Ok(Certificate::from_keys(public, Some(secret)))
    }

    /// A certificate from keys; without a secret key it is a public certificate.
    pub fn from_keys(public: CurveKey, secret: Option<CurveKey>) -> Certificate {
        Certificate {
            public,
            secret,
            metadata: BTreeMap::new(),
        }
    }

    /// The certificate of a secret key (the public key is derived).
    #[doc(alias = "zmq_curve_public")]
    pub fn from_secret(secret: CurveKey) -> Result<Certificate> {
        let public = CurveKey::public_from_secret(&secret)?;
        Ok(Certificate::from_keys(public, Some(secret)))
    }

    /// The public key.
    pub fn public_key(&self) -> &CurveKey {
        &self.public
    }

    /// The secret key, if this certificate has one.
    pub fn secret_key(&self) -> Option<&CurveKey> {
        self.secret.as_ref()
    }

    /// A copy without the secret key, safe to hand to peers.
    pub fn public_only(&self) -> Certificate {
        Certificate {
            public: self.public.clone(),
            secret: None,
            metadata: self.metadata.clone(),
        }
    }

    /// A metadata value.
    pub fn meta(&self, name: &str) -> Option<&str> {
        self.metadata.get(name).map(String::as_str)
    }

    /// Sets a metadata value (name: letters, digits, `-`, `_`, `.`, `/`, `+`;
    /// value: no line breaks or quotes).
    pub fn set_meta(&mut self, name: &str, value: &str) -> Result<()> {
        let name_ok = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./+".contains(c));
        let value_ok = !value.chars().any(|c| matches!(c, '\n' | '\r' | '"' | '\0'));
        if !name_ok || !value_ok || name == "public-key" || name == "secret-key" {
            return Err(Error::from(crate::ErrorKind::InvalidArgument));
        }
        self.metadata.insert(name.to_owned(), value.to_owned());
        Ok(())
    }

    /// All metadata.
    pub fn metadata(&self) -> &BTreeMap<String, String> {
        &self.metadata
    }

    /// The text of the certificate file up to (including) the public key.
    fn render_head(&self, with_secret: bool) -> String {
        let mut text = String::new();
        text.push_str("#   ****  Generated by the zmq Rust crate  ****\n");
        if with_secret {
            text.push_str("#   ZeroMQ CURVE **Secret** Certificate\n");
            text.push_str(
                "#   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions.\n\n",
            );
        } else {
            text.push_str("#   ZeroMQ CURVE Public Certificate\n");
            text.push_str(
                "#   Exchange securely, or use a secure mechanism to verify the contents\n",
            );
            text.push_str(
                "#   of this file after exchange. Store public certificates in your home\n",
            );
            text.push_str("#   directory, in the .curve subdirectory.\n\n");
        }
        text.push_str("metadata\n");
        for (name, value) in &self.metadata {
            let _ = writeln!(text, "    {name} = \"{value}\"");
        }
        text.push_str("curve\n");
        let _ = writeln!(text, "    public-key = \"{}\"", self.public.to_z85());
        text
    }

    /// The public certificate file's text.
    pub fn to_public_text(&self) -> String {
        self.render_head(false)
    }

    /// The secret certificate file's text (`None` without a secret key), in
    /// a buffer wiped from memory when dropped.
    pub fn to_secret_text(&self) -> Option<Zeroizing<String>> {
        const BEFORE: &str = "    secret-key = \"";
        const AFTER: &str = "\"\n";
        let secret = self.secret.as_ref()?;
        let head = self.render_head(true);
        // Allocated once at its final size: growing would leave copies of
        // the secret in freed memory.
        let mut text = Zeroizing::new(String::with_capacity(
            head.len() + BEFORE.len() + CurveKey::Z85_LEN + AFTER.len(),
        ));
        text.push_str(&head);
        text.push_str(BEFORE);
        // 32 bytes always encode; the fallback is never taken.
        let z85 = crate::z85::encode_secret(secret.as_bytes()).unwrap_or_default();
        text.push_str(&z85);
        text.push_str(AFTER);
        Some(text)
    }

    /// Parses a certificate file's text (public or secret). No copy of the
    /// secret key's text is made but in buffers wiped on drop.
    pub fn parse(text: &str) -> Result<Certificate> {
        let mut section = "";
        let mut public = None;
        let mut secret = None;
        let mut metadata = BTreeMap::new();
        for line in text.lines() {
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            if !line.starts_with([' ', '\t']) {
                section = trimmed;
                continue;
            }
            let Some((name, value)) = trimmed.split_once('=') else {
                continue; // a nested section name: nothing we use
            };
            let name = name.trim();
            let value = value.trim().trim_matches(|c| c == '"' || c == '\'');
            match (section, name) {
                ("curve", "public-key") => public = Some(value),
                ("curve", "secret-key") => secret = Some(value),
                ("metadata", _) => {
                    metadata.insert(name.to_owned(), value.to_owned());
                }
                _ => {}
            }
        }
        let public = public.ok_or_else(|| invalid("no curve/public-key"))?;
        let public =
            CurveKey::from_z85(public).map_err(|_| invalid("public-key is not a Z85 key"))?;
        let secret = match secret {
            Some(text) => {
                let not_a_key = || invalid("secret-key is not a Z85 key");
                let bytes = crate::z85::decode_secret(text).map_err(|_| not_a_key())?;
                Some(CurveKey::from_bytes(&bytes).map_err(|_| not_a_key())?)
            }
            None => None,
        };
        if let Some(secret) = &secret {
            if CurveKey::public_from_secret(secret).is_ok_and(|derived| derived != public) {
                return Err(invalid("public-key does not belong to secret-key"));
            }
        }
        Ok(Certificate {
            public,
            secret,
            metadata,
        })
    }

    /// Writes `BASE.key` (public) and, with a secret key, `BASE.key_secret`
    /// (mode 0600); returns their paths. See [`Certificate::save_secret`].
    pub fn save(&self, base: impl AsRef<Path>) -> Result<(PathBuf, Option<PathBuf>)> {
        let base = base.as_ref();
        let public_path = with_suffix(base, ".key");
        self.save_public(&public_path)?;
        let secret_path = match self.secret {
            Some(_) => {
                let path = with_suffix(base, ".key_secret");
                self.save_secret(&path)?;
                Some(path)
            }
            None => None,
        };
        Ok((public_path, secret_path))
    }

    /// Writes the public certificate to `path` (mode 0644 less the umask),
    /// replacing what is there as [`Certificate::save_secret`] does.
    pub fn save_public(&self, path: impl AsRef<Path>) -> Result<()> {
        write_new_file(path.as_ref(), self.to_public_text().as_bytes(), 0o644)
    }

    /// Writes the secret certificate to `path`, readable by its owner only
    /// (mode 0600): into a new file of the same directory, created
    /// exclusively and without following links, then renamed to `path`. A
    /// symbolic link at `path` is replaced, not followed; a reader that
    /// opened the old file keeps reading the old file.
    pub fn save_secret(&self, path: impl AsRef<Path>) -> Result<()> {
        let text = self
            .to_secret_text()
            .ok_or(Error::from(crate::ErrorKind::InvalidArgument))?;
        write_new_file(path.as_ref(), text.as_bytes(), 0o600)
    }

    /// Reads a certificate file: a regular file (a symbolic link, FIFO,
    /// device or directory is an error, found without blocking) of at most
    /// [`Certificate::MAX_FILE_LEN`] bytes. The file's text is wiped from
    /// memory once parsed.
    pub fn load(path: impl AsRef<Path>) -> Result<Certificate> {
        let bytes = read_regular_file(path.as_ref(), Certificate::MAX_FILE_LEN)?;
        let text = std::str::from_utf8(&bytes).map_err(|_| invalid("not UTF-8 text"))?;
        Certificate::parse(text)
    }

    /// Reads every public certificate (`*.key`) of a directory, as pyzmq's
    /// `load_certificates` does; each is read as [`Certificate::load`] does,
    /// and a file that cannot be read or parsed is an error.
    pub fn load_dir(dir: impl AsRef<Path>) -> Result<Vec<Certificate>> {
        let mut certs = Vec::new();
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "key"))
            .collect();
        paths.sort();
        for path in paths {
            certs.push(Certificate::load(&path)?);
        }
        Ok(certs)
    }

    /// Makes `socket` a CURVE server with this certificate's keys.
    pub fn apply_server(&self, socket: &Socket) -> Result<()> {
        let secret = self
            .secret
            .as_ref()
            .ok_or(Error::from(crate::ErrorKind::InvalidArgument))?;
        socket.set_curve_server(true)?;
        socket.set_curve_publickey(&self.public)?;
        socket.set_curve_secretkey(secret)
    }

    /// Makes `socket` a CURVE client with this certificate's keys, talking
    /// to the server whose public key is `server`.
    pub fn apply_client(&self, socket: &Socket, server: &CurveKey) -> Result<()> {
        let secret = self
            .secret
            .as_ref()
            .ok_or(Error::from(crate::ErrorKind::InvalidArgument))?;
        socket.set_curve_serverkey(server)?;
        socket.set_curve_publickey(&self.public)?;
        socket.set_curve_secretkey(secret)
    }
}

fn with_suffix(base: &Path, suffix: &str) -> PathBuf {
    let mut name = base.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// An I/O error saying what is wrong with a file.
fn file_error(kind: std::io::ErrorKind, path: &Path, why: &str) -> Error {
    Error::from(std::io::Error::new(
        kind,
        format!("{}: {why}", path.display()),
    ))
}

/// Reads a file that must be a regular file (a symbolic link, FIFO, device
/// or directory is refused, without blocking: opened with `O_NONBLOCK |
/// O_NOFOLLOW`, then checked with `fstat`) of at most `limit` bytes, into a
/// buffer wiped on drop, allocated once (a growing buffer would leave copies
/// of secrets behind).
pub(crate) fn read_regular_file(path: &Path, limit: u64) -> Result<Zeroizing<Vec<u8>>> {
    use std::io::ErrorKind;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(
        &mut options,
        libc::O_NONBLOCK | libc::O_NOFOLLOW | libc::O_CLOEXEC,
    );
    #[cfg(not(unix))]
    if std::fs::symlink_metadata(path)?.file_type().is_symlink() {
        return Err(file_error(
            ErrorKind::InvalidInput,
            path,
            "is a symbolic link; give the path of the file itself",
        ));
    }
    let mut file = match options.open(path) {
        Ok(file) => file,
        #[cfg(unix)]
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
            return Err(file_error(
                ErrorKind::InvalidInput,
                path,
                "is a symbolic link; give the path of the file itself",
            ))
        }
        Err(e) => return Err(e.into()),
    };
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(file_error(
            ErrorKind::InvalidInput,
            path,
            "is not a regular file (a directory, FIFO, socket or device)",
        ));
    }
    let too_large = || {
        file_error(
            ErrorKind::FileTooLarge,
            path,
            &format!("is larger than {limit} bytes"),
        )
    };
    if meta.len() > limit {
        return Err(too_large());
    }
    // One byte more than the file's size: filling it means the file grew.
    let size = usize::try_from(meta.len()).map_err(|_| too_large())?;
    let mut buf = Zeroizing::new(vec![0u8; size + 1]);
    let mut filled = 0;
    loop {
        let Some(free) = buf.get_mut(filled..) else {
            return Err(too_large());
        };
        match file.read(free) {
            Ok(0) => break,
            Ok(n) => {
                filled += n;
                if filled == buf.len() {
                    return Err(too_large());
                }
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e.into()),
        }
    }
    buf.truncate(filled);
    Ok(buf)
}

/// Writes `contents` to `path` through a new file in the same directory
/// (`O_CREAT | O_EXCL | O_NOFOLLOW`, `mode` less the umask) renamed into
/// place: a symbolic link at `path` is replaced, never followed, and the old
/// file (if any) is left untouched for whoever has it open.
fn write_new_file(path: &Path, contents: &[u8], mode: u32) -> Result<()> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let name = path
        .file_name()
        .ok_or(Error::from(crate::ErrorKind::InvalidArgument))?;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut attempts = 0;
    let (temp, mut file) = loop {
        let mut temp_name = std::ffi::OsString::from(".");
        temp_name.push(name);
        temp_name.push(format!(
            ".{}.{}.tmp",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let temp = dir.join(temp_name);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options
                .mode(mode)
                .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC);
        }
        #[cfg(not(unix))]
        let _ = mode;
        match options.open(&temp) {
            Ok(file) => break (temp, file),
            // Someone else's file (or link) by that name: take another name.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempts < 100 => {
                attempts += 1;
            }
            Err(e) => return Err(e.into()),
        }
    };
    let written = file
        .write_all(contents)
        .and_then(|()| file.sync_all())
        .and_then(|()| {
            drop(file);
            std::fs::rename(&temp, path)
        });
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(e.into());
    }
    // Make the rename durable; not every platform can sync a directory.
    if let Ok(dir) = std::fs::File::open(dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trip() {
        let mut cert = Certificate::generate().unwrap();
        cert.set_meta("name", "server").unwrap();
        let back = Certificate::parse(&cert.to_secret_text().unwrap()).unwrap();
        assert!(cert.to_secret_text().unwrap().ends_with("\"\n"));
        assert_eq!(back, cert);
        let public = Certificate::parse(&cert.to_public_text()).unwrap();
        assert_eq!(public, cert.public_only());
        assert!(!cert
            .to_public_text()
            .contains(&cert.secret_key().unwrap().to_z85()));
    }

    #[test]
    fn bad_certificates_are_errors() {
        assert!(Certificate::parse("").is_err());
        assert!(Certificate::parse("curve\n    public-key = \"short\"\n").is_err());
        let a = Certificate::generate().unwrap();
        let b = Certificate::generate().unwrap();
        let mixed = format!(
            "curve\n    public-key = \"{}\"\n    secret-key = \"{}\"\n",
            a.public_key().to_z85(),
            b.secret_key().unwrap().to_z85()
        );
        assert!(Certificate::parse(&mixed).is_err());
        let mut c = a.clone();
        assert!(c.set_meta("bad name", "x").is_err());
        assert!(c.set_meta("ok", "line\nbreak").is_err());
    }
}
