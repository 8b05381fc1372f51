//! The verbs.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command as Process, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use zmq::{Context, ErrorKind, Multipart, PollEvents, Socket, SocketType};

use crate::format::{self, Format};
use crate::{
    events, security, Cli, Command, Common, Endpoints, Failure, KeygenArgs, MonitorArgs, ProxyArgs,
    ProxyKind, SocketArgs,
};

/// Set by the signal thread before it shuts the context down.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

pub fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Pub(a) => socket_verb(SocketType::Pub, a),
        Command::Sub(a) => socket_verb(SocketType::Sub, a),
        Command::Req(a) => socket_verb(SocketType::Req, a),
        Command::Rep(a) => socket_verb(SocketType::Rep, a),
        Command::Push(a) => socket_verb(SocketType::Push, a),
        Command::Pull(a) => socket_verb(SocketType::Pull, a),
        Command::Router(a) => socket_verb(SocketType::Router, a),
        Command::Dealer(a) => socket_verb(SocketType::Dealer, a),
        Command::Pair(a) => socket_verb(SocketType::Pair, a),
        Command::Xpub(a) => socket_verb(SocketType::Xpub, a),
        Command::Xsub(a) => socket_verb(SocketType::Xsub, a),
        Command::Monitor(a) => monitor(a),
        Command::Keygen(a) => keygen(a),
        Command::Proxy(a) => proxy(a),
        Command::Info => info(),
    }
}

/// A ZeroMQ error, or the end of a run interrupted by a signal.
fn zmq_failure(what: impl std::fmt::Display, e: zmq::Error) -> Failure {
    // SIGINT and SIGTERM are the only signals with a handler here: a call
    // interrupted (EINTR) was interrupted by one of them, and the context
    // shutdown that follows ends the others with ETERM.
    if e.kind() == ErrorKind::Interrupted {
        INTERRUPTED.store(true, Ordering::SeqCst);
        return Failure::Interrupted;
    }
    if e.kind() == ErrorKind::Terminated && INTERRUPTED.load(Ordering::SeqCst) {
        return Failure::Interrupted;
    }
    Failure::Zmq(format!("{what}: {e}"))
}

fn io_failure(what: impl std::fmt::Display, e: std::io::Error) -> Failure {
    Failure::Io(format!("{what}: {e}"))
}

fn seconds(value: f64, what: &str) -> Result<Duration, Failure> {
    Duration::try_from_secs_f64(value)
        .map_err(|_| Failure::Usage(format!("{what}: {value} is not a number of seconds")))
}

/// Shuts the context down on SIGINT or SIGTERM: every blocking call
/// returns, the program closes its sockets and ends with code 130.
struct Interrupts {
    handle: signal_hook::iterator::Handle,
    thread: std::thread::JoinHandle<()>,
}

fn on_interrupt(ctx: &Context) -> Result<Interrupts, Failure> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])
        .map_err(|e| io_failure("installing the signal handler", e))?;
    let handle = signals.handle();
    let ctx = ctx.clone();
    let thread = std::thread::Builder::new()
        .name("zmq-signals".into())
        .spawn(move || {
            if signals.forever().next().is_some() {
                INTERRUPTED.store(true, Ordering::SeqCst);
                let _ = ctx.shutdown();
            }
        })
        .map_err(|e| io_failure("starting the signal thread", e))?;
    Ok(Interrupts { handle, thread })
}

/// Ends the run: once the sockets are closed, the signal thread lets go of
/// its handle of the context and the context is terminated here, waiting
/// up to `linger` for the messages still queued (not after Ctrl-C).
fn finish(ctx: Context, interrupts: Interrupts, linger: Duration) {
    interrupts.handle.close();
    let _ = interrupts.thread.join();
    let wait = if INTERRUPTED.load(Ordering::SeqCst) {
        Duration::ZERO
    } else {
        linger
    };
    if let Ok(termination) = ctx.terminate(Some(wait)) {
        if !termination.is_complete() {
            eprintln!("zmq: some messages were not delivered within the linger time");
        }
    }
}

