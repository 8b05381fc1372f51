//! Titanic (the guide's `titanic.c`, chapter 4, "Disconnected Reliability
//! (Titanic Pattern)"): a broker-side store-and-forward service on
//! Majordomo. Three MDP workers on the broker at `tcp://localhost:5555`:
//! `titanic.request` saves a request to disk and answers a UUID,
//! `titanic.reply` answers `200` and the reply, `300` (pending) or `400`
//! (unknown), `titanic.close` deletes both. The main thread hands each saved
//! request, once a second, to its service as soon as `mmi.service` says the
//! service has workers, and saves the reply.
//!
//! ```text
//! cargo run --example titanic [-v] [SECONDS [ENDPOINT [DIR]]]
//! ```
//!
//! Files go in `DIR` (default `.titanic`, as in the guide): `UUID.req`,
//! `UUID.rep` (czmq's `zmsg_save` format) and `queue`, one `-UUID` line per
//! request, marked `+UUID` once answered. It runs `SECONDS` seconds
//! (default forever, also `0`).

#[path = "zhelpers/mod.rs"]
mod zhelpers;

#[path = "mdp/mod.rs"]
mod mdp;

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use mdp::mdcliapi::Client;
use mdp::mdwrkapi::Worker;
use zhelpers::msgfile;
use zmq::{Context, Multipart, PollEvents, Socket, SocketType};

const USAGE: &str = "titanic [-v] [SECONDS [ENDPOINT [DIR]]]  (SECONDS 0 = forever)";

/// Where the files go, and which broker to use.
struct Store {
    dir: PathBuf,
    broker: String,
}

impl Store {
    //  Returns request filename for given UUID
    fn request_filename(&self, uuid: &str) -> PathBuf {
        self.dir.join(format!("{uuid}.req"))
    }

    //  Returns reply filename for given UUID
    fn reply_filename(&self, uuid: &str) -> PathBuf {
        self.dir.join(format!("{uuid}.rep"))
    }

    fn queue_filename(&self) -> PathBuf {
        self.dir.join("queue")
    }
}

fn main() -> ExitCode {
    let (verbose, args) = mdp::args(3, USAGE);
    let seconds: u64 = mdp::arg(&args, 0, 0, USAGE);
    let broker: String = mdp::arg(&args, 1, "tcp://localhost:5555".into(), USAGE);
    let dir: String = mdp::arg(&args, 2, ".titanic".into(), USAGE);
    let store = Arc::new(Store {
        dir: dir.into(),
        broker,
    });
    zhelpers::exit_status("titanic", run(verbose, seconds, store))
}

/// A UUID as text: the first frame of a request, or empty.
fn first_text(msg: &Multipart) -> String {
    msg.first()
        .map(|f| String::from_utf8_lossy(f).into_owned())
        .unwrap_or_default()
}

