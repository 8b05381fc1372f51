//! Socket options against real libzmq: every option of the table exercised
//! in each direction it has, the table compared with `zmq.h`'s constants,
//! bad values as errors.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use zmq::{Context, CurveKey, Error, GssapiNameType, Mechanism, OptionInfo, SocketType};
#[cfg(feature = "draft")]
use zmq::{ReconnectStop, RouterNotify};

/// Why a case failed.
#[derive(Debug)]
enum Fail {
    /// libzmq (or a codec) refused.
    Zmq(Error),
    /// The value read back, or some other observation, was wrong.
    Wrong(String),
}

impl From<Error> for Fail {
    fn from(e: Error) -> Fail {
        Fail::Zmq(e)
    }
}

type Run = Box<dyn Fn(&Context) -> Result<(), Fail>>;

/// One exercised option. `needs` is a `zmq::has` capability: without it
/// libzmq answers EINVAL, and the case must fail with exactly that.
struct Case {
    name: &'static str,
    needs: Option<&'static str>,
    run: Run,
}

/// Runs the cases, each on its own sockets, and reports all failures at once.
fn run_cases(cases: &[Case]) {
    let ctx = Context::new();
    let mut failures = Vec::new();
    for case in cases {
        let result = (case.run)(&ctx);
        match (case.needs.filter(|cap| !zmq::has(cap)), result) {
            (None, Ok(())) => {}
            (Some(_), Err(Fail::Zmq(ref e))) if e.kind() == zmq::ErrorKind::InvalidArgument => {}
            (None, Err(Fail::Wrong(why))) => failures.push(format!("{}: {why}", case.name)),
            (None, Err(e)) => failures.push(format!("{}: {e:?}", case.name)),
            (Some(cap), other) => failures.push(format!(
                "{}: without {cap:?} expected InvalidArgument, got {other:?}",
                case.name
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "failed options:\n{}",
        failures.join("\n")
    );
}

/// Fails unless `cases` name exactly the options of the table `select`s.
fn assert_covers(cases: &[Case], what: &str, select: impl Fn(&OptionInfo) -> bool) {
    let table: BTreeSet<&str> = zmq::SOCKET_OPTIONS
        .iter()
        .filter(|o| select(o))
        .map(|o| o.name)
        .collect();
    let tested: BTreeSet<&str> = cases.iter().map(|c| c.name).collect();
    let untested: Vec<_> = table.difference(&tested).collect();
    let unknown: Vec<_> = tested.difference(&table).collect();
    assert!(
        untested.is_empty(),
        "{what} options of the table without a test case: {untested:?}"
    );
    assert!(
        unknown.is_empty(),
        "test cases that are not {what} options of the table: {unknown:?}"
    );
    assert_eq!(cases.len(), tested.len(), "an option is listed twice");
}

/// Sets a non-default value, reads it back, and checks that a fresh socket
/// of the same type reads something else (so the value really is not the
/// default). `value => expected` when the setter and getter types differ.
macro_rules! round_trip {
    ($cases:ident, $name:literal, $kind:ident, $get:ident, $set:ident,
     $value:expr $(=> $expected:expr)? $(, needs $cap:literal)?) => {
        $cases.push(Case {
            name: $name,
            needs: None $(.or(Some($cap)))?,
            run: Box::new(|ctx: &Context| {
                let socket = ctx.socket(SocketType::$kind)?;
                socket.$set($value)?;
                let expected = round_trip!(@expected $value $(=> $expected)?);
                let got = socket.$get()?;
                if got != expected {
                    return Err(Fail::Wrong(format!("read back {got:?}, set {expected:?}")));
                }
                let default = ctx.socket(SocketType::$kind)?.$get()?;
                if default == expected {
                    return Err(Fail::Wrong(format!("{expected:?} is the default")));
                }
                Ok(())
            }),
        });
    };
    (@expected $value:expr) => { $value };
    (@expected $value:expr => $expected:expr) => { $expected };
}

/// A set-only option: the setter accepts a value on a socket type it
/// applies to.
macro_rules! set_only {
    ($cases:ident, $name:literal, $kind:ident, $set:ident, $value:expr $(, needs $cap:literal)?) => {
        $cases.push(Case {
            name: $name,
            needs: None $(.or(Some($cap)))?,
            run: Box::new(|ctx: &Context| {
                ctx.socket(SocketType::$kind)?.$set($value)?;
                Ok(())
            }),
        });
    };
}

/// A get-only option: `check` gets the socket and judges what it reads.
macro_rules! get_only {
    ($cases:ident, $name:literal, |$socket:ident: $kind:ident| $check:expr) => {
        $cases.push(Case {
            name: $name,
            needs: None,
            run: Box::new(|ctx: &Context| {
                let $socket = ctx.socket(SocketType::$kind)?;
                let ok: bool = $check;
                if ok {
                    Ok(())
                } else {
                    Err(Fail::Wrong("unexpected value".into()))
                }
            }),
        });
    };
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[test]
fn every_get_set_option_round_trips() {
    let mut c = Vec::new();
    // queues, timeouts, limits
    round_trip!(c, "ZMQ_LINGER", Dealer, linger, set_linger, Some(ms(1234)));
    round_trip!(c, "ZMQ_SNDHWM", Dealer, sndhwm, set_sndhwm, 5);
    round_trip!(c, "ZMQ_RCVHWM", Dealer, rcvhwm, set_rcvhwm, 7);
    round_trip!(
        c,
        "ZMQ_RCVTIMEO",
        Dealer,
        rcvtimeo,
        set_rcvtimeo,
        Some(ms(250))
    );
    round_trip!(
        c,
        "ZMQ_SNDTIMEO",
        Dealer,
        sndtimeo,
        set_sndtimeo,
        Some(ms(0))
    );
    round_trip!(
        c,
        "ZMQ_MAXMSGSIZE",
        Dealer,
        maxmsgsize,
        set_maxmsgsize,
        4096
    );
    round_trip!(c, "ZMQ_AFFINITY", Dealer, affinity, set_affinity, 3);
    round_trip!(c, "ZMQ_IMMEDIATE", Dealer, immediate, set_immediate, true);
    round_trip!(c, "ZMQ_CONFLATE", Push, conflate, set_conflate, true);
    round_trip!(c, "ZMQ_BACKLOG", Router, backlog, set_backlog, 17);
    round_trip!(c, "ZMQ_SNDBUF", Dealer, sndbuf, set_sndbuf, Some(65536));
    round_trip!(c, "ZMQ_RCVBUF", Dealer, rcvbuf, set_rcvbuf, Some(0));
    // identity and routing, pub-sub
    round_trip!(c, "ZMQ_ROUTING_ID", Dealer, routing_id, set_routing_id,
        b"peer-1" => b"peer-1".to_vec());
    round_trip!(
        c,
        "ZMQ_INVERT_MATCHING",
        Sub,
        invert_matching,
        set_invert_matching,
        true
    );
    // connections
    round_trip!(
        c,
        "ZMQ_RECONNECT_IVL",
        Dealer,
        reconnect_ivl,
        set_reconnect_ivl,
        None
    );
    round_trip!(
        c,
        "ZMQ_RECONNECT_IVL_MAX",
        Dealer,
        reconnect_ivl_max,
        set_reconnect_ivl_max,
        Some(ms(5000))
    );
    round_trip!(
        c,
        "ZMQ_CONNECT_TIMEOUT",
        Dealer,
        connect_timeout,
        set_connect_timeout,
        Some(ms(2000))
    );
    round_trip!(
        c,
        "ZMQ_HANDSHAKE_IVL",
        Dealer,
        handshake_ivl,
        set_handshake_ivl,
        None
    );
    round_trip!(
        c,
        "ZMQ_HEARTBEAT_IVL",
        Dealer,
        heartbeat_ivl,
        set_heartbeat_ivl,
        Some(ms(1000))
    );
    round_trip!(
        c,
        "ZMQ_HEARTBEAT_TTL",
        Dealer,
        heartbeat_ttl,
        set_heartbeat_ttl,
        Some(ms(2500))
    );
    round_trip!(c, "ZMQ_HEARTBEAT_TIMEOUT", Dealer, heartbeat_timeout, set_heartbeat_timeout,
        ms(3000) => Some(ms(3000)));
    round_trip!(c, "ZMQ_USE_FD", Router, use_fd, set_use_fd, Some(42));
    // network
    round_trip!(c, "ZMQ_IPV6", Dealer, ipv6, set_ipv6, true);
    round_trip!(
        c,
        "ZMQ_TCP_KEEPALIVE",
        Dealer,
        tcp_keepalive,
        set_tcp_keepalive,
        Some(false)
    );
    round_trip!(
        c,
        "ZMQ_TCP_KEEPALIVE_CNT",
        Dealer,
        tcp_keepalive_cnt,
        set_tcp_keepalive_cnt,
        Some(5)
    );
    round_trip!(
        c,
        "ZMQ_TCP_KEEPALIVE_IDLE",
        Dealer,
        tcp_keepalive_idle,
        set_tcp_keepalive_idle,
        Some(Duration::from_secs(60))
    );
    round_trip!(
        c,
        "ZMQ_TCP_KEEPALIVE_INTVL",
        Dealer,
        tcp_keepalive_intvl,
        set_tcp_keepalive_intvl,
        Some(Duration::from_secs(10))
    );
    round_trip!(
        c,
        "ZMQ_TCP_MAXRT",
        Dealer,
        tcp_maxrt,
        set_tcp_maxrt,
        Some(ms(7000))
    );
    round_trip!(c, "ZMQ_TOS", Dealer, tos, set_tos, 0x28);
    round_trip!(c, "ZMQ_BINDTODEVICE", Dealer, bindtodevice, set_bindtodevice,
        "lo" => "lo".to_owned());
    round_trip!(c, "ZMQ_SOCKS_PROXY", Dealer, socks_proxy, set_socks_proxy,
        "127.0.0.1:1080" => "127.0.0.1:1080".to_owned());
    // multicast
    round_trip!(c, "ZMQ_RATE", Pub, rate, set_rate, 200);
    round_trip!(
        c,
        "ZMQ_RECOVERY_IVL",
        Pub,
        recovery_ivl,
        set_recovery_ivl,
        ms(2000)
    );
    round_trip!(
        c,
        "ZMQ_MULTICAST_HOPS",
        Pub,
        multicast_hops,
        set_multicast_hops,
        5
    );
    round_trip!(
        c,
        "ZMQ_MULTICAST_MAXTPDU",
        Pub,
        multicast_maxtpdu,
        set_multicast_maxtpdu,
        1400
    );
    // security
    round_trip!(c, "ZMQ_ZAP_DOMAIN", Router, zap_domain, set_zap_domain,
        "global" => "global".to_owned());
    round_trip!(
        c,
        "ZMQ_PLAIN_SERVER",
        Router,
        plain_server,
        set_plain_server,
        true
    );
    round_trip!(c, "ZMQ_PLAIN_USERNAME", Dealer, plain_username, set_plain_username,
        "admin" => "admin".to_owned());
    round_trip!(c, "ZMQ_PLAIN_PASSWORD", Dealer, plain_password, set_plain_password,
        "secret" => "secret".to_owned());
    round_trip!(c, "ZMQ_CURVE_SERVER", Router, curve_server, set_curve_server, true,
        needs "curve");
    round_trip!(c, "ZMQ_CURVE_PUBLICKEY", Dealer, curve_publickey, set_curve_publickey,
        &CurveKey::from([7; 32]) => CurveKey::from([7; 32]), needs "curve");
    round_trip!(c, "ZMQ_CURVE_SECRETKEY", Dealer, curve_secretkey, set_curve_secretkey,
        &CurveKey::from([8; 32]) => CurveKey::from([8; 32]), needs "curve");
    round_trip!(c, "ZMQ_CURVE_SERVERKEY", Dealer, curve_serverkey, set_curve_serverkey,
        &CurveKey::from([9; 32]) => CurveKey::from([9; 32]), needs "curve");
    round_trip!(c, "ZMQ_GSSAPI_SERVER", Router, gssapi_server, set_gssapi_server, true,
        needs "gssapi");
    round_trip!(c, "ZMQ_GSSAPI_PRINCIPAL", Dealer, gssapi_principal, set_gssapi_principal,
        "me" => "me".to_owned(), needs "gssapi");
    round_trip!(c, "ZMQ_GSSAPI_SERVICE_PRINCIPAL", Dealer, gssapi_service_principal,
        set_gssapi_service_principal, "svc" => "svc".to_owned(), needs "gssapi");
    round_trip!(c, "ZMQ_GSSAPI_PLAINTEXT", Dealer, gssapi_plaintext, set_gssapi_plaintext, true,
        needs "gssapi");
    round_trip!(c, "ZMQ_GSSAPI_PRINCIPAL_NAMETYPE", Dealer, gssapi_principal_nametype,
        set_gssapi_principal_nametype, GssapiNameType::UserName, needs "gssapi");
    round_trip!(c, "ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE", Dealer,
        gssapi_service_principal_nametype, set_gssapi_service_principal_nametype,
        GssapiNameType::Krb5Principal, needs "gssapi");
    #[cfg(feature = "draft")]
    {
        use zmq::NormMode;
        round_trip!(
            c,
            "ZMQ_IN_BATCH_SIZE",
            Dealer,
            in_batch_size,
            set_in_batch_size,
            1024
        );
        round_trip!(
            c,
            "ZMQ_OUT_BATCH_SIZE",
            Dealer,
            out_batch_size,
            set_out_batch_size,
            2048
        );
        round_trip!(
            c,
            "ZMQ_ROUTER_NOTIFY",
            Router,
            router_notify,
            set_router_notify,
            RouterNotify::CONNECT | RouterNotify::DISCONNECT
        );
        round_trip!(
            c,
            "ZMQ_RECONNECT_STOP",
            Dealer,
            reconnect_stop,
            set_reconnect_stop,
            ReconnectStop::CONN_REFUSED | ReconnectStop::AFTER_DISCONNECT
        );
        round_trip!(c, "ZMQ_PRIORITY", Dealer, priority, set_priority, 3);
        round_trip!(c, "ZMQ_SOCKS_USERNAME", Dealer, socks_username, set_socks_username,
            "user" => "user".to_owned());
        round_trip!(c, "ZMQ_SOCKS_PASSWORD", Dealer, socks_password, set_socks_password,
            "pass" => "pass".to_owned());
        round_trip!(
            c,
            "ZMQ_LOOPBACK_FASTPATH",
            Dealer,
            loopback_fastpath,
            set_loopback_fastpath,
            true
        );
        round_trip!(
            c,
            "ZMQ_MULTICAST_LOOP",
            Dish,
            multicast_loop,
            set_multicast_loop,
            false
        );
        round_trip!(
            c,
            "ZMQ_ZAP_ENFORCE_DOMAIN",
            Router,
            zap_enforce_domain,
            set_zap_enforce_domain,
            true
        );
        round_trip!(c, "ZMQ_NORM_MODE", Pub, norm_mode, set_norm_mode, NormMode::Fixed,
            needs "norm");
        round_trip!(c, "ZMQ_NORM_UNICAST_NACK", Pub, norm_unicast_nack, set_norm_unicast_nack,
            true, needs "norm");
        round_trip!(c, "ZMQ_NORM_BUFFER_SIZE", Pub, norm_buffer_size, set_norm_buffer_size, 4096,
            needs "norm");
        round_trip!(c, "ZMQ_NORM_SEGMENT_SIZE", Pub, norm_segment_size, set_norm_segment_size,
            1200, needs "norm");
        round_trip!(c, "ZMQ_NORM_BLOCK_SIZE", Pub, norm_block_size, set_norm_block_size, 32,
            needs "norm");
        round_trip!(c, "ZMQ_NORM_NUM_PARITY", Pub, norm_num_parity, set_norm_num_parity, 8,
            needs "norm");
        round_trip!(c, "ZMQ_NORM_NUM_AUTOPARITY", Pub, norm_num_autoparity,
            set_norm_num_autoparity, 2, needs "norm");
        round_trip!(c, "ZMQ_NORM_PUSH", Pub, norm_push, set_norm_push, true, needs "norm");
    }
    assert_covers(&c, "get+set", |o| o.get() && o.set());
    run_cases(&c);
}

#[test]
fn every_set_only_option_is_accepted() {
    let mut c = Vec::new();
    set_only!(c, "ZMQ_SUBSCRIBE", Sub, set_subscribe, b"topic");
    set_only!(c, "ZMQ_UNSUBSCRIBE", Sub, set_unsubscribe, b"topic");
    set_only!(
        c,
        "ZMQ_CONNECT_ROUTING_ID",
        Router,
        set_connect_routing_id,
        b"peer"
    );
    set_only!(
        c,
        "ZMQ_ROUTER_MANDATORY",
        Router,
        set_router_mandatory,
        true
    );
    set_only!(c, "ZMQ_ROUTER_HANDOVER", Router, set_router_handover, true);
    set_only!(c, "ZMQ_ROUTER_RAW", Router, set_router_raw, true);
    set_only!(c, "ZMQ_PROBE_ROUTER", Dealer, set_probe_router, true);
    set_only!(c, "ZMQ_REQ_CORRELATE", Req, set_req_correlate, true);
    set_only!(c, "ZMQ_REQ_RELAXED", Req, set_req_relaxed, true);
    set_only!(c, "ZMQ_STREAM_NOTIFY", Stream, set_stream_notify, false);
    set_only!(c, "ZMQ_XPUB_VERBOSE", Xpub, set_xpub_verbose, true);
    set_only!(c, "ZMQ_XPUB_VERBOSER", Xpub, set_xpub_verboser, true);
    set_only!(c, "ZMQ_XPUB_NODROP", Pub, set_xpub_nodrop, true);
    set_only!(c, "ZMQ_XPUB_MANUAL", Xpub, set_xpub_manual, true);
    set_only!(
        c,
        "ZMQ_XPUB_WELCOME_MSG",
        Xpub,
        set_xpub_welcome_msg,
        b"welcome"
    );
    set_only!(c, "ZMQ_VMCI_BUFFER_SIZE", Pair, set_vmci_buffer_size, 65536, needs "vmci");
    set_only!(c, "ZMQ_VMCI_BUFFER_MIN_SIZE", Pair, set_vmci_buffer_min_size, 1024,
        needs "vmci");
    set_only!(c, "ZMQ_VMCI_BUFFER_MAX_SIZE", Pair, set_vmci_buffer_max_size, 1 << 20,
        needs "vmci");
    set_only!(c, "ZMQ_VMCI_CONNECT_TIMEOUT", Pair, set_vmci_connect_timeout, Some(ms(500)),
        needs "vmci");
    #[cfg(feature = "draft")]
    {
        set_only!(
            c,
            "ZMQ_XPUB_MANUAL_LAST_VALUE",
            Xpub,
            set_xpub_manual_last_value,
            true
        );
        set_only!(
            c,
            "ZMQ_ONLY_FIRST_SUBSCRIBE",
            Xsub,
            set_only_first_subscribe,
            true
        );
        set_only!(
            c,
            "ZMQ_XSUB_VERBOSE_UNSUBSCRIBE",
            Xsub,
            set_xsub_verbose_unsubscribe,
            true
        );
        set_only!(c, "ZMQ_HELLO_MSG", Dealer, set_hello_msg, b"hello");
        set_only!(c, "ZMQ_DISCONNECT_MSG", Router, set_disconnect_msg, b"gone");
        set_only!(c, "ZMQ_HICCUP_MSG", Dealer, set_hiccup_msg, b"hiccup");
        set_only!(c, "ZMQ_BUSY_POLL", Dealer, set_busy_poll, 50);
        set_only!(c, "ZMQ_METADATA", Dealer, set_metadata, "X-App:test");
        set_only!(c, "ZMQ_WSS_KEY_PEM", Dealer, set_wss_key_pem, "pem", needs "WSS");
        set_only!(c, "ZMQ_WSS_CERT_PEM", Dealer, set_wss_cert_pem, "pem", needs "WSS");
        set_only!(c, "ZMQ_WSS_TRUST_PEM", Dealer, set_wss_trust_pem, "pem", needs "WSS");
        set_only!(c, "ZMQ_WSS_HOSTNAME", Dealer, set_wss_hostname, "example.org", needs "WSS");
        set_only!(c, "ZMQ_WSS_TRUST_SYSTEM", Dealer, set_wss_trust_system, true, needs "WSS");
    }
    assert_covers(&c, "set-only", |o| o.set() && !o.get());
    run_cases(&c);
}

#[test]
fn every_get_only_option_reads() {
    let mut c = Vec::new();
    get_only!(c, "ZMQ_TYPE", |s: Router| s.socket_type()?
        == SocketType::Router);
    get_only!(c, "ZMQ_RCVMORE", |s: Dealer| !s.more()?);
    get_only!(c, "ZMQ_EVENTS", |s: Dealer| (s.events()?.bits() & !3) == 0);
    get_only!(c, "ZMQ_FD", |s: Dealer| s.fd()? >= 0);
    get_only!(c, "ZMQ_LAST_ENDPOINT", |s: Pull| {
        s.bind("inproc://sockopt-last-endpoint")?;
        s.last_endpoint()? == "inproc://sockopt-last-endpoint"
    });
    get_only!(c, "ZMQ_THREAD_SAFE", |s: Dealer| !s.thread_safe()?);
    get_only!(c, "ZMQ_MECHANISM", |s: Dealer| {
        let before = s.mechanism()?;
        s.set_plain_username("user")?;
        before == Mechanism::Null && s.mechanism()? == Mechanism::Plain
    });
    #[cfg(feature = "draft")]
    get_only!(c, "ZMQ_TOPICS_COUNT", |s: Sub| {
        s.set_subscribe(b"a")?;
        s.set_subscribe(b"b")?;
        s.topics_count()? == 2
    });
    assert_covers(&c, "get-only", |o| o.get() && !o.set());
    run_cases(&c);
}

/// libzmq's own answer to the direction the table leaves out: a raw
/// `zmq_getsockopt` of each set-only option and a raw `zmq_setsockopt` of
/// each get-only option fail with EINVAL, on every socket type.
#[test]
fn missing_directions_are_missing_in_libzmq_too() {
    let ctx = Context::new();
    let mut wrong = Vec::new();
    for &kind in SocketType::ALL {
        let socket = ctx.socket(kind).unwrap();
        for option in zmq::SOCKET_OPTIONS {
            if !option.get() {
                for len in [4usize, 8, 256] {
                    let mut buf = [0u8; 256];
                    let mut size = len;
                    // SAFETY: live socket; `buf` has room for `size` bytes.
                    let rc = unsafe {
                        zmq::sys::zmq_getsockopt(
                            socket.as_raw(),
                            option.number,
                            buf.as_mut_ptr().cast(),
                            &mut size,
                        )
                    };
                    // SAFETY: no preconditions; reads this thread's errno.
                    if rc == 0 || unsafe { zmq::sys::zmq_errno() } != libc::EINVAL {
                        wrong.push(format!("{} readable on {kind:?}", option.name));
                    }
                }
            }
            if !option.set() {
                let value = 1i32.to_ne_bytes();
                // SAFETY: live socket; libzmq reads at most 4 bytes.
                let rc = unsafe {
                    zmq::sys::zmq_setsockopt(
                        socket.as_raw(),
                        option.number,
                        value.as_ptr().cast(),
                        4,
                    )
                };
                // SAFETY: as above.
                if rc == 0 || unsafe { zmq::sys::zmq_errno() } != libc::EINVAL {
                    wrong.push(format!("{} writable on {kind:?}", option.name));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

// ---- the table against zmq.h ------------------------------------------------

#[cfg(feature = "draft")]
const BINDINGS: &str = include_str!("../zmq-sys/src/bindings/draft.rs");
#[cfg(not(feature = "draft"))]
const BINDINGS: &str = include_str!("../zmq-sys/src/bindings/stable.rs");

/// `ZMQ_*` constants that are socket options, but deprecated aliases or
/// superseded: deliberately not in the table (src/sockopt.rs says why).
const DEPRECATED_OPTIONS: &[&str] = &[
    "ZMQ_IDENTITY",                // = ZMQ_ROUTING_ID (5)
    "ZMQ_CONNECT_RID",             // = ZMQ_CONNECT_ROUTING_ID (61)
    "ZMQ_DELAY_ATTACH_ON_CONNECT", // = ZMQ_IMMEDIATE (39)
    "ZMQ_FAIL_UNROUTABLE",         // = ZMQ_ROUTER_MANDATORY (33)
    "ZMQ_ROUTER_BEHAVIOR",         // = ZMQ_ROUTER_MANDATORY (33)
    "ZMQ_IPV4ONLY",                // inverse of ZMQ_IPV6
    "ZMQ_TCP_ACCEPT_FILTER",       // use ZAP
    "ZMQ_IPC_FILTER_PID",          // use ZAP
    "ZMQ_IPC_FILTER_UID",          // use ZAP
    "ZMQ_IPC_FILTER_GID",          // use ZAP
];

/// Integer `ZMQ_*` constants that are not socket options at all.
const NOT_SOCKET_OPTIONS: &[&str] = &[
    // version and error numbering
    "ZMQ_VERSION_MAJOR",
    "ZMQ_VERSION_MINOR",
    "ZMQ_VERSION_PATCH",
    "ZMQ_DEFINED_STDINT",
    "ZMQ_HAUSNUMERO",
    // context options and their defaults (zmq_ctx_set)
    "ZMQ_IO_THREADS",
    "ZMQ_MAX_SOCKETS",
    "ZMQ_SOCKET_LIMIT",
    "ZMQ_THREAD_PRIORITY",
    "ZMQ_THREAD_SCHED_POLICY",
    "ZMQ_MAX_MSGSZ",
    "ZMQ_MSG_T_SIZE",
    "ZMQ_THREAD_AFFINITY_CPU_ADD",
    "ZMQ_THREAD_AFFINITY_CPU_REMOVE",
    "ZMQ_THREAD_NAME_PREFIX",
    "ZMQ_IO_THREADS_DFLT",
    "ZMQ_MAX_SOCKETS_DFLT",
    "ZMQ_THREAD_PRIORITY_DFLT",
    "ZMQ_THREAD_SCHED_POLICY_DFLT",
    "ZMQ_BLOCKY", // numbered among the socket options, but a context option
    "ZMQ_ZERO_COPY_RECV",
    // socket types (and the deprecated XREQ/XREP names)
    "ZMQ_PAIR",
    "ZMQ_PUB",
    "ZMQ_SUB",
    "ZMQ_REQ",
    "ZMQ_REP",
    "ZMQ_DEALER",
    "ZMQ_ROUTER",
    "ZMQ_PULL",
    "ZMQ_PUSH",
    "ZMQ_XPUB",
    "ZMQ_XSUB",
    "ZMQ_STREAM",
    "ZMQ_XREQ",
    "ZMQ_XREP",
    "ZMQ_SERVER",
    "ZMQ_CLIENT",
    "ZMQ_RADIO",
    "ZMQ_DISH",
    "ZMQ_GATHER",
    "ZMQ_SCATTER",
    "ZMQ_DGRAM",
    "ZMQ_PEER",
    "ZMQ_CHANNEL",
    // message properties (zmq_msg_get) and send/receive flags
    "ZMQ_MORE",
    "ZMQ_SHARED",
    "ZMQ_SRCFD",
    "ZMQ_DONTWAIT",
    "ZMQ_SNDMORE",
    "ZMQ_NOBLOCK",
    // values of options: mechanisms, GSSAPI name types, NORM modes, flags
    "ZMQ_NULL",
    "ZMQ_PLAIN",
    "ZMQ_CURVE",
    "ZMQ_GSSAPI",
    "ZMQ_GSSAPI_NT_HOSTBASED",
    "ZMQ_GSSAPI_NT_USER_NAME",
    "ZMQ_GSSAPI_NT_KRB5_PRINCIPAL",
    "ZMQ_NORM_FIXED",
    "ZMQ_NORM_CC",
    "ZMQ_NORM_CCL",
    "ZMQ_NORM_CCE",
    "ZMQ_NORM_CCE_ECNONLY",
    "ZMQ_RECONNECT_STOP_CONN_REFUSED",
    "ZMQ_RECONNECT_STOP_HANDSHAKE_FAILED",
    "ZMQ_RECONNECT_STOP_AFTER_DISCONNECT",
    "ZMQ_NOTIFY_CONNECT",
    "ZMQ_NOTIFY_DISCONNECT",
    // group names (zmq_join)
    "ZMQ_GROUP_MAX_LENGTH",
    // polling
    "ZMQ_POLLIN",
    "ZMQ_POLLOUT",
    "ZMQ_POLLERR",
    "ZMQ_POLLPRI",
    "ZMQ_POLLITEMS_DFLT",
    // capabilities and devices
    "ZMQ_HAS_CAPABILITIES",
    "ZMQ_STREAMER",
    "ZMQ_FORWARDER",
    "ZMQ_QUEUE",
    // socket monitor: event versions (events themselves are the ZMQ_EVENT_*
    // and protocol errors the ZMQ_PROTOCOL_ERROR_* families below)
    "ZMQ_CURRENT_EVENT_VERSION",
    "ZMQ_CURRENT_EVENT_VERSION_DRAFT",
];

/// Families of non-option constants: monitor events and protocol errors.
const NOT_SOCKET_OPTION_PREFIXES: &[&str] = &["ZMQ_EVENT_", "ZMQ_PROTOCOL_ERROR_"];

/// `(name, value)` of every integer `ZMQ_*` constant of the bindings in use.
fn zmq_int_constants() -> BTreeMap<&'static str, i64> {
    BINDINGS
        .lines()
        .filter_map(|line| {
            let rest = line.trim().strip_prefix("pub const ")?;
            let (name, rest) = rest.split_once(':')?;
            let value = rest
                .trim()
                .strip_prefix("i32 =")?
                .trim()
                .strip_suffix(';')?;
            name.starts_with("ZMQ_")
                .then(|| (name, value.trim().parse().ok()))
                .and_then(|(n, v)| Some((n, v?)))
        })
        .collect()
}

#[test]
fn table_covers_every_socket_option_of_zmq_h() {
    let constants = zmq_int_constants();
    assert!(
        constants.len() > 150,
        "bindings not parsed: {}",
        constants.len()
    );
    let table: BTreeMap<&str, &OptionInfo> =
        zmq::SOCKET_OPTIONS.iter().map(|o| (o.name, o)).collect();
    assert_eq!(
        table.len(),
        zmq::SOCKET_OPTIONS.len(),
        "an option twice in the table"
    );

    let mut missing = Vec::new();
    for (&name, &value) in &constants {
        if let Some(info) = table.get(name) {
            assert_eq!(
                i64::from(info.number),
                value,
                "{name}: number differs from zmq.h"
            );
        } else if !DEPRECATED_OPTIONS.contains(&name)
            && !NOT_SOCKET_OPTIONS.contains(&name)
            && !NOT_SOCKET_OPTION_PREFIXES
                .iter()
                .any(|p| name.starts_with(p))
        {
            missing.push(name);
        }
    }
    assert!(
        missing.is_empty(),
        "socket options of zmq.h missing from src/sockopt.rs: {missing:?}"
    );

    // The exclusion lists must not hide an option of the table, and (with the
    // DRAFT bindings, which have every constant) must not name ghosts.
    for name in DEPRECATED_OPTIONS.iter().chain(NOT_SOCKET_OPTIONS) {
        assert!(
            !table.contains_key(name),
            "{name} is both in the table and excluded"
        );
        if cfg!(feature = "draft") {
            assert!(constants.contains_key(name), "{name} is not in zmq.h");
        }
    }
    for info in zmq::SOCKET_OPTIONS {
        assert!(info.get() || info.set(), "{} has no direction", info.name);
        assert!(
            cfg!(feature = "draft") || !info.draft,
            "{} compiled in",
            info.name
        );
    }
    // Without the draft feature no DRAFT row is compiled in; with it, the
    // DRAFT rows are exactly the options absent from the stable header.
    let stable: BTreeSet<&str> = include_str!("../zmq-sys/src/bindings/stable.rs")
        .lines()
        .filter_map(|l| {
            l.trim()
                .strip_prefix("pub const ")?
                .split_once(':')
                .map(|(n, _)| n)
        })
        .collect();
    for info in zmq::SOCKET_OPTIONS {
        assert_eq!(
            info.draft,
            !stable.contains(info.name),
            "{}: draft flag",
            info.name
        );
    }
}

// ---- bad values --------------------------------------------------------------

#[test]
fn wrong_values_are_invalid_argument() {
    let ctx = Context::new();
    let dealer = ctx.socket(SocketType::Dealer).unwrap();
    let router = ctx.socket(SocketType::Router).unwrap();
    let invalid = |what: &str, r: zmq::Result<()>| {
        assert!(
            matches!(r, Err(ref e) if e.kind() == zmq::ErrorKind::InvalidArgument),
            "{what}: {r:?}"
        );
    };

    invalid("negative SNDHWM", dealer.set_sndhwm(-1));
    invalid("negative RCVHWM", dealer.set_rcvhwm(i32::MIN));
    invalid("negative BACKLOG", dealer.set_backlog(-3));
    invalid("negative TOS", dealer.set_tos(-1));
    invalid("SNDBUF below -1", dealer.set_sndbuf(Some(-2)));
    invalid(
        "negative TCP_KEEPALIVE_CNT",
        dealer.set_tcp_keepalive_cnt(Some(-5)),
    );
    invalid("zero RATE (libzmq)", dealer.set_rate(0));

    let too_long = Duration::from_millis(i32::MAX as u64 + 1);
    invalid("LINGER too long", dealer.set_linger(Some(too_long)));
    invalid(
        "RCVTIMEO Duration::MAX",
        dealer.set_rcvtimeo(Some(Duration::MAX)),
    );
    invalid(
        "HANDSHAKE_IVL too long",
        dealer.set_handshake_ivl(Some(too_long)),
    );
    invalid(
        "HEARTBEAT_TIMEOUT too long",
        dealer.set_heartbeat_timeout(too_long),
    );
    invalid("RECOVERY_IVL too long", dealer.set_recovery_ivl(too_long));
    invalid(
        "HEARTBEAT_TTL over 6553.5 s (libzmq)",
        dealer.set_heartbeat_ttl(Some(Duration::from_secs(7000))),
    );
    invalid(
        "TCP_KEEPALIVE_IDLE fraction",
        dealer.set_tcp_keepalive_idle(Some(Duration::from_millis(1500))),
    );
    invalid(
        "TCP_KEEPALIVE_INTVL too long",
        dealer.set_tcp_keepalive_intvl(Some(Duration::from_secs(1 << 40))),
    );

    invalid("256-byte ROUTING_ID", dealer.set_routing_id(&[b'x'; 256]));
    invalid("empty ROUTING_ID", dealer.set_routing_id(b""));
    invalid(
        "256-byte CONNECT_ROUTING_ID",
        router.set_connect_routing_id(&[b'x'; 256]),
    );
    invalid(
        "256-byte PLAIN_USERNAME (libzmq)",
        dealer.set_plain_username(&"u".repeat(256)),
    );
    invalid(
        "17-byte BINDTODEVICE (libzmq)",
        dealer.set_bindtodevice(&"d".repeat(17)),
    );
    #[cfg(feature = "draft")]
    {
        invalid(
            "METADATA without ':' (libzmq)",
            dealer.set_metadata("X-no-colon"),
        );
        invalid(
            "METADATA without X- (libzmq)",
            dealer.set_metadata("Key:value"),
        );
        invalid(
            "ROUTER_NOTIFY unknown bit (libzmq)",
            router.set_router_notify(RouterNotify::from_bits_retain(8)),
        );
        invalid("IN_BATCH_SIZE 0 (libzmq)", dealer.set_in_batch_size(0));
    }

    // Options of another socket type.
    invalid(
        "ROUTER_MANDATORY on DEALER",
        dealer.set_router_mandatory(true),
    );
    invalid("REQ_RELAXED on DEALER", dealer.set_req_relaxed(true));
    invalid(
        "SUBSCRIBE on PUB",
        ctx.socket(SocketType::Pub).unwrap().set_subscribe(b""),
    );
    invalid(
        "XPUB_VERBOSE on SUB",
        ctx.socket(SocketType::Sub).unwrap().set_xpub_verbose(true),
    );
    invalid("STREAM_NOTIFY on ROUTER", router.set_stream_notify(true));

    // NUL bytes in strings never reach C.
    assert!(matches!(
        dealer.set_socks_proxy("a\0b"),
        Err(ref e)
    if e.kind() == zmq::ErrorKind::NulByte
    ));

    // The sockets still work after all that.
    assert_eq!(dealer.sndhwm().unwrap(), 1000);
    assert_eq!(dealer.routing_id().unwrap(), b"");
    assert_eq!(dealer.linger().unwrap(), None);
}

#[test]
fn curve_keys_are_validated() {
    for len in [0, 1, 31, 33, 39, 41, 64] {
        assert!(
            matches!(CurveKey::new(&vec![b'a'; len]), Err(ref e) if e.kind() == zmq::ErrorKind::InvalidArgument),
            "{len} bytes"
        );
    }
    assert!(matches!(
        CurveKey::from_bytes(&[0; 31]),
        Err(ref e)
    if e.kind() == zmq::ErrorKind::InvalidArgument
    ));
    assert!(matches!(
        CurveKey::from_bytes(&[0; 40]),
        Err(ref e)
    if e.kind() == zmq::ErrorKind::InvalidArgument
    ));
    for bad in [
        "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf", // 39 characters
        "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7X", // 41 characters
        "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf\0", // NUL
        "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]y\"7", // '"' is not Z85
        "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yé", // 40 bytes, not ASCII
        "########################################", // 40 valid chars, overflow
    ] {
        assert!(
            matches!(CurveKey::from_z85(bad), Err(ref e) if e.kind() == zmq::ErrorKind::InvalidArgument),
            "{bad:?}"
        );
        assert!(bad.parse::<CurveKey>().is_err());
    }

    // libzmq's test vector: the public key of a secret key, via Z85.
    let public = CurveKey::from_z85("rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7").unwrap();
    let secret: CurveKey = "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6".parse().unwrap();
    if zmq::has("curve") {
        assert_eq!(CurveKey::public_from_secret(&secret).unwrap(), public);
        let (p, s) = CurveKey::generate_keypair().unwrap();
        assert_eq!(CurveKey::public_from_secret(&s).unwrap(), p);
    }
    assert_eq!(public.to_z85(), "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7");
    assert_eq!(CurveKey::new(public.to_z85().as_bytes()).unwrap(), public);
    assert_eq!(CurveKey::new(public.as_bytes()).unwrap(), public);
    assert_eq!(CurveKey::try_from(&public.as_bytes()[..]).unwrap(), public);

    // Debug shows no key material.
    assert_eq!(format!("{secret:?}"), "CurveKey(..)");
    assert_eq!(
        format!("{:#?}", Some(&public)),
        "Some(\n    CurveKey(..),\n)"
    );

    // Through a socket: set as key, read back the same 32 bytes.
    if zmq::has("curve") {
        let ctx = Context::new();
        let server = ctx.socket(SocketType::Router).unwrap();
        server.set_curve_server(true).unwrap();
        server.set_curve_secretkey(&secret).unwrap();
        assert_eq!(server.curve_secretkey().unwrap(), secret);
        assert_eq!(server.mechanism().unwrap(), Mechanism::Curve);
        assert!(server.curve_server().unwrap());
    }
}

#[test]
fn string_options_reset_with_empty_and_long_values_read_back() {
    let ctx = Context::new();
    let s = ctx.socket(SocketType::Dealer).unwrap();
    // SOCKS_PROXY has no length limit: longer than the getter's first buffer.
    let long = format!("{}:1080", "h".repeat(5000));
    s.set_socks_proxy(&long).unwrap();
    assert_eq!(s.socks_proxy().unwrap(), long);
    s.set_socks_proxy("").unwrap();
    assert_eq!(s.socks_proxy().unwrap(), "");
    // An empty PLAIN user name goes back to NULL security.
    s.set_plain_username("user").unwrap();
    assert_eq!(s.mechanism().unwrap(), Mechanism::Plain);
    s.set_plain_username("").unwrap();
    assert_eq!(s.mechanism().unwrap(), Mechanism::Null);
    // Optional values read back as None at libzmq's -1.
    assert_eq!(s.sndbuf().unwrap(), None);
    assert_eq!(s.tcp_keepalive().unwrap(), None);
    assert_eq!(s.heartbeat_timeout().unwrap(), None);
    assert_eq!(s.handshake_ivl().unwrap(), Some(Duration::from_secs(30)));
    assert_eq!(s.reconnect_ivl().unwrap(), Some(Duration::from_millis(100)));
}