/// `(endpoint, bind?)` from the positional endpoints and the flags.
fn endpoint_list(e: &Endpoints, bare_binds: bool) -> Result<Vec<(String, bool)>, Failure> {
    let mut list = Vec::new();
    for ep in &e.endpoints {
        if let Some(rest) = ep.strip_prefix('@') {
            list.push((rest.to_owned(), true));
        } else if let Some(rest) = ep.strip_prefix('>') {
            list.push((rest.to_owned(), false));
        } else {
            list.push((ep.clone(), bare_binds));
        }
    }
    list.extend(e.bind.iter().map(|b| (b.clone(), true)));
    list.extend(e.connect.iter().map(|c| (c.clone(), false)));
    if list.is_empty() {
        return Err(Failure::Usage(
            "no endpoint: give one (`@ep` binds, `>ep` or a bare one connects) or --bind/--connect"
                .into(),
        ));
    }
    Ok(list)
}

/// Binds or connects `socket` to every endpoint; the first one, as bound
/// (the port picked for `*`), names the socket in error messages.
fn attach(socket: &Socket, list: &[(String, bool)], verbose: bool) -> Result<String, Failure> {
    let mut name = String::new();
    for (ep, bind) in list {
        let shown = if *bind {
            socket
                .bind(ep)
                .map_err(|e| Failure::Zmq(format!("cannot bind to {ep}: {e}")))?;
            socket.last_endpoint().unwrap_or_else(|_| ep.clone())
        } else {
            socket
                .connect(ep)
                .map_err(|e| Failure::Zmq(format!("cannot connect to {ep}: {e}")))?;
            ep.clone()
        };
        if verbose {
            eprintln!(
                "zmq: {} {shown}",
                if *bind { "bound to" } else { "connecting to" }
            );
        }
        if name.is_empty() {
            name = shown;
        }
    }
    Ok(name)
}

/// Counters for --stats, printed every second by a thread.
#[derive(Default)]
struct Stats {
    messages: AtomicU64,
    bytes: AtomicU64,
}

impl Stats {
    fn start(enabled: bool) -> Option<Arc<Stats>> {
        if !enabled {
            return None;
        }
        let stats = Arc::new(Stats::default());
        let shared = Arc::clone(&stats);
        let spawned = std::thread::Builder::new()
            .name("zmq-stats".into())
            .spawn(move || {
                let (mut messages, mut bytes) = (0u64, 0u64);
                let start = Instant::now();
                let mut tick = 1u32;
                loop {
                    let next = start + Duration::from_secs(u64::from(tick));
                    std::thread::sleep(next.saturating_duration_since(Instant::now()));
                    let m = shared.messages.load(Ordering::Relaxed);
                    let b = shared.bytes.load(Ordering::Relaxed);
                    eprintln!(
                        "zmq: {} msgs/s, {:.3} MB/s ({m} msgs, {b} bytes in total)",
                        m - messages,
                        (b - bytes) as f64 / 1e6
                    );
                    (messages, bytes) = (m, b);
                    tick += 1;
                }
            });
        spawned.ok().map(|_| stats)
    }
}

fn count(stats: &Option<Arc<Stats>>, msg: &[impl AsRef<[u8]>]) {
    if let Some(s) = stats {
        s.messages.fetch_add(1, Ordering::Relaxed);
        let n: usize = msg.iter().map(|f| f.as_ref().len()).sum();
        s.bytes.fetch_add(n as u64, Ordering::Relaxed);
    }
}

/// The input: lines of stdin or of a file, each a message.
struct Input {
    reader: Box<dyn BufRead + Send>,
    what: String,
    separator: Option<Vec<u8>>,
    format: Format,
}

impl Input {
    fn open(args: &SocketArgs) -> Result<Input, Failure> {
        if args.input_format == Format::Json {
            return Err(Failure::Usage(
                "--input-format: text, hex or base64 (JSON is an output format)".into(),
            ));
        }
        let (reader, what): (Box<dyn BufRead + Send>, String) = match &args.file {
            Some(path) => {
                let file = std::fs::File::open(path)
                    .map_err(|e| io_failure(format!("cannot open {}", path.display()), e))?;
                (Box::new(BufReader::new(file)), path.display().to_string())
            }
            None => (Box::new(BufReader::new(std::io::stdin())), "stdin".into()),
        };
        Ok(Input {
            reader,
            what,
            separator: args.separator.as_ref().map(|s| s.as_bytes().to_vec()),
            format: args.input_format,
        })
    }

