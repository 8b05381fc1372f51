//! Every socket option set from arbitrary bytes, on a socket of a type the
//! input picks (like libzmq's `test_socket_options_fuzzer`, through the typed
//! setters): no input panics, a refused value is an `Err`, and every getter
//! works afterwards. The option list is the table of src/sockopt.rs (one
//! setter call per row with a setter, one getter call per row with a getter).
#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use zmq::{
    Context, CurveKey, GssapiNameType, NormMode, ReconnectStop, RouterNotify, Socket, SocketType,
};

/// Typed values cut from the input, wrapping around it.
struct Data<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Data<'_> {
    fn take<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        if !self.bytes.is_empty() {
            for b in out.iter_mut() {
                *b = self.bytes[self.at % self.bytes.len()];
                self.at += 1;
            }
        }
        out
    }
    fn i32(&mut self) -> i32 {
        i32::from_le_bytes(self.take())
    }
    fn i64(&mut self) -> i64 {
        i64::from_le_bytes(self.take())
    }
    fn u64(&mut self) -> u64 {
        u64::from_le_bytes(self.take())
    }
    fn bool(&mut self) -> bool {
        self.take::<1>()[0] & 1 == 1
    }
    fn opt_i32(&mut self) -> Option<i32> {
        self.bool().then(|| self.i32())
    }
    fn opt_bool(&mut self) -> Option<bool> {
        self.bool().then(|| self.bool())
    }
    fn duration(&mut self) -> Duration {
        Duration::new(self.u64(), u32::from_le_bytes(self.take()) % 1_000_000_000)
    }
    fn opt_duration(&mut self) -> Option<Duration> {
        self.bool().then(|| self.duration())
    }
    /// The whole input: byte strings are taken as they came.
    fn bytes(&self) -> &[u8] {
        self.bytes
    }
    fn string(&self) -> String {
        String::from_utf8_lossy(self.bytes).into_owned()
    }
    fn key(&self) -> Option<CurveKey> {
        CurveKey::new(self.bytes).ok()
    }
}

