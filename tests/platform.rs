//! The platform features of the linked libzmq, each seen on a live
//! connection or on the kernel object libzmq made (issue 23).
//!
//! libzmq turns these on with defines that its own build (CMake or
//! autotools) sets after probing the platform; the vendored build sets them
//! from one list (`zmq-sys/build/platform.defines`, see `vendor/README.md`),
//! and `.ci/platform-drift` checks that list against libzmq's own CMake.
//! A define missing from the list leaves an option that reads back fine but
//! does nothing, so every test looks at the kernel: the socket options of
//! the file descriptor libzmq uses (found in `/proc/self/fd` by port), the
//! kind of its descriptors, its threads in `/proc/self/task`.
//!
//! Linux only: these are the features libzmq's build enables on Linux.

#![cfg(target_os = "linux")]

use std::mem;
use std::os::fd::{AsRawFd, RawFd};
use std::time::Duration;

use zmq::{Context, Socket, SocketType};

const WAIT: Duration = Duration::from_secs(5);

// ---- kernel side --------------------------------------------------------------

/// A TCP socket of this process, seen by the kernel.
#[derive(Debug)]
struct KernelSocket {
    fd: RawFd,
    family: i32,
    local_port: u16,
    peer_port: Option<u16>,
}

/// The port of an IPv4 or IPv6 socket address, if it is one.
fn port_of(addr: &libc::sockaddr_storage) -> Option<u16> {
    match i32::from(addr.ss_family) {
        libc::AF_INET => {
            // SAFETY: the family says the storage holds a sockaddr_in.
            let sin =
                unsafe { &*(addr as *const libc::sockaddr_storage).cast::<libc::sockaddr_in>() };
            Some(u16::from_be(sin.sin_port))
        }
        libc::AF_INET6 => {
            // SAFETY: the family says the storage holds a sockaddr_in6.
            let sin6 =
                unsafe { &*(addr as *const libc::sockaddr_storage).cast::<libc::sockaddr_in6>() };
            Some(u16::from_be(sin6.sin6_port))
        }
        _ => None,
    }
}

/// `getsockname` (`peer == false`) or `getpeername` of `fd`.
fn socket_addr(fd: RawFd, peer: bool) -> Option<libc::sockaddr_storage> {
    // SAFETY: all-zero bytes are a valid sockaddr_storage.
    let mut addr: libc::sockaddr_storage = unsafe { mem::zeroed() };
    let mut len = mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
    let ptr = (&mut addr as *mut libc::sockaddr_storage).cast::<libc::sockaddr>();
    // SAFETY: addr/len describe a writable buffer of the size given; a
    // descriptor that is not a socket (or was closed meanwhile) is an error.
    let rc = unsafe {
        if peer {
            libc::getpeername(fd, ptr, &mut len)
        } else {
            libc::getsockname(fd, ptr, &mut len)
        }
    };
    (rc == 0).then_some(addr)
}

/// Every TCP socket of this process whose local or peer port is `port`
/// (other tests run in parallel: the port tells ours apart).
fn tcp_sockets_on(port: u16) -> Vec<KernelSocket> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc/self/fd").expect("read /proc/self/fd") {
        let entry = entry.expect("entry of /proc/self/fd");
        let Some(fd) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<RawFd>().ok())
        else {
            continue;
        };
        let Ok(target) = std::fs::read_link(entry.path()) else {
            continue;
        };
        if !target.to_string_lossy().starts_with("socket:") {
            continue;
        }
        let Some(local) = socket_addr(fd, false) else {
            continue;
        };
        let Some(local_port) = port_of(&local) else {
            continue;
        };
        if sockopt_int(fd, libc::SOL_SOCKET, libc::SO_TYPE) != Some(libc::SOCK_STREAM) {
            continue;
        }
        let peer_port = socket_addr(fd, true).and_then(|a| port_of(&a));
        if local_port == port || peer_port == Some(port) {
            found.push(KernelSocket {
                fd,
                family: i32::from(local.ss_family),
                local_port,
                peer_port,
            });
        }
    }
    found
}