    /// The next message, `None` at the end of the input.
    fn next_message(&mut self) -> Result<Option<Vec<Vec<u8>>>, Failure> {
        let mut line = Vec::new();
        let n = self
            .reader
            .read_until(b'\n', &mut line)
            .map_err(|e| io_failure(format!("reading {}", self.what), e))?;
        if n == 0 {
            return Ok(None);
        }
        if line.last() == Some(&b'\n') {
            line.pop();
            if line.last() == Some(&b'\r') {
                line.pop();
            }
        }
        format::split(&line, self.separator.as_deref())
            .into_iter()
            .map(|f| format::decode(f, self.format))
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
            .map_err(|e| Failure::Usage(format!("{}: {e}", self.what)))
    }
}

/// Writes received messages to stdout, one line each.
struct Output {
    format: Format,
    separator: Vec<u8>,
    out: std::io::Stdout,
}

impl Output {
    fn new(args: &SocketArgs) -> Output {
        Output {
            format: args.format,
            separator: args
                .separator
                .as_ref()
                .map_or(b"\t".to_vec(), |s| s.as_bytes().to_vec()),
            out: std::io::stdout(),
        }
    }

    fn print(&self, msg: &Multipart) -> Result<(), Failure> {
        let frames: Vec<&[u8]> = msg.iter().map(|m| &m[..]).collect();
        let mut line = format::encode_message(&frames, self.format, &self.separator);
        line.push(b'\n');
        let mut out = self.out.lock();
        out.write_all(&line)
            .and_then(|()| out.flush())
            .map_err(|e| io_failure("writing to stdout", e))
    }
}

fn socket_verb(kind: SocketType, args: SocketArgs) -> Result<(), Failure> {
    let common = args.common.clone();
    let timeout = common
        .timeout
        .map(|t| seconds(t, "--timeout"))
        .transpose()?;
    let linger = seconds(args.linger, "--linger")?;
    if args.exec.is_some() && kind != SocketType::Rep {
        return Err(Failure::Usage("--exec is for `zmq rep`".into()));
    }
    if args.wait_subscribers.is_some() && kind != SocketType::Pub {
        return Err(Failure::Usage("--wait-subscribers is for `zmq pub`".into()));
    }
    if !args.topic.is_empty() && !matches!(kind, SocketType::Sub | SocketType::Xsub) {
        return Err(Failure::Usage(
            "--topic is for `zmq sub` and `zmq xsub`".into(),
        ));
    }
    let list = endpoint_list(&args.endpoints, false)?;
    let ctx = Context::try_new().map_err(|e| zmq_failure("creating a context", e))?;
    let interrupts = on_interrupt(&ctx)?;
    // PUB that waits for its subscribers is an XPUB: it sees them arrive.
    let real_kind = if args.wait_subscribers.is_some() {
        SocketType::Xpub
    } else {
        kind
    };
    let socket = ctx
        .socket(real_kind)
        .map_err(|e| zmq_failure("creating the socket", e))?;
    let setup = |what: &str, r: zmq::Result<()>| r.map_err(|e| zmq_failure(what, e));
    setup("ZMQ_LINGER", socket.set_linger(Some(linger)))?;
    if let Some(t) = timeout {
        setup("ZMQ_SNDTIMEO", socket.set_sndtimeo(Some(t)))?;
    }
    if let Some(id) = &args.identity {
        setup("ZMQ_ROUTING_ID", socket.set_routing_id(id.as_bytes()))?;
    }
    let auth = security::apply(&args.security, &ctx, &socket)?;
    if kind == SocketType::Sub {
        if args.topic.is_empty() {
            setup("ZMQ_SUBSCRIBE", socket.set_subscribe(b""))?;
        }
        for t in &args.topic {
            setup("ZMQ_SUBSCRIBE", socket.set_subscribe(t.as_bytes()))?;
        }
    }
    let name = attach(&socket, &list, common.verbose)?;
    if kind == SocketType::Xsub {
        let topics = if args.topic.is_empty() {
            vec![String::new()]
        } else {
            args.topic.clone()
        };
        for t in topics {
            let mut frame = vec![1u8];
            frame.extend_from_slice(t.as_bytes());
            socket
                .send(frame)
                .map_err(|e| zmq_failure(format!("subscribing on {name}"), e))?;
        }
    }
    let stats = Stats::start(common.stats);
    let run = Run {
        socket: &socket,
        name: &name,
        common: &common,
        timeout,
        stats,
    };
    let result = match kind {
        SocketType::Pub | SocketType::Push => {
            if let Some(n) = args.wait_subscribers {
                run.wait_subscribers(n)?;
            }
            run.send_only(Input::open(&args)?)
        }
        SocketType::Sub | SocketType::Pull => run.receive_only(&Output::new(&args)),
        SocketType::Req => run.request(Input::open(&args)?, &Output::new(&args)),
        SocketType::Rep => run.reply(&args, &Output::new(&args)),
        _ => run.both_ways(Input::open(&args)?, &Output::new(&args)),
    };
    // A run that failed (no reply, a timeout) leaves nothing worth waiting for.
    let linger = if result.is_ok() {
        linger
    } else {
        Duration::ZERO
    };
    let _ = socket.set_linger(Some(linger));
    drop(socket);
    drop(auth);
    finish(ctx, interrupts, linger);
    result
}