fn set_every_option(socket: &Socket, d: &mut Data<'_>) {
    let _ = socket.set_linger(d.opt_duration());
    let _ = socket.set_sndhwm(d.i32());
    let _ = socket.set_rcvhwm(d.i32());
    let _ = socket.set_rcvtimeo(d.opt_duration());
    let _ = socket.set_sndtimeo(d.opt_duration());
    let _ = socket.set_maxmsgsize(d.i64());
    let _ = socket.set_affinity(d.u64());
    let _ = socket.set_immediate(d.bool());
    let _ = socket.set_conflate(d.bool());
    let _ = socket.set_backlog(d.i32());
    let _ = socket.set_sndbuf(d.opt_i32());
    let _ = socket.set_rcvbuf(d.opt_i32());
    let _ = socket.set_in_batch_size(d.i32());
    let _ = socket.set_out_batch_size(d.i32());
    let _ = socket.set_routing_id(d.bytes());
    let _ = socket.set_connect_routing_id(d.bytes());
    let _ = socket.set_router_mandatory(d.bool());
    let _ = socket.set_router_handover(d.bool());
    let _ = socket.set_router_raw(d.bool());
    let _ = socket.set_probe_router(d.bool());
    let _ = socket.set_router_notify(RouterNotify::from_bits_retain(d.i32()));
    let _ = socket.set_req_correlate(d.bool());
    let _ = socket.set_req_relaxed(d.bool());
    let _ = socket.set_stream_notify(d.bool());
    let _ = socket.set_subscribe(d.bytes());
    let _ = socket.set_unsubscribe(d.bytes());
    let _ = socket.set_xpub_verbose(d.bool());
    let _ = socket.set_xpub_verboser(d.bool());
    let _ = socket.set_xpub_nodrop(d.bool());
    let _ = socket.set_xpub_manual(d.bool());
    let _ = socket.set_xpub_manual_last_value(d.bool());
    let _ = socket.set_xpub_welcome_msg(d.bytes());
    let _ = socket.set_only_first_subscribe(d.bool());
    let _ = socket.set_xsub_verbose_unsubscribe(d.bool());
    let _ = socket.set_invert_matching(d.bool());
    let _ = socket.set_reconnect_ivl(d.opt_duration());
    let _ = socket.set_reconnect_ivl_max(d.opt_duration());
    let _ = socket.set_reconnect_stop(ReconnectStop::from_bits_retain(d.i32()));
    let _ = socket.set_connect_timeout(d.opt_duration());
    let _ = socket.set_handshake_ivl(d.opt_duration());
    let _ = socket.set_heartbeat_ivl(d.opt_duration());
    let _ = socket.set_heartbeat_ttl(d.opt_duration());
    let _ = socket.set_heartbeat_timeout(d.duration());
    let _ = socket.set_use_fd(d.opt_i32());
    let _ = socket.set_hello_msg(d.bytes());
    let _ = socket.set_disconnect_msg(d.bytes());
    let _ = socket.set_hiccup_msg(d.bytes());
    let _ = socket.set_ipv6(d.bool());
    let _ = socket.set_tcp_keepalive(d.opt_bool());
    let _ = socket.set_tcp_keepalive_cnt(d.opt_i32());
    let _ = socket.set_tcp_keepalive_idle(d.opt_duration());
    let _ = socket.set_tcp_keepalive_intvl(d.opt_duration());
    let _ = socket.set_tcp_maxrt(d.opt_duration());
    let _ = socket.set_tos(d.i32());
    let _ = socket.set_priority(d.i32());
    let _ = socket.set_bindtodevice(&d.string());
    let _ = socket.set_socks_proxy(&d.string());
    let _ = socket.set_socks_username(&d.string());
    let _ = socket.set_socks_password(&d.string());
    let _ = socket.set_loopback_fastpath(d.bool());
    let _ = socket.set_busy_poll(d.i32());
    let _ = socket.set_rate(d.i32());
    let _ = socket.set_recovery_ivl(d.duration());
    let _ = socket.set_multicast_hops(d.i32());
    let _ = socket.set_multicast_maxtpdu(d.i32());
    let _ = socket.set_multicast_loop(d.bool());
    let _ = socket.set_norm_mode(NormMode::from_raw(d.i32()).unwrap_or(NormMode::Fixed));
    let _ = socket.set_norm_unicast_nack(d.bool());
    let _ = socket.set_norm_buffer_size(d.i32());
    let _ = socket.set_norm_segment_size(d.i32());
    let _ = socket.set_norm_block_size(d.i32());
    let _ = socket.set_norm_num_parity(d.i32());
    let _ = socket.set_norm_num_autoparity(d.i32());
    let _ = socket.set_norm_push(d.bool());
    let _ = socket.set_vmci_buffer_size(d.u64());
    let _ = socket.set_vmci_buffer_min_size(d.u64());
    let _ = socket.set_vmci_buffer_max_size(d.u64());
    let _ = socket.set_vmci_connect_timeout(d.opt_duration());
    let _ = socket.set_zap_domain(&d.string());
    let _ = socket.set_zap_enforce_domain(d.bool());
    let _ = socket.set_metadata(&d.string());
    let _ = socket.set_plain_server(d.bool());
    let _ = socket.set_plain_username(&d.string());
    let _ = socket.set_plain_password(&d.string());
    let _ = socket.set_curve_server(d.bool());
    if let Some(key) = d.key() {
        let _ = socket.set_curve_publickey(&key);
    }
    if let Some(key) = d.key() {
        let _ = socket.set_curve_secretkey(&key);
    }
    if let Some(key) = d.key() {
        let _ = socket.set_curve_serverkey(&key);
    }
    let _ = socket.set_gssapi_server(d.bool());
    let _ = socket.set_gssapi_principal(&d.string());
    let _ = socket.set_gssapi_service_principal(&d.string());
    let _ = socket.set_gssapi_plaintext(d.bool());
    let _ = socket.set_gssapi_principal_nametype(
        GssapiNameType::from_raw(d.i32()).unwrap_or(GssapiNameType::HostBased),
    );
    let _ = socket.set_gssapi_service_principal_nametype(
        GssapiNameType::from_raw(d.i32()).unwrap_or(GssapiNameType::HostBased),
    );
    let _ = socket.set_wss_key_pem(&d.string());
    let _ = socket.set_wss_cert_pem(&d.string());
    let _ = socket.set_wss_trust_pem(&d.string());
    let _ = socket.set_wss_hostname(&d.string());
    let _ = socket.set_wss_trust_system(d.bool());
}

