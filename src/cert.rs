//! CURVE certificates in the ZPL text format that czmq (`zcert`) and pyzmq
//! (`zmq.auth.create_certificates`) write and read: `name.key` holds the
//! public key, `name.key_secret` both keys (file mode 0600), each with an
//! optional metadata section.
//!
//! Files are written to a new temporary file in the same directory (created
//! exclusively under a random name, never through a symbolic link) and
//! renamed into place, so a planted link is replaced, not followed, and a
//! reader of the old file never sees the new secret. Files are read only if
//! they are regular files (no symbolic links, FIFOs or devices) of at most
//! [`Certificate::MAX_FILE_LEN`] bytes, without blocking on open; a file
//! with a secret key must belong to the user running the process and be
//! readable by that user only, as ssh requires of its keys
//! ([`SecretFilePolicy`]).
//!
//! # Directories on the way
//! The directories of a path are resolved by the operating system, with one
//! rule added: a directory on the way that is a symbolic link owned by
//! another user than the one running the process (or root) is refused, on
//! save and on load. Links made by root (the system's layout, such as
//! `/var/run`) or by yourself are followed; a link planted by someone else
//! in a shared directory is not. The check is made just before the file is
//! opened, not atomically with it: keep key directories out of places where
//! other users can rename directories.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use crate::auth::SecretFilePolicy;
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
        Certificate::parse_text(text).map_err(invalid)
    }

    /// [`Certificate::parse`], failing with the reason only.
    fn parse_text(text: &str) -> std::result::Result<Certificate, &'static str> {
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
        let public = public.ok_or("no curve/public-key")?;
        let public = CurveKey::from_z85(public).map_err(|_| "public-key is not a Z85 key")?;
        let secret = match secret {
            Some(text) => {
                let not_a_key = || "secret-key is not a Z85 key";
                let bytes = crate::z85::decode_secret(text).map_err(|_| not_a_key())?;
                Some(CurveKey::from_bytes(&bytes).map_err(|_| not_a_key())?)
            }
            None => None,
        };
        if let Some(secret) = &secret {
            if CurveKey::public_from_secret(secret).is_ok_and(|derived| derived != public) {
                return Err("public-key does not belong to secret-key");
            }
        }
        Ok(Certificate {
            public,
            secret,
            metadata,
        })
    }

    /// Writes the public certificate and, with a secret key, the secret one
    /// (mode 0600); returns their paths. See [`Certificate::save_secret`].
    ///
    /// `path` names the pair as pyzmq's `create_certificates` (a base name)
    /// or czmq's `zcert_save` (the public file) do:
    ///
    /// | `path` | public file | secret file |
    /// |---|---|---|
    /// | `dir/server` (a base name) | `dir/server.key` | `dir/server.key_secret` |
    /// | `dir/server.key` | `dir/server.key` | `dir/server.key_secret` |
    /// | `dir/server.key_secret` | `dir/server.key` | `dir/server.key_secret` |
    ///
    /// ```
    /// # let dir = std::env::temp_dir().join(format!("zmq-doc-save-{}", std::process::id()));
    /// # std::fs::create_dir_all(&dir).unwrap();
    /// let cert = zmq::Certificate::generate()?;
    /// let (public, secret) = cert.save(dir.join("server.key"))?;
    /// assert_eq!(public, dir.join("server.key"));
    /// assert_eq!(secret, Some(dir.join("server.key_secret")));
    /// assert_eq!(cert.save(dir.join("server"))?.0, dir.join("server.key"));
    /// # std::fs::remove_dir_all(&dir).unwrap();
    /// # Ok::<(), zmq::Error>(())
    /// ```
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(PathBuf, Option<PathBuf>)> {
        let (public_path, secret_path) = pair_paths(path.as_ref());
        self.save_public(&public_path)?;
        let secret_path = match self.secret {
            Some(_) => {
                self.save_secret(&secret_path)?;
                Some(secret_path)
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
    /// memory once parsed. Every error names the file.
    ///
    /// A file with a secret key must be owned by the user running the
    /// process and readable and writable by that user only (mode 0600 or
    /// 0400), as ssh requires; else the error (an
    /// [`ErrorKind::Io`](crate::ErrorKind::Io) of kind `PermissionDenied`)
    /// says why and how to fix it. [`Certificate::load_with`] with
    /// [`SecretFilePolicy::AnyOwnerAndMode`] opts out.
    pub fn load(path: impl AsRef<Path>) -> Result<Certificate> {
        Certificate::load_with(path, SecretFilePolicy::OwnerOnly)
    }

    /// [`Certificate::load`], with the given check of a secret file's owner
    /// and mode (public certificates are never checked).
    pub fn load_with(path: impl AsRef<Path>, policy: SecretFilePolicy) -> Result<Certificate> {
        let path = path.as_ref();
        let file = read_regular_file(path, Certificate::MAX_FILE_LEN)?;
        let text = std::str::from_utf8(&file.bytes)
            .map_err(|_| invalid(format!("{}: not UTF-8 text", path.display())))?;
        let cert = Certificate::parse_text(text)
            .map_err(|why| invalid(format!("{}: {why}", path.display())))?;
        if cert.secret.is_some() {
            check_secret_file(path, &file, policy, "a secret key")?;
        }
        Ok(cert)
    }

    /// Reads every public certificate (`*.key`) of a directory, as pyzmq's
    /// `load_certificates` does; each is read as [`Certificate::load`] does,
    /// and a file that cannot be read or parsed is an error.
    pub fn load_dir(dir: impl AsRef<Path>) -> Result<Vec<Certificate>> {
        let dir = dir.as_ref();
        let mut certs = Vec::new();
        check_directory_links(dir, dir)?;
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| path_error(dir, e))?
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

/// The public and the secret file of the pair `path` names (see
/// [`Certificate::save`]): a base name, or the public or secret file itself.
fn pair_paths(path: &Path) -> (PathBuf, PathBuf) {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if let Some(public) = name.strip_suffix("_secret").filter(|n| n.ends_with(".key")) {
        (path.with_file_name(public), path.to_path_buf())
    } else if name.ends_with(".key") {
        (path.to_path_buf(), with_suffix(path, "_secret"))
    } else {
        (with_suffix(path, ".key"), with_suffix(path, ".key_secret"))
    }
}

/// An I/O error saying what is wrong with a file.
fn file_error(kind: std::io::ErrorKind, path: &Path, why: &str) -> Error {
    Error::from(std::io::Error::new(
        kind,
        format!("{}: {why}", path.display()),
    ))
}

/// An I/O error of the system, naming the file it was about.
fn path_error(path: &Path, e: std::io::Error) -> Error {
    file_error(e.kind(), path, &e.to_string())
}

/// A file read by [`read_regular_file`]: its bytes, wiped on drop, and what
/// `fstat` said of it.
pub(crate) struct ReadFile {
    pub(crate) bytes: Zeroizing<Vec<u8>>,
    #[cfg_attr(not(unix), allow(dead_code))] // the owner and mode are unix's
    meta: std::fs::Metadata,
}

/// The user running the process.
#[cfg(unix)]
fn effective_uid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// Refuses a file holding `what` (a secret key, passwords) that another user
/// owns or that group or others may read or write, as ssh refuses such
/// keys; unless `policy` opts out. The facts come from the `fstat` of the
/// very file that was read.
pub(crate) fn check_secret_file(
    path: &Path,
    file: &ReadFile,
    policy: SecretFilePolicy,
    what: &str,
) -> Result<()> {
    if policy == SecretFilePolicy::AnyOwnerAndMode {
        return Ok(());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let me = effective_uid();
        let owner = file.meta.uid();
        if owner != me {
            return Err(file_error(
                std::io::ErrorKind::PermissionDenied,
                path,
                &format!(
                    "holds {what} but belongs to uid {owner}, not to uid {me} that runs this \
                     process; give it to this user (chown), or opt out with \
                     SecretFilePolicy::AnyOwnerAndMode"
                ),
            ));
        }
        let mode = file.meta.mode() & 0o7777;
        if mode & 0o077 != 0 {
            return Err(file_error(
                std::io::ErrorKind::PermissionDenied,
                path,
                &format!(
                    "holds {what} but its mode {mode:04o} lets other users read or write it; \
                     make it private (chmod 600), or opt out with \
                     SecretFilePolicy::AnyOwnerAndMode"
                ),
            ));
        }
    }
    #[cfg(not(unix))]
    let _ = (path, file, what);
    Ok(())
}

/// Refuses a path whose directories include a symbolic link owned by
/// another user than the one running the process, or root (see the
/// [module documentation](self)); `dir` itself is checked too. `file` is
/// the file the error names.
pub(crate) fn check_directory_links(file: &Path, dir: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let me = effective_uid();
        for ancestor in dir.ancestors() {
            if ancestor.as_os_str().is_empty() {
                continue;
            }
            // A directory that does not exist: the open says so, by name.
            let Ok(meta) = std::fs::symlink_metadata(ancestor) else {
                continue;
            };
            let owner = meta.uid();
            if meta.file_type().is_symlink() && owner != me && owner != 0 {
                return Err(file_error(
                    std::io::ErrorKind::PermissionDenied,
                    file,
                    &format!(
                        "the directory {} on the way is a symbolic link of uid {owner} \
                         (neither uid {me} that runs this process nor root); give the real \
                         directory (std::fs::canonicalize) if you trust it",
                        ancestor.display()
                    ),
                ));
            }
        }
    }
    #[cfg(not(unix))]
    let _ = (file, dir);
    Ok(())
}

/// The directory a file is in (`.` for a bare name).
fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// Reads a file that must be a regular file (a symbolic link, FIFO, device
/// or directory is refused, without blocking: opened with `O_NONBLOCK |
/// O_NOFOLLOW`, then checked with `fstat`) of at most `limit` bytes, into a
/// buffer wiped on drop, allocated once (a growing buffer would leave copies
/// of secrets behind). A file that reports no size (`/proc`, `/sys`) is read
/// up to `limit`. Every error names the file.
pub(crate) fn read_regular_file(path: &Path, limit: u64) -> Result<ReadFile> {
    use std::io::ErrorKind;
    check_directory_links(path, parent_dir(path))?;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(
        &mut options,
        libc::O_NONBLOCK | libc::O_NOFOLLOW | libc::O_CLOEXEC,
    );
    #[cfg(not(unix))]
    if std::fs::symlink_metadata(path)
        .map_err(|e| path_error(path, e))?
        .file_type()
        .is_symlink()
    {
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
        Err(e) => return Err(path_error(path, e)),
    };
    let meta = file.metadata().map_err(|e| path_error(path, e))?;
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
    // Files of /proc and /sys say they are empty: read them up to the limit.
    let no_size = meta.len() == 0;
    let expected = if no_size { limit } else { meta.len() };
    // One byte more than expected: filling it means the file is larger.
    let size = usize::try_from(expected).map_err(|_| too_large())?;
    let mut buf = Zeroizing::new(vec![0u8; size + 1]);
    let mut filled = 0;
    loop {
        let Some(free) = buf.get_mut(filled..).filter(|f| !f.is_empty()) else {
            return Err(if no_size {
                too_large()
            } else {
                file_error(
                    ErrorKind::InvalidData,
                    path,
                    "grew while it was being read; try again once it is written",
                )
            });
        };
        match file.read(free) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(path_error(path, e)),
        }
    }
    buf.truncate(filled);
    Ok(ReadFile { bytes: buf, meta })
}

/// Fills `buf` with random bytes from the operating system.
pub(crate) fn fill_random(buf: &mut [u8]) -> std::io::Result<()> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        let mut filled = 0;
        while let Some(free) = buf.get_mut(filled..).filter(|f| !f.is_empty()) {
            // SAFETY: the kernel writes at most `free.len()` bytes to `free`.
            let n = unsafe { libc::getrandom(free.as_mut_ptr().cast(), free.len(), 0) };
            match usize::try_from(n) {
                Ok(n) => filled += n,
                Err(_) => {
                    let e = std::io::Error::last_os_error();
                    match e.raw_os_error() {
                        Some(libc::EINTR) => continue,
                        // A kernel older than 3.17.
                        Some(libc::ENOSYS) => break,
                        _ => return Err(e),
                    }
                }
            }
        }
        if filled == buf.len() {
            return Ok(());
        }
    }
    #[cfg(unix)]
    {
        std::fs::File::open("/dev/urandom")?.read_exact(buf)
    }
    #[cfg(not(unix))]
    {
        use std::hash::{BuildHasher, Hasher};
        // The standard library's per-process random hash keys.
        for chunk in buf.chunks_mut(8) {
            let word = std::collections::hash_map::RandomState::new()
                .build_hasher()
                .finish();
            chunk.copy_from_slice(&word.to_ne_bytes()[..chunk.len()]);
        }
        Ok(())
    }
}