struct Run<'a> {
    socket: &'a Socket,
    name: &'a str,
    common: &'a Common,
    timeout: Option<Duration>,
    stats: Option<Arc<Stats>>,
}

impl Run<'_> {
    fn limit_reached(&self, done: u64) -> bool {
        self.common.count.is_some_and(|n| done >= n)
    }

    /// Receives one message, waiting up to the timeout (`None` when it passed).
    fn receive(&self) -> Result<Option<Multipart>, Failure> {
        let got = match self.timeout {
            Some(t) => self.socket.recv_multipart_timeout(t),
            None => self.socket.recv_multipart().map(Some),
        };
        let msg = got.map_err(|e| zmq_failure(format!("receiving from {}", self.name), e))?;
        if let Some(m) = &msg {
            count(&self.stats, m);
        }
        Ok(msg)
    }

    /// Sends a message; with --timeout, ZMQ_SNDTIMEO bounds the wait.
    fn send(&self, frames: Vec<Vec<u8>>) -> Result<(), Failure> {
        count(&self.stats, &frames);
        match self.socket.send_multipart(frames) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == ErrorKind::Again => Err(Failure::Timeout(format!(
                "could not send to {} within {:?} (no peer ready?)",
                self.name,
                self.timeout.unwrap_or_default()
            ))),
            Err(e) => Err(zmq_failure(format!("sending to {}", self.name), e)),
        }
    }

    /// Nothing came within the timeout: code 2, unless --count was not
    /// given and something came before.
    fn timed_out(&self, received: u64) -> Result<(), Failure> {
        if self.common.count.is_none() && received > 0 {
            return Ok(());
        }
        Err(Failure::Timeout(format!(
            "{} within {:?} from {} ({received} received)",
            if received == 0 {
                "nothing received"
            } else {
                "not enough received"
            },
            self.timeout.unwrap_or_default(),
            self.name
        )))
    }

    fn wait_subscribers(&self, n: u64) -> Result<(), Failure> {
        let mut seen = 0;
        while seen < n {
            let got = match self.timeout {
                Some(t) => self.socket.recv_multipart_timeout(t),
                None => self.socket.recv_multipart().map(Some),
            };
            match got.map_err(|e| zmq_failure(format!("waiting on {}", self.name), e))? {
                Some(m) if m.first().is_some_and(|f| f.first() == Some(&1)) => seen += 1,
                Some(_) => {}
                None => {
                    return Err(Failure::Timeout(format!(
                        "{seen} of {n} subscribers on {} within {:?}",
                        self.name,
                        self.timeout.unwrap_or_default()
                    )))
                }
            }
        }
        Ok(())
    }

    fn send_only(&self, mut input: Input) -> Result<(), Failure> {
        let mut sent = 0;
        while !self.limit_reached(sent) {
            let Some(frames) = input.next_message()? else {
                break;
            };
            self.send(frames)?;
            sent += 1;
        }
        Ok(())
    }

    fn receive_only(&self, out: &Output) -> Result<(), Failure> {
        let mut received = 0;
        while !self.limit_reached(received) {
            match self.receive()? {
                Some(msg) => {
                    out.print(&msg)?;
                    received += 1;
                }
                None => return self.timed_out(received),
            }
        }
        Ok(())
    }

    fn request(&self, mut input: Input, out: &Output) -> Result<(), Failure> {
        let mut done = 0;
        while !self.limit_reached(done) {
            let Some(frames) = input.next_message()? else {
                break;
            };
            self.send(frames)?;
            match self.receive()? {
                Some(reply) => out.print(&reply)?,
                None => {
                    return Err(Failure::Timeout(format!(
                        "no reply from {} within {:?}",
                        self.name,
                        self.timeout.unwrap_or_default()
                    )))
                }
            }
            done += 1;
        }
        Ok(())
    }

    fn reply(&self, args: &SocketArgs, out: &Output) -> Result<(), Failure> {
        let mut done = 0;
        while !self.limit_reached(done) {
            let Some(request) = self.receive()? else {
                return self.timed_out(done);
            };
            out.print(&request)?;
            let reply: Vec<Vec<u8>> = match &args.exec {
                Some(cmd) => exec(cmd, &request, args.separator.as_deref())?,
                None => request.iter().map(|f| f.to_vec()).collect(),
            };
            self.send(reply)?;
            done += 1;
        }
        Ok(())
    }

    /// Sends the input as it comes and prints what arrives, on one thread:
    /// the input is read by a helper thread and handed over by a channel.
    fn both_ways(&self, input: Input, out: &Output) -> Result<(), Failure> {
        let (tx, rx) = mpsc::sync_channel::<Result<Vec<Vec<u8>>, Failure>>(64);
        let mut input = input;
        std::thread::Builder::new()
            .name("zmq-input".into())
            .spawn(move || loop {
                match input.next_message() {
                    Ok(Some(m)) => {
                        if tx.send(Ok(m)).is_err() {
                            return;
                        }
                    }
                    Ok(None) => return,
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        return;
                    }
                }
            })
            .map_err(|e| io_failure("starting the input thread", e))?;
        let tick = Duration::from_millis(20);
        let mut input_open = true;
        let mut received = 0;
        let mut last = Instant::now();
        while !self.limit_reached(received) {
            while input_open {
                match rx.try_recv() {
                    Ok(Ok(frames)) => self.send(frames)?,
                    Ok(Err(e)) => return Err(e),
                    Err(mpsc::TryRecvError::Empty) => break,
                    Err(mpsc::TryRecvError::Disconnected) => input_open = false,
                }
            }
            let ready = self
                .socket
                .poll(PollEvents::POLLIN, Some(tick))
                .map_err(|e| zmq_failure(format!("waiting on {}", self.name), e))?;
            if ready.contains(PollEvents::POLLIN) {
                while let Some(msg) = self
                    .socket
                    .try_recv_multipart()
                    .map_err(|e| zmq_failure(format!("receiving from {}", self.name), e))?
                {
                    count(&self.stats, &msg);
                    out.print(&msg)?;
                    received += 1;
                    last = Instant::now();
                    if self.limit_reached(received) {
                        return Ok(());
                    }
                }
            } else if self.timeout.is_some_and(|t| last.elapsed() >= t) {
                return self.timed_out(received);
            }
        }
        Ok(())
    }
}