fn get_every_option(socket: &Socket) {
    let _ = socket.socket_type();
    let _ = socket.more();
    let _ = socket.events();
    let _ = socket.fd();
    let _ = socket.last_endpoint();
    let _ = socket.thread_safe();
    let _ = socket.mechanism();
    let _ = socket.topics_count();
    let _ = socket.linger();
    let _ = socket.sndhwm();
    let _ = socket.rcvhwm();
    let _ = socket.rcvtimeo();
    let _ = socket.sndtimeo();
    let _ = socket.maxmsgsize();
    let _ = socket.affinity();
    let _ = socket.immediate();
    let _ = socket.conflate();
    let _ = socket.backlog();
    let _ = socket.sndbuf();
    let _ = socket.rcvbuf();
    let _ = socket.in_batch_size();
    let _ = socket.out_batch_size();
    let _ = socket.routing_id();
    let _ = socket.router_notify();
    let _ = socket.invert_matching();
    let _ = socket.reconnect_ivl();
    let _ = socket.reconnect_ivl_max();
    let _ = socket.reconnect_stop();
    let _ = socket.connect_timeout();
    let _ = socket.handshake_ivl();
    let _ = socket.heartbeat_ivl();
    let _ = socket.heartbeat_ttl();
    let _ = socket.heartbeat_timeout();
    let _ = socket.use_fd();
    let _ = socket.ipv6();
    let _ = socket.tcp_keepalive();
    let _ = socket.tcp_keepalive_cnt();
    let _ = socket.tcp_keepalive_idle();
    let _ = socket.tcp_keepalive_intvl();
    let _ = socket.tcp_maxrt();
    let _ = socket.tos();
    let _ = socket.priority();
    let _ = socket.bindtodevice();
    let _ = socket.socks_proxy();
    let _ = socket.socks_username();
    let _ = socket.socks_password();
    let _ = socket.loopback_fastpath();
    let _ = socket.rate();
    let _ = socket.recovery_ivl();
    let _ = socket.multicast_hops();
    let _ = socket.multicast_maxtpdu();
    let _ = socket.multicast_loop();
    let _ = socket.norm_mode();
    let _ = socket.norm_unicast_nack();
    let _ = socket.norm_buffer_size();
    let _ = socket.norm_segment_size();
    let _ = socket.norm_block_size();
    let _ = socket.norm_num_parity();
    let _ = socket.norm_num_autoparity();
    let _ = socket.norm_push();
    let _ = socket.zap_domain();
    let _ = socket.zap_enforce_domain();
    let _ = socket.plain_server();
    let _ = socket.plain_username();
    let _ = socket.plain_password();
    let _ = socket.curve_server();
    let _ = socket.curve_publickey();
    let _ = socket.curve_secretkey();
    let _ = socket.curve_serverkey();
    let _ = socket.gssapi_server();
    let _ = socket.gssapi_principal();
    let _ = socket.gssapi_service_principal();
    let _ = socket.gssapi_plaintext();
    let _ = socket.gssapi_principal_nametype();
    let _ = socket.gssapi_service_principal_nametype();
}

/// One context for the whole run (a context per input would spend the time
/// starting and stopping its I/O thread).
static CTX: std::sync::OnceLock<Context> = std::sync::OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let ctx = CTX.get_or_init(Context::new);
    let kind = SocketType::ALL[pick as usize % SocketType::ALL.len()];
    let Ok(socket) = ctx.socket(kind) else {
        return;
    };
    let mut d = Data { bytes: rest, at: 0 };
    set_every_option(&socket, &mut d);
    get_every_option(&socket);
    // Whatever was set, the socket closes and the context ends.
    let _ = socket.set_linger(Some(Duration::ZERO));
});
