//! What the file transfer examples (`fileio1`-`3`, the guide's chapter 7,
//! "Transferring Files") share: the file to serve, a checksum, and the
//! command line.
//!
//! The C programs serve a file called `testdata` from the current
//! directory. These serve the file named on the command line, or, by
//! default, test data they write into a fresh temporary directory (small:
//! 3,000,000 bytes, twelve chunks) and remove at the end.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::thread;
use std::time::Duration;

use zmq::{Context, Message, SocketType};

/// The guide's chunk size.
pub const CHUNK_SIZE: usize = 250_000;

/// The size of the generated test data when none is asked for.
pub const DEFAULT_SIZE: u64 = 3_000_000;

/// The file a run serves: one named by the user, or generated test data in
/// a temporary directory, which is removed when this is dropped.
pub struct TestData {
    path: PathBuf,
    generated: Option<PathBuf>,
}

impl TestData {
    /// `arg` is a path to an existing file, or a size in bytes of test data
    /// to generate; `None` generates [`DEFAULT_SIZE`] bytes.
    pub fn from_arg(arg: Option<String>) -> std::io::Result<TestData> {
        match arg {
            None => TestData::generate(DEFAULT_SIZE),
            Some(text) => match text.parse::<u64>() {
                Ok(size) => TestData::generate(size),
                Err(_) => Ok(TestData {
                    path: PathBuf::from(text),
                    generated: None,
                }),
            },
        }
    }

    /// Writes `size` pseudo-random bytes to `testdata` in a new temporary
    /// directory.
    pub fn generate(size: u64) -> std::io::Result<TestData> {
        static RUN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let run = RUN.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("zmq-fileio-{}-{run}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let path = dir.join("testdata");
        let mut file = std::io::BufWriter::new(std::fs::File::create(&path)?);
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15 ^ size;
        for _ in 0..size / 8 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            file.write_all(&x.to_le_bytes())?;
        }
        file.write_all(&x.to_be_bytes()[..(size % 8) as usize])?;
        file.flush()?;
        Ok(TestData {
            path,
            generated: Some(dir),
        })
    }