/// Runs `cmd` with the request on its stdin (frames joined by the
/// separator, or by newlines); its stdout, less one final newline, split at
/// the separator, is the reply. A failing command is reported on stderr
/// and its output still sent: a REP socket must answer.
fn exec(cmd: &str, request: &Multipart, separator: Option<&str>) -> Result<Vec<Vec<u8>>, Failure> {
    let mut child = Process::new("sh")
        .arg("-c")
        .arg(cmd)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| io_failure(format!("cannot run `sh -c {cmd}`"), e))?;
    let join = separator.unwrap_or("\n").as_bytes();
    let mut text = Vec::new();
    for (i, f) in request.iter().enumerate() {
        if i > 0 {
            text.extend_from_slice(join);
        }
        text.extend_from_slice(f);
    }
    text.push(b'\n');
    let mut stdin = child.stdin.take().expect("stdin is piped");
    // Written on a thread: a command that prints before it reads all of
    // its input must not dead-lock against us.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&text);
    });
    let mut output = Vec::new();
    let read = child
        .stdout
        .take()
        .expect("stdout is piped")
        .read_to_end(&mut output);
    let _ = writer.join();
    let status = child
        .wait()
        .map_err(|e| io_failure(format!("running `{cmd}`"), e))?;
    read.map_err(|e| io_failure(format!("reading the output of `{cmd}`"), e))?;
    if !status.success() {
        eprintln!("zmq: `{cmd}` ended with {status}; replying with its output");
    }
    if output.last() == Some(&b'\n') {
        output.pop();
    }
    Ok(format::split(&output, separator.map(str::as_bytes))
        .into_iter()
        .map(<[u8]>::to_vec)
        .collect())
}