/// The two ends of the established connection to `port` (the accepted one
/// and the connecting one); panics unless there are exactly two.
fn connection_on(port: u16) -> Vec<KernelSocket> {
    let connected: Vec<KernelSocket> = tcp_sockets_on(port)
        .into_iter()
        .filter(|s| s.peer_port.is_some())
        .collect();
    assert_eq!(
        connected.len(),
        2,
        "expected both ends of one connection to port {port}, found {connected:?}"
    );
    // One end was accepted on the port, the other connected to it.
    assert!(
        connected.iter().any(|s| s.local_port == port)
            && connected.iter().any(|s| s.peer_port == Some(port)),
        "not the two ends of one connection to port {port}: {connected:?}"
    );
    connected
}

/// An integer socket option of a kernel socket.
fn sockopt_int(fd: RawFd, level: i32, name: i32) -> Option<i32> {
    let mut value: libc::c_int = 0;
    let mut len = mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: value/len describe a writable c_int.
    let rc = unsafe {
        libc::getsockopt(
            fd,
            level,
            name,
            (&mut value as *mut libc::c_int).cast(),
            &mut len,
        )
    };
    (rc == 0).then_some(value)
}

/// `SO_BINDTODEVICE` of a kernel socket: the device name, empty if none.
fn bound_device(fd: RawFd) -> String {
    let mut buf = [0u8; libc::IFNAMSIZ];
    let mut len = buf.len() as libc::socklen_t;
    // SAFETY: buf/len describe a writable buffer.
    let rc = unsafe {
        libc::getsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_BINDTODEVICE,
            buf.as_mut_ptr().cast(),
            &mut len,
        )
    };
    assert_eq!(
        rc,
        0,
        "getsockopt(SO_BINDTODEVICE): {}",
        std::io::Error::last_os_error()
    );
    let len = (len as usize).min(buf.len());
    String::from_utf8_lossy(&buf[..len])
        .trim_end_matches('\0')
        .to_string()
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

// ---- zmq side ------------------------------------------------------------------

/// The port of a `tcp://host:port` endpoint.
fn port_of_endpoint(endpoint: &str) -> u16 {
    endpoint
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no port in {endpoint:?}"))
}

/// Sends one message from `push` to `pull` and waits for it: afterwards
/// the connection is established on both sides.
fn round_trip(push: &Socket, pull: &Socket) {
    assert!(
        push.send_timeout("ping", WAIT).expect("send").is_none(),
        "the message was not taken within {WAIT:?}"
    );
    let got = pull.recv_bytes_timeout(WAIT).expect("recv");
    assert_eq!(
        got.as_deref(),
        Some(&b"ping"[..]),
        "no message within {WAIT:?}"
    );
}

/// A PULL bound to `bind` and a PUSH connected to the endpoint it got,
/// both configured by `setup` first; one message went through.
fn connected_pair(ctx: &Context, bind: &str, setup: impl Fn(&Socket)) -> (Socket, Socket, String) {
    let pull = ctx.socket(SocketType::Pull).expect("PULL");
    let push = ctx.socket(SocketType::Push).expect("PUSH");
    for s in [&pull, &push] {
        s.set_linger(Some(Duration::ZERO)).expect("linger");
        setup(s);
    }
    pull.bind(bind)
        .unwrap_or_else(|e| panic!("bind {bind}: {e}"));
    let endpoint = pull.last_endpoint().expect("last_endpoint");
    push.connect(&endpoint)
        .unwrap_or_else(|e| panic!("connect {endpoint}: {e}"));
    round_trip(&push, &pull);
    (pull, push, endpoint)
}

// ---- the features --------------------------------------------------------------

