//! Micro-benchmarks of the thin layer over libzmq:
//! `cargo bench -p zmq-perf --bench micro`.
//! Message construction, one option get/set, and `poll` over 1 and 16
//! sockets (nothing ready, zero timeout: the cost of the call itself).

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use zmq::{Context, Message, PollEvents, PollItem, SocketType};

fn messages(c: &mut Criterion) {
    let mut g = c.benchmark_group("message");
    let small = [7u8; 16];
    let big = vec![7u8; 4096];
    g.bench_function("new", |b| b.iter(|| black_box(Message::new())));
    g.bench_function("copy_from 16 B", |b| {
        b.iter(|| black_box(Message::copy_from(black_box(&small))))
    });
    g.bench_function("copy_from 4 KiB", |b| {
        b.iter(|| black_box(Message::copy_from(black_box(&big))))
    });
    g.bench_function("with_size 4 KiB", |b| {
        b.iter(|| black_box(Message::with_size(4096)))
    });
    g.bench_function("from_fn 4 KiB", |b| {
        b.iter(|| black_box(Message::from_fn(4096, |buf| buf.copy_from_slice(&big))))
    });
    g.bench_function("from_writer 4 KiB", |b| {
        b.iter(|| {
            black_box(Message::from_writer(4096, |w| {
                w.put(&big);
            }))
        })
    });
    g.bench_function("from Vec 4 KiB (zero-copy)", |b| {
        b.iter_with_setup(|| big.clone(), |v| black_box(Message::from(v)))
    });
    g.bench_function("from Vec 16 B (copied)", |b| {
        b.iter_with_setup(|| small.to_vec(), |v| black_box(Message::from(v)))
    });
    g.bench_function("from_static 4 KiB", |b| {
        static DATA: [u8; 4096] = [7; 4096];
        b.iter(|| black_box(Message::from_static(&DATA)))
    });
    let msg = Message::copy_from(&big);
    g.bench_function("clone (shared)", |b| b.iter(|| black_box(msg.clone())));
    g.bench_function("len", |b| b.iter(|| black_box(black_box(&msg).len())));
    g.finish();
}

fn options(c: &mut Criterion) {
    let ctx = Context::new();
    let s = ctx.socket(SocketType::Dealer).unwrap();
    let mut g = c.benchmark_group("option");
    g.bench_function("get sndhwm", |b| b.iter(|| black_box(s.sndhwm().unwrap())));
    g.bench_function("set sndhwm", |b| {
        b.iter(|| s.set_sndhwm(black_box(1000)).unwrap())
    });
    g.bench_function("get linger", |b| b.iter(|| black_box(s.linger().unwrap())));
    g.bench_function("set linger", |b| {
        b.iter(|| {
            s.set_linger(black_box(Some(Duration::from_millis(5))))
                .unwrap()
        })
    });
    g.bench_function("get routing_id", |b| {
        b.iter(|| black_box(s.routing_id().unwrap()))
    });
    g.bench_function("set routing_id", |b| {
        b.iter(|| s.set_routing_id(black_box(&b"peer-1"[..])).unwrap())
    });
    g.finish();
}

fn polls(c: &mut Criterion) {
    let ctx = Context::new();
    let sockets: Vec<_> = (0..16)
        .map(|i| {
            let s = ctx.socket(SocketType::Pull).unwrap();
            s.bind(&format!("inproc://micro-poll-{i}")).unwrap();
            s
        })
        .collect();
    let mut g = c.benchmark_group("poll");
    for n in [1, 16] {
        g.bench_function(format!("{n} sockets, none ready"), |b| {
            let mut items: Vec<PollItem> = sockets[..n]
                .iter()
                .map(|s| PollItem::socket(s, PollEvents::POLLIN))
                .collect();
            b.iter(|| black_box(zmq::poll(&mut items, Some(Duration::ZERO)).unwrap()))
        });
    }
    g.finish();
}

criterion_group!(benches, messages, options, polls);
criterion_main!(benches);