fn socket_type(name: &str) -> Result<SocketType, Failure> {
    let wanted = name.to_ascii_uppercase();
    let wanted = wanted.strip_prefix("ZMQ_").unwrap_or(&wanted);
    SocketType::ALL
        .iter()
        .copied()
        .find(|t| format!("{t:?}").eq_ignore_ascii_case(wanted))
        .ok_or_else(|| {
            let names: Vec<String> = SocketType::ALL
                .iter()
                .map(|t| format!("{t:?}").to_ascii_lowercase())
                .collect();
            Failure::Usage(format!(
                "--type {name}: not a socket type ({})",
                names.join(", ")
            ))
        })
}

fn monitor(args: MonitorArgs) -> Result<(), Failure> {
    let kind = socket_type(&args.socket_type)?;
    let timeout = args.timeout.map(|t| seconds(t, "--timeout")).transpose()?;
    let list = endpoint_list(&args.endpoints, false)?;
    let ctx = Context::try_new().map_err(|e| zmq_failure("creating a context", e))?;
    let _interrupts = on_interrupt(&ctx)?;
    let socket = ctx
        .socket(kind)
        .map_err(|e| zmq_failure("creating the socket", e))?;
    socket
        .set_linger(Some(Duration::ZERO))
        .map_err(|e| zmq_failure("ZMQ_LINGER", e))?;
    if kind == SocketType::Sub {
        socket
            .set_subscribe(b"")
            .map_err(|e| zmq_failure("ZMQ_SUBSCRIBE", e))?;
    }
    let _auth = security::apply(&args.security, &ctx, &socket)?;
    let mut monitor = socket
        .monitor(zmq::MonitorEvents::ALL)
        .map_err(|e| zmq_failure("starting the monitor", e))?;
    attach(&socket, &list, args.verbose)?;
    let mut seen = 0u64;
    let mut stdout = std::io::stdout();
    while args.count.is_none_or(|n| seen < n) {
        let got = match timeout {
            Some(t) => monitor.recv_timeout(t),
            None => monitor.recv().map(Some),
        };
        let Some(ev) = got.map_err(|e| zmq_failure("monitoring", e))? else {
            if seen > 0 && args.count.is_none() {
                return Ok(());
            }
            return Err(Failure::Timeout(format!(
                "{seen} events within {:?}",
                timeout.unwrap_or_default()
            )));
        };
        // Messages that arrive are not the point here: drop them, so that
        // the socket's queue does not fill.
        while let Ok(Some(_)) = socket.try_recv_multipart() {}
        let time = format::utc_now();
        let line = if args.json {
            let mut obj = serde_json::json!({
                "time": time,
                "event": events::name(&ev.event),
                "endpoint": ev.endpoint,
                "description": events::describe(&ev.event),
            });
            match &ev.event {
                zmq::Event::HandshakeFailedAuth { status } => {
                    obj["zap_status"] = (*status).into();
                }
                zmq::Event::HandshakeFailedProtocol(p) => {
                    obj["protocol_error"] = p.code().into();
                }
                _ => {}
            }
            obj.to_string()
        } else {
            format!(
                "{time} {} {} {}",
                events::name(&ev.event),
                ev.endpoint,
                events::describe(&ev.event)
            )
        };
        writeln!(stdout, "{line}")
            .and_then(|()| stdout.flush())
            .map_err(|e| io_failure("writing to stdout", e))?;
        seen += 1;
    }
    Ok(())
}