/// ZMQ_HAVE_SO_KEEPALIVE, ZMQ_HAVE_TCP_KEEPIDLE/KEEPINTVL/KEEPCNT: the
/// keep-alive options reach both kernel sockets of the connection.
#[test]
fn tcp_keepalive_reaches_the_kernel_socket() {
    let ctx = Context::new();
    let (_pull, _push, endpoint) = connected_pair(&ctx, "tcp://127.0.0.1:*", |s| {
        s.set_tcp_keepalive(Some(true)).expect("keepalive");
        s.set_tcp_keepalive_idle(Some(Duration::from_secs(7)))
            .expect("idle");
        s.set_tcp_keepalive_intvl(Some(Duration::from_secs(3)))
            .expect("intvl");
        s.set_tcp_keepalive_cnt(Some(4)).expect("cnt");
    });
    for s in connection_on(port_of_endpoint(&endpoint)) {
        let got = [
            sockopt_int(s.fd, libc::SOL_SOCKET, libc::SO_KEEPALIVE),
            sockopt_int(s.fd, libc::IPPROTO_TCP, libc::TCP_KEEPIDLE),
            sockopt_int(s.fd, libc::IPPROTO_TCP, libc::TCP_KEEPINTVL),
            sockopt_int(s.fd, libc::IPPROTO_TCP, libc::TCP_KEEPCNT),
        ];
        assert_eq!(
            got,
            [Some(1), Some(7), Some(3), Some(4)],
            "SO_KEEPALIVE, TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT of {s:?}"
        );
    }
}

/// Without the option the kernel sockets keep the OS default (no
/// keep-alive): the test above sees the option, not a default.
#[test]
fn without_tcp_keepalive_the_kernel_socket_has_none() {
    let ctx = Context::new();
    let (_pull, _push, endpoint) = connected_pair(&ctx, "tcp://127.0.0.1:*", |_| {});
    for s in connection_on(port_of_endpoint(&endpoint)) {
        assert_eq!(
            sockopt_int(s.fd, libc::SOL_SOCKET, libc::SO_KEEPALIVE),
            Some(0),
            "{s:?}"
        );
    }
}

/// TCP_MAXRT: libzmq 4.3.5 maps it to TCP_USER_TIMEOUT on Linux (the
/// header's macro decides, no build define), in milliseconds.
#[test]
fn tcp_maxrt_is_tcp_user_timeout() {
    let ctx = Context::new();
    let (_pull, _push, endpoint) = connected_pair(&ctx, "tcp://127.0.0.1:*", |s| {
        s.set_tcp_maxrt(Some(Duration::from_millis(4_500)))
            .expect("maxrt");
    });
    for s in connection_on(port_of_endpoint(&endpoint)) {
        assert_eq!(
            sockopt_int(s.fd, libc::IPPROTO_TCP, libc::TCP_USER_TIMEOUT),
            Some(4_500),
            "TCP_USER_TIMEOUT of {s:?}"
        );
    }
}

/// ZMQ_HAVE_SO_BINDTODEVICE: a socket bound to `lo` still binds and
/// connects, and its kernel sockets carry the device. Needs CAP_NET_RAW
/// (root); CI runs as root.
#[test]
fn bindtodevice_lo_then_bind_and_connect_work() {
    if !is_root() {
        println!("SKIPPED bindtodevice_lo_then_bind_and_connect_work: SO_BINDTODEVICE needs root (CAP_NET_RAW); CI runs it as root");
        return;
    }
    let ctx = Context::new();
    let (_pull, _push, endpoint) = connected_pair(&ctx, "tcp://127.0.0.1:*", |s| {
        s.set_bindtodevice("lo").expect("bindtodevice");
    });
    let port = port_of_endpoint(&endpoint);
    let all = tcp_sockets_on(port);
    assert_eq!(all.len(), 3, "listener and both ends expected: {all:?}");
    for s in all {
        assert_eq!(bound_device(s.fd), "lo", "SO_BINDTODEVICE of {s:?}");
    }
}

/// IPv6 (ZMQ_IPV6): a round trip over `[::1]`, on AF_INET6 kernel sockets.
#[test]
fn ipv6_round_trip() {
    let ctx = Context::new();
    let (_pull, _push, endpoint) = connected_pair(&ctx, "tcp://[::1]:*", |s| {
        s.set_ipv6(true).expect("ipv6");
    });
    for s in connection_on(port_of_endpoint(&endpoint)) {
        assert_eq!(s.family, libc::AF_INET6, "{s:?}");
    }
}

