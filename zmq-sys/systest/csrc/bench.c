/* The C side of the throughput benchmark: the same work as the Rust side in
 * benches/throughput.rs, written against the very libzmq that zmq-sys links.
 * Sends `count` messages of `size` bytes from a PUSH to a PULL over
 * `endpoint` (high-water marks off, so one thread can send all, then receive
 * all) and returns the elapsed time in nanoseconds, or -1 on error. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

long long zmqbench_c_throughput(const char *endpoint, int count, size_t size) {
    void *ctx = zmq_ctx_new();
    void *pull = zmq_socket(ctx, ZMQ_PULL);
    void *push = zmq_socket(ctx, ZMQ_PUSH);
    int zero = 0;
    char last[256];
    size_t last_len = sizeof last;
    long long elapsed = -1;
    char *buf = calloc(1, size ? size : 1);
    zmq_msg_t msg;
    zmq_setsockopt(pull, ZMQ_RCVHWM, &zero, sizeof zero);
    zmq_setsockopt(push, ZMQ_SNDHWM, &zero, sizeof zero);
    zmq_setsockopt(push, ZMQ_LINGER, &zero, sizeof zero);
    if (zmq_bind(pull, endpoint) != 0) goto out;
    zmq_getsockopt(pull, ZMQ_LAST_ENDPOINT, last, &last_len);
    if (zmq_connect(push, last) != 0) goto out;
    /* One warm-up message so the connection is up before timing. */
    zmq_send(push, buf, size, 0);
    zmq_msg_init(&msg);
    zmq_msg_recv(&msg, pull, 0);
    long long start = now_ns();
    for (int i = 0; i < count; i++)
        if (zmq_send(push, buf, size, 0) < 0) goto close;
    for (int i = 0; i < count; i++)
        if (zmq_msg_recv(&msg, pull, 0) < 0) goto close;
    elapsed = now_ns() - start;
close:
    zmq_msg_close(&msg);
out:
    free(buf);
    zmq_close(push);
    zmq_close(pull);
    zmq_ctx_term(ctx);
    return elapsed;
}