fn keygen(args: KeygenArgs) -> Result<(), Failure> {
    if args.basename.is_none() && !args.z85 {
        return Err(Failure::Usage(
            "give a BASENAME for the certificate files, or --z85 for the raw keys".into(),
        ));
    }
    let mut cert = zmq::Certificate::generate().map_err(|e| zmq_failure("CURVE", e))?;
    for m in &args.meta {
        let (name, value) = m
            .split_once('=')
            .ok_or_else(|| Failure::Usage(format!("--meta {m}: not NAME=VALUE")))?;
        cert.set_meta(name, value)
            .map_err(|e| Failure::Usage(format!("--meta {m}: {e}")))?;
    }
    if let Some(base) = &args.basename {
        let (public, secret) = cert
            .save(base)
            .map_err(|e| Failure::Io(format!("writing {}.key*: {e}", base.display())))?;
        eprintln!("zmq: wrote {}", public.display());
        if let Some(secret) = secret {
            eprintln!("zmq: wrote {} (mode 0600)", secret.display());
        }
    }
    if args.z85 {
        let secret = cert.secret_key().map(|k| k.to_z85()).unwrap_or_default();
        println!("public: {}", cert.public_key().to_z85());
        println!("secret: {secret}");
    }
    Ok(())
}

fn proxy(args: ProxyArgs) -> Result<(), Failure> {
    let (front_kind, back_kind) = match args.kind {
        ProxyKind::Queue => (SocketType::Router, SocketType::Dealer),
        ProxyKind::Forwarder => (SocketType::Xsub, SocketType::Xpub),
        ProxyKind::Streamer => (SocketType::Pull, SocketType::Push),
    };
    let ctx = Context::try_new().map_err(|e| zmq_failure("creating a context", e))?;
    let _interrupts = on_interrupt(&ctx)?;
    let open = |kind: SocketType, what: &str| -> Result<Socket, Failure> {
        let s = ctx
            .socket(kind)
            .map_err(|e| zmq_failure(format!("creating the {what}"), e))?;
        s.set_linger(Some(Duration::ZERO))
            .map_err(|e| zmq_failure("ZMQ_LINGER", e))?;
        Ok(s)
    };
    let attach_to = |s: &Socket, ep: &str| -> Result<String, Failure> {
        let list = endpoint_list(
            &Endpoints {
                endpoints: vec![ep.to_owned()],
                ..Endpoints::default()
            },
            true,
        )?;
        attach(s, &list, args.verbose)
    };
    let frontend = open(front_kind, "frontend")?;
    let _auth = security::apply(&args.security, &ctx, &frontend)?;
    attach_to(&frontend, &args.frontend)?;
    let backend = open(back_kind, "backend")?;
    attach_to(&backend, &args.backend)?;
    let capture = match args.capture.as_deref() {
        Some(ep) => {
            let s = open(SocketType::Pub, "capture")?;
            attach_to(&s, ep)?;
            Some(s)
        }
        None => None,
    };
    zmq::proxy(&frontend, &backend, capture.as_ref()).map_err(|e| zmq_failure("proxy", e))
}

fn info() -> Result<(), Failure> {
    let (major, minor, patch) = zmq::version();
    let yes = |b: bool| if b { "yes" } else { "no" };
    let flag = |v: &str| yes(v == "1");
    println!("zmq-cli {}", env!("CARGO_PKG_VERSION"));
    println!("libzmq {major}.{minor}.{patch}");
    println!("capabilities:");
    for cap in ["ipc", "pgm", "tipc", "norm", "curve", "gssapi", "draft"] {
        println!("  {cap:<7} {}", yes(zmq::has(cap)));
    }
    println!("build:");
    println!("  libzmq header  {}", env!("ZMQ_CLI_BUILD_VERSION"));
    println!("  vendored       {}", flag(env!("ZMQ_CLI_BUILD_VENDORED")));
    println!("  curve          {}", flag(env!("ZMQ_CLI_BUILD_CURVE")));
    println!("  draft API      {}", flag(env!("ZMQ_CLI_BUILD_DRAFT")));
    Ok(())
}