/// HAVE_IF_NAMETOINDEX: an IPv6 endpoint whose scope is an interface
/// *name* (`%lo`); without the define only a number (`%1`) was accepted
/// and the name was EINVAL.
#[test]
fn ipv6_scope_name() {
    let ctx = Context::new();
    let pull = ctx.socket(SocketType::Pull).expect("PULL");
    let push = ctx.socket(SocketType::Push).expect("PUSH");
    for s in [&pull, &push] {
        s.set_linger(Some(Duration::ZERO)).expect("linger");
        s.set_ipv6(true).expect("ipv6");
    }
    pull.bind("tcp://[::1%lo]:*")
        .expect("bind tcp://[::1%lo]:*");
    let port = port_of_endpoint(&pull.last_endpoint().expect("last_endpoint"));
    push.connect(&format!("tcp://[::1%lo]:{port}"))
        .expect("connect with %lo");
    round_trip(&push, &pull);
    assert_eq!(connection_on(port).len(), 2);
}

/// The same with a real link-local address, when an interface has one
/// (`/proc/net/if_inet6`): `tcp://[fe80::...%eth0]`.
#[test]
fn ipv6_link_local_with_scope_name() {
    let table = std::fs::read_to_string("/proc/net/if_inet6").unwrap_or_default();
    let link_local = table.lines().find_map(|line| {
        let cols: Vec<&str> = line.split_whitespace().collect();
        // address, ifindex, prefix length, scope (0x20 = link), flags, name
        (cols.len() == 6 && cols[3] == "20" && cols[0].starts_with("fe80")).then(|| {
            let hex = cols[0];
            let groups: Vec<&str> = (0..8).map(|i| &hex[i * 4..i * 4 + 4]).collect();
            let addr: std::net::Ipv6Addr = groups.join(":").parse().expect("address");
            (addr, cols[5].to_string())
        })
    });
    let Some((addr, ifname)) = link_local else {
        println!(
            "SKIPPED ipv6_link_local_with_scope_name: no interface has a link-local IPv6 \
             address here (ipv6_scope_name covers scope names on lo)"
        );
        return;
    };
    let ctx = Context::new();
    let bind = format!("tcp://[{addr}%{ifname}]:*");
    let (_pull, _push, endpoint) = connected_pair(&ctx, &bind, |s| {
        s.set_ipv6(true).expect("ipv6");
    });
    assert_eq!(
        connection_on(port_of_endpoint(&endpoint)).len(),
        2,
        "{endpoint}"
    );
}

/// Abstract-namespace ipc (`ipc://@name`, ZMQ_HAVE_LINUX): a round trip,
/// no file on disk, and the kernel lists the abstract name.
#[test]
fn abstract_ipc_round_trip() {
    let name = format!("zmq-rs-platform-{}", std::process::id());
    let ctx = Context::new();
    let (_pull, _push, _endpoint) = connected_pair(&ctx, &format!("ipc://@{name}"), |_| {});
    assert!(
        !std::path::Path::new(&format!("@{name}")).exists(),
        "a file was made"
    );
    let unix = std::fs::read_to_string("/proc/net/unix").expect("/proc/net/unix");
    assert!(
        unix.lines().any(|l| l.ends_with(&format!(" @{name}"))),
        "the abstract name @{name} is not in /proc/net/unix"
    );
}

/// HAVE_ACCEPT4 + ZMQ_HAVE_SOCK_CLOEXEC: the accepted and the connecting
/// kernel socket are close-on-exec from the start.
#[test]
fn tcp_sockets_are_cloexec() {
    let ctx = Context::new();
    let (_pull, _push, endpoint) = connected_pair(&ctx, "tcp://127.0.0.1:*", |_| {});
    for s in tcp_sockets_on(port_of_endpoint(&endpoint)) {
        // SAFETY: F_GETFD on a descriptor of this process.
        let flags = unsafe { libc::fcntl(s.fd, libc::F_GETFD) };
        assert!(
            flags >= 0 && flags & libc::FD_CLOEXEC != 0,
            "{s:?} is not FD_CLOEXEC"
        );
    }
}

/// ZMQ_HAVE_EVENTFD: a socket's mailbox signals through an eventfd (not a
/// socketpair), and it is close-on-exec (ZMQ_HAVE_EVENTFD_CLOEXEC).
#[test]
fn mailbox_is_a_cloexec_eventfd() {
    let ctx = Context::new();
    let s = ctx.socket(SocketType::Pull).expect("PULL");
    let fd = s.as_raw_fd();
    let target = std::fs::read_link(format!("/proc/self/fd/{fd}")).expect("readlink");
    assert_eq!(
        target.to_string_lossy(),
        "anon_inode:[eventfd]",
        "ZMQ_FD {fd}"
    );
    // SAFETY: F_GETFD on a descriptor of this process.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFD) };
    assert!(
        flags >= 0 && flags & libc::FD_CLOEXEC != 0,
        "ZMQ_FD {fd} is not FD_CLOEXEC"
    );
}