    /// The file to serve.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TestData {
    fn drop(&mut self) {
        if let Some(dir) = &self.generated {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// A running FNV-1a (64-bit) checksum of the bytes fed in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Checksum(u64);

impl Default for Checksum {
    fn default() -> Checksum {
        Checksum(0xcbf2_9ce4_8422_2325)
    }
}

impl Checksum {
    /// Adds `data`.
    pub fn update(&mut self, data: &[u8]) {
        for &b in data {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    /// The checksum of a whole file.
    pub fn of_file(path: &Path) -> std::io::Result<Checksum> {
        let mut sum = Checksum::default();
        sum.update(&std::fs::read(path)?);
        Ok(sum)
    }
}

impl std::fmt::Display for Checksum {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

/// What a run prints on stderr after the guide's line: the file's checksum
/// and what the client received.
pub fn report(file: Checksum, received: Checksum) {
    eprintln!("I: file checksum {file}, received checksum {received}");
}

/// The command line of the three programs: `[SOURCE [ENDPOINT]]`, the
/// endpoint defaulting to the guide's (bound as `tcp://*:6000`, connected
/// to as `tcp://127.0.0.1:6000`). Returns (source, bind, connect).
pub fn args(usage: &str) -> (Option<String>, String, String) {
    let mut args = std::env::args().skip(1);
    let source = args.next();
    let (bind, connect) = match args.next() {
        Some(endpoint) => (endpoint.clone(), endpoint),
        None => ("tcp://*:6000".into(), "tcp://127.0.0.1:6000".into()),
    };
    if args.next().is_some() {
        eprintln!("usage: {usage}");
        std::process::exit(2)
    }
    (source, bind, connect)
}

/// Reads up to `size` bytes of `file` from `offset` (a short read at the
/// end of the file; nothing past it).
pub fn read_chunk(file: &std::fs::File, offset: u64, size: usize) -> std::io::Result<Vec<u8>> {
    use std::os::unix::fs::FileExt;
    let mut data = vec![0u8; size];
    let mut filled = 0;
    while filled < size {
        let n = file.read_at(&mut data[filled..], offset + filled as u64)?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    data.truncate(filled);
    Ok(data)
}

/// Parses `[fetch][offset][size]`.
fn parse_fetch(request: [Message; 3]) -> Option<(u64, usize)> {
    let [command, offset, size] = request;
    if command != "fetch" {
        return None;
    }
    let offset = std::str::from_utf8(&offset).ok()?.parse().ok()?;
    let size = std::str::from_utf8(&size).ok()?.parse().ok()?;
    Some((offset, size))
}

/// The chunk server of models two and three: waits for a chunk request
/// from a client (`[fetch][offset][size]`, sizes above [`CHUNK_SIZE`] cut
/// to it), reads that chunk, and sends it back. `hwm` is the ROUTER's
/// high-water mark both ways. Ends when the context is shut down.
pub fn chunk_server(
    ctx: Context,
    endpoint: String,
    file: std::fs::File,
    hwm: i32,
) -> zmq::Result<()> {
    let router = ctx.socket(SocketType::Router)?;
    router.set_sndhwm(hwm)?;
    router.set_rcvhwm(hwm)?;
    router.bind(&endpoint)?;
    loop {
        //  First frame in each message is the sender identity,
        //  then "fetch", the chunk offset in file and its maximum size
        let mut request = router.recv_multipart()?;
        let identity = request.pop_front().expect("a routing id");
        let Some((offset, chunksz)) = <[Message; 3]>::try_from(request).ok().and_then(parse_fetch)
        else {
            eprintln!("E: bad request");
            continue;
        };
        //  Read chunk of data from file, send it to the client
        let data = read_chunk(&file, offset, chunksz.min(CHUNK_SIZE)).expect("read testdata");
        router.send_multipart([identity, data.into()])?;
    }
}

/// The main task of the three models: starts the server and client threads
/// (`server(ctx, bind, file)`, `client(ctx, connect)`, which returns the
/// checksum of what it received), waits until the client is done, kills
/// the server by shutting the context down, and reports the checksums.
/// It's easier to test this as a single process with threads, than as
/// multiple processes.
pub fn run<S, C>(
    source: Option<String>,
    bind: String,
    connect: String,
    server: S,
    client: C,
) -> zmq::Result<()>
where
    S: FnOnce(Context, String, std::fs::File) -> zmq::Result<()> + Send + 'static,
    C: FnOnce(Context, String) -> zmq::Result<Checksum> + Send + 'static,
{
    let data = TestData::from_arg(source).map_err(io_error)?;
    let file = std::fs::File::open(data.path()).map_err(io_error)?;
    let file_sum = Checksum::of_file(data.path()).map_err(io_error)?;

    //  Start child threads
    let ctx = Context::new();
    ctx.set_default_linger(Some(Duration::ZERO));
    let c = ctx.clone();
    let server = thread::spawn(move || server(c, bind, file));
    let client_pipe = ctx.socket(SocketType::Pair)?;
    client_pipe.bind("inproc://fileio-client")?;
    let pipe = ctx.socket(SocketType::Pair)?;
    pipe.connect("inproc://fileio-client")?;
    let c = ctx.clone();
    let client = thread::spawn(move || {
        let checksum = client(c, connect)?;
        pipe.send("OK")?;
        Ok::<_, zmq::Error>(checksum)
    });
    //  Loop until client tells us it's done
    client_pipe.recv_msg()?;
    //  Kill server thread
    ctx.shutdown()?;
    let received = client.join().expect("client panicked")?;
    match server.join().expect("server panicked") {
        Err(e) if e.kind() != zmq::ErrorKind::Terminated => return Err(e),
        _ => {}
    }
    report(file_sum, received);
    Ok(())
}

fn io_error(e: std::io::Error) -> zmq::Error {
    eprintln!("E: {e}");
    zmq::Error::from_errno(e.raw_os_error().unwrap_or(libc::EIO))
}