/// A UUID from a client can name only a file of the store: 32 hex digits.
fn is_uuid(text: &str) -> bool {
    text.len() == 32 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

//  The titanic.request task waits for requests to this service. It writes
//  each request to disk and returns a UUID to the client. The client picks
//  up the reply asynchronously using the titanic.reply service:
fn titanic_request(
    ctx: &Context,
    store: &Store,
    pipe: &Socket,
) -> Result<(), Box<dyn std::error::Error>> {
    let mut worker = Worker::new(ctx, &store.broker, "titanic.request", false)?;
    let mut reply = None;
    loop {
        //  Send reply if it's not null
        //  And then get next request from broker
        let request = worker.recv(reply.take())?;

        //  Ensure message directory exists
        fs::create_dir_all(&store.dir)?;

        //  Generate UUID and save message to disk
        let uuid = msgfile::new_uuid();
        msgfile::save(&request, File::create(store.request_filename(&uuid))?)?;

        //  Send UUID through to message queue
        pipe.send(uuid.as_str())?;

        //  Now send UUID back to client
        //  Done by the worker.recv() at the top of the loop
        reply = Some(Multipart::from_iter(["200", uuid.as_str()]));
    }
}

//  The titanic.reply task checks if there's a reply for the specified
//  request (by UUID), and returns a 200 (OK), 300 (Pending), or 400
//  (Unknown) accordingly:
fn titanic_reply(ctx: &Context, store: &Store) -> Result<(), Box<dyn std::error::Error>> {
    let mut worker = Worker::new(ctx, &store.broker, "titanic.reply", false)?;
    let mut reply = None;
    loop {
        let request = worker.recv(reply.take())?;
        let uuid = first_text(&request);
        let mut answer = Multipart::new();
        if !is_uuid(&uuid) {
            answer.push_front("400"); //  Unknown
        } else if store.reply_filename(&uuid).exists() {
            answer = msgfile::load(File::open(store.reply_filename(&uuid))?)?;
            answer.push_front("200");
        } else if store.request_filename(&uuid).exists() {
            answer.push_front("300"); //  Pending
        } else {
            answer.push_front("400"); //  Unknown
        }
        reply = Some(answer);
    }
}

//  The titanic.close task removes any waiting replies for the request
//  (specified by UUID). It's idempotent, so it is safe to call more than
//  once in a row:
fn titanic_close(ctx: &Context, store: &Store) -> Result<(), Box<dyn std::error::Error>> {
    let mut worker = Worker::new(ctx, &store.broker, "titanic.close", false)?;
    let mut reply = None;
    loop {
        let request = worker.recv(reply.take())?;
        let uuid = first_text(&request);
        if is_uuid(&uuid) {
            let _ = fs::remove_file(store.request_filename(&uuid));
            let _ = fs::remove_file(store.reply_filename(&uuid));
        }
        reply = Some(Multipart::from_iter(["200"]));
    }
}

/// Runs a service task on its own thread; an error other than the end of
/// the run is reported on stderr.
fn spawn_task<F>(name: &'static str, task: F) -> std::thread::JoinHandle<()>
where
    F: FnOnce() -> Result<(), Box<dyn std::error::Error>> + Send + 'static,
{
    std::thread::spawn(move || {
        if let Err(e) = task() {
            if !is_stop(e.as_ref()) {
                eprintln!("titanic: {name}: {e}");
            }
        }
    })
}

//  This is the main thread for the Titanic worker. It starts three child
//  threads; for the request, reply, and close services. It then dispatches
//  requests to workers using a simple brute force disk queue. It receives
//  request UUIDs from the titanic.request service, saves these to a disk
//  file, and then throws each request at MDP workers until it gets a
//  response.
fn run(verbose: bool, seconds: u64, store: Arc<Store>) -> Result<(), Box<dyn std::error::Error>> {
    let ctx = Context::new();
    //  Ctrl-C shuts the context down: the service tasks end after the
    //  guide's `W: interrupt received, killing worker...`, the dispatcher
    //  on Terminated
    let _interrupt = zhelpers::interrupt::catch(&ctx)?;
    let request_pipe = ctx.socket(SocketType::Pair)?;
    request_pipe.bind("inproc://titanic-request")?;
    let child_pipe = ctx.socket(SocketType::Pair)?;
    child_pipe.connect("inproc://titanic-request")?;

    let tasks = [
        {
            let (ctx, store) = (ctx.clone(), Arc::clone(&store));
            spawn_task("titanic.request", move || {
                titanic_request(&ctx, &store, &child_pipe)
            })
        },
        {
            let (ctx, store) = (ctx.clone(), Arc::clone(&store));
            spawn_task("titanic.reply", move || titanic_reply(&ctx, &store))
        },
        {
            let (ctx, store) = (ctx.clone(), Arc::clone(&store));
            spawn_task("titanic.close", move || titanic_close(&ctx, &store))
        },
    ];
    if seconds > 0 {
        zhelpers::shutdown_after(&ctx, Duration::from_secs(seconds));
    }
    let result = dispatch(&ctx, verbose, &store, &request_pipe);
    drop(request_pipe);
    let _ = ctx.shutdown();
    for task in tasks {
        let _ = task.join();
    }
    match result {
        Err(e) if is_stop(e.as_ref()) => Ok(()), //  Interrupted, or time is up
        result => result,
    }
}

/// Whether a task ended because the context was shut down (Ctrl-C, or the
/// end of a bounded run) or a signal interrupted its call.
fn is_stop(e: &(dyn std::error::Error + 'static)) -> bool {
    e.downcast_ref::<mdp::Error>()
        .is_some_and(mdp::Error::is_stop)
        || e.downcast_ref::<zmq::Error>()
            .is_some_and(zhelpers::interrupt::is_stop)
}

//  Main dispatcher loop
fn dispatch(
    ctx: &Context,
    verbose: bool,
    store: &Store,
    request_pipe: &Socket,
) -> Result<(), Box<dyn std::error::Error>> {
    loop {
        //  We'll dispatch once per second, if there's no activity
        let ready = request_pipe.poll(PollEvents::POLLIN, Some(Duration::from_millis(1000)))?;
        if !ready.is_empty() {
            //  Ensure message directory exists
            fs::create_dir_all(&store.dir)?;

            //  Append UUID to queue, prefixed with '-' for pending
            let uuid = request_pipe.recv_string()?;
            let mut file = OpenOptions::new()
                .create(true)
                .append(true)
                .open(store.queue_filename())?;
            writeln!(file, "-{uuid}")?;
        }
        //  Brute force dispatcher
        let Ok(mut file) = OpenOptions::new()
            .read(true)
            .write(true)
            .open(store.queue_filename())
        else {
            continue;
        };
        let mut queue = String::new();
        file.read_to_string(&mut queue)?;
        let mut offset = 0u64;
        for line in queue.split_inclusive('\n') {
            //  UUID is prefixed with '-' if still waiting
            if let Some(uuid) = line.trim_end().strip_prefix('-') {
                if verbose {
                    println!("I: processing request {uuid}");
                }
                if service_success(ctx, store, uuid)? {
                    //  Mark queue entry as processed
                    file.seek(SeekFrom::Start(offset))?;
                    file.write_all(b"+")?;
                }
            }
            offset += line.len() as u64;
        }
    }
}

//  Here, we first check if the requested MDP service is defined or not,
//  using a MMI lookup to the Majordomo broker. If the service exists,
//  we send a request and wait for a reply using the conventional MDP
//  client API. This is not meant to be fast, just very simple:
fn service_success(
    ctx: &Context,
    store: &Store,
    uuid: &str,
) -> Result<bool, Box<dyn std::error::Error>> {
    //  Load request message, service will be first frame
    let file = match File::open(store.request_filename(uuid)) {
        Ok(file) => file,
        //  If the client already closed request, treat as successful
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(true),
        Err(e) => return Err(e.into()),
    };
    let mut request = msgfile::load(file)?;
    let Some(service) = request.pop_front() else {
        return Ok(true); //  An empty request: nothing to deliver
    };
    let service_name = String::from_utf8_lossy(&service).into_owned();

    //  Create MDP client session with short timeout
    let mut client = Client::new(ctx, &store.broker, false)?;
    client.set_timeout(Duration::from_millis(1000)); //  1 sec
    client.set_retries(1); //  only 1 retry

    //  Use MMI protocol to check if service is available
    let mmi_reply = client.send("mmi.service", Multipart::from_iter([service]))?;
    let service_ok = mmi_reply.is_some_and(|reply| mdp::frame_is(reply.first(), b"200"));
    if service_ok {
        if let Some(reply) = client.send(&service_name, request)? {
            save_atomically(&store.reply_filename(uuid), &reply)?;
            return Ok(true);
        }
    }
    Ok(false)
}

/// Writes a reply next to its final name, then renames it: `titanic.reply`
/// never loads half a file.
fn save_atomically(path: &Path, msg: &Multipart) -> std::io::Result<()> {
    let partial = path.with_extension("rep.partial");
    msgfile::save(msg, File::create(&partial)?)?;
    fs::rename(partial, path)
}