/// The thread of this process named `name` (`/proc/self/task/*/comm`).
fn thread_named(name: &str) -> Option<String> {
    for entry in std::fs::read_dir("/proc/self/task")
        .expect("/proc/self/task")
        .flatten()
    {
        let comm = std::fs::read_to_string(entry.path().join("comm")).unwrap_or_default();
        if comm.trim_end() == name {
            return Some(entry.path().to_string_lossy().into_owned());
        }
    }
    None
}

/// The `Cpus_allowed_list` of a task (`/proc/.../status`).
fn cpus_allowed(task: &str) -> String {
    let status = std::fs::read_to_string(format!("{task}/status")).expect("status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("Cpus_allowed_list:"))
        .expect("Cpus_allowed_list")
        .trim()
        .to_string()
}

/// ZMQ_HAVE_PTHREAD_SETNAME_2 and ZMQ_HAVE_PTHREAD_SET_AFFINITY: libzmq's
/// I/O thread carries its name (with the context's prefix) and runs on
/// the CPU given by ZMQ_THREAD_AFFINITY_CPU_ADD.
#[test]
fn io_thread_is_named_and_pinned() {
    let mine = cpus_allowed("/proc/self");
    let cpus: Vec<u32> = mine
        .split(',')
        .flat_map(|part| match part.split_once('-') {
            Some((a, b)) => (a.parse::<u32>().unwrap()..=b.parse::<u32>().unwrap()).collect(),
            None => vec![part.parse::<u32>().unwrap()],
        })
        .collect();
    let prefix = 7000 + (std::process::id() % 2000) as i32;
    let ctx = Context::new();
    ctx.set_thread_name_prefix(prefix)
        .expect("thread name prefix");
    let pin = *cpus.last().expect("some CPU");
    ctx.add_thread_affinity_cpu(pin as i32).expect("affinity");
    // The I/O threads start with the first socket.
    let _s = ctx.socket(SocketType::Pull).expect("PULL");
    let name = format!("{prefix}/ZMQbg/IO/0");
    // The thread names itself once it runs: wait for that, boundedly.
    let deadline = std::time::Instant::now() + WAIT;
    let task = loop {
        if let Some(task) = thread_named(&name) {
            break task;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no thread named {name:?} within {WAIT:?}: libzmq's threads are unnamed"
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    if cpus.len() < 2 {
        println!("SKIPPED the affinity half of io_thread_is_named_and_pinned: this process may run on one CPU only ({mine})");
        return;
    }
    assert_eq!(cpus_allowed(&task), pin.to_string(), "affinity of {name}");
}

/// The capabilities of the vendored libzmq: those of pyzmq's bundled
/// libzmq 4.3.5 (pyzmq 27.3), except WS (zeromq-src builds ws:// in every
/// build, libzmq's CMake only with DRAFT; Debian's 4.3.4 has it too) and
/// draft, which follows the `draft` feature. libzmq 4.3.5's zmq_has knows
/// the websocket transports only as "WS" and "WSS" (upper case).
/// vendor/README.md has the comparison, Debian's included.
#[test]
#[cfg_attr(not(zmq_vendored), ignore = "the capabilities of the vendored build")]
fn vendored_capabilities() {
    let names = [
        "ipc", "pgm", "tipc", "norm", "curve", "gssapi", "draft", "WS", "WSS", "vmci",
    ];
    let got: Vec<(&str, bool)> = names.into_iter().map(|c| (c, zmq::has(c))).collect();
    let want = vec![
        ("ipc", true),
        ("pgm", false),
        ("tipc", true),
        ("norm", false),
        ("curve", true),
        ("gssapi", false),
        ("draft", cfg!(feature = "draft")),
        ("WS", true),
        ("WSS", false),
        ("vmci", false),
    ];
    assert_eq!(got, want);
}