/// A temporary name for `name` no other process can predict:
/// `.NAME.<16 random hex digits>.tmp`.
fn temp_name(name: &std::ffi::OsStr) -> Result<std::ffi::OsString> {
    let mut random = [0u8; 8];
    fill_random(&mut random)?;
    let mut temp = std::ffi::OsString::from(".");
    temp.push(name);
    temp.push(format!(".{:016x}.tmp", u64::from_ne_bytes(random)));
    Ok(temp)
}

/// Writes `contents` to `path` through a new file in the same directory
/// (`O_CREAT | O_EXCL | O_NOFOLLOW` under a random name, `mode` less the
/// umask) renamed into place: a symbolic link at `path` is replaced, never
/// followed, and the old file (if any) is left untouched for whoever has it
/// open. Every error names the file.
fn write_new_file(path: &Path, contents: &[u8], mode: u32) -> Result<()> {
    let name = path
        .file_name()
        .ok_or(Error::from(crate::ErrorKind::InvalidArgument))?;
    let dir = parent_dir(path);
    check_directory_links(path, dir)?;
    let mut attempts = 0;
    let (temp, mut file) = loop {
        let temp = dir.join(temp_name(name)?);
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
            // 64 random bits taken: only by chance; take another name.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempts < 10 => {
                attempts += 1;
            }
            Err(e) => return Err(path_error(&temp, e)),
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
        return Err(path_error(path, e));
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

    // Without CURVE (the vendored Windows build, for now) keys cannot be made.
    #[cfg(not(zmq_curve))]
    #[test]
    fn without_curve_generating_is_not_supported() {
        let err = Certificate::generate().unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::NotSupported);
    }

    #[cfg(zmq_curve)]
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

    #[cfg(zmq_curve)]
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
