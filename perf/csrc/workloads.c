/* The C side of `compare`: the same workloads as perf/src/lib.rs, written
 * against the very zmq.h and libzmq that zmq-sys linked (this file is
 * compiled by perf/build.rs and linked into the same binary).
 *
 * Throughput: a PUSH sender thread and a PULL receiver (the calling
 * thread), timed at the receiver from the first message to the last, as
 * libzmq's local_thr does. Latency: a REP echo thread and a REQ timing
 * round trips, as local_lat/remote_lat do. Every call is checked; a failure
 * returns a negative value. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

typedef struct {
    void *ctx;
    const char *endpoint;
    size_t size;
    int count;
    const char *server_public; /* CURVE when not NULL (Z85) */
    const char *client_public;
    const char *client_secret;
    int c_shaped; /* zmq_msg_init_size + memcpy + zmq_msg_send + close */
    int failed;
    void *socket; /* the sender's, closed by the receiver once all arrived */
} peer_t;

static int curve_client (void *s, const peer_t *p)
{
    if (!p->server_public)
        return 0;
    if (zmq_setsockopt (s, ZMQ_CURVE_SERVERKEY, p->server_public, 40) != 0
        || zmq_setsockopt (s, ZMQ_CURVE_PUBLICKEY, p->client_public, 40) != 0
        || zmq_setsockopt (s, ZMQ_CURVE_SECRETKEY, p->client_secret, 40) != 0)
        return -1;
    return 0;
}

static int curve_server (void *s, const char *server_secret)
{
    int one = 1;
    if (!server_secret)
        return 0;
    if (zmq_setsockopt (s, ZMQ_CURVE_SERVER, &one, sizeof one) != 0
        || zmq_setsockopt (s, ZMQ_CURVE_SECRETKEY, server_secret, 40) != 0)
        return -1;
    return 0;
}

static void *thr_sender (void *arg)
{
    peer_t *p = (peer_t *) arg;
    void *s = zmq_socket (p->ctx, ZMQ_PUSH);
    char *buf = malloc (p->size ? p->size : 1);
    int i;
    if (!s || !buf || curve_client (s, p) != 0
        || zmq_connect (s, p->endpoint) != 0) {
        fprintf (stderr, "sender: %s\n", zmq_strerror (errno));
        p->failed = 1;
    } else {
        memset (buf, 'A', p->size);
        for (i = 0; i != p->count; i++) {
            if (p->c_shaped) {
                zmq_msg_t msg;
                int rc;
                if (zmq_msg_init_size (&msg, p->size) != 0) {
                    p->failed = 1;
                    break;
                }
                memcpy (zmq_msg_data (&msg), buf, p->size);
                rc = zmq_msg_send (&msg, s, 0);
                zmq_msg_close (&msg);
                if (rc < 0) {
                    p->failed = 1;
                    break;
                }
            } else if (zmq_send (s, buf, p->size, 0) < 0) {
                fprintf (stderr, "sender: zmq_send: %s\n", zmq_strerror (errno));
                p->failed = 1;
                break;
            }
        }
    }
    free (buf);
    /* Closed by the receiving side after the last message arrived: over
     * ipc, libzmq 4.3.5 was seen to drop the tail of the stream when the
     * sender closes right after its last send (in C as in Rust). */
    p->socket = s;
    return NULL;
}

static void *lat_echo (void *arg)
{
    peer_t *p = (peer_t *) arg;
    void *s = zmq_socket (p->ctx, ZMQ_REP);
    zmq_msg_t msg;
    int i;
    zmq_msg_init (&msg);
    if (!s || curve_client (s, p) != 0 || zmq_connect (s, p->endpoint) != 0) {
        p->failed = 1;
    } else {
        for (i = 0; i != p->count; i++) {
            if (zmq_msg_recv (&msg, s, 0) < 0
                || zmq_msg_send (&msg, s, 0) < 0) {
                p->failed = 1;
                break;
            }
        }
    }
    zmq_msg_close (&msg);
    p->socket = s; /* closed by the timing side, as thr_sender's */
    return NULL;
}

/* Binds `s` to `endpoint`, writing the resolved endpoint into `out`. */
static int bind_resolved (void *s, const char *endpoint, char *out,
                          size_t out_len)
{
    if (zmq_bind (s, endpoint) != 0)
        return -1;
    return zmq_getsockopt (s, ZMQ_LAST_ENDPOINT, out, &out_len);
}

/* How long a receiver waits for the next message before it gives up. */
static const int stall_ms = 3000;

/* Messages per second received; < 0 on failure. */
double zmqperf_c_thr (const char *endpoint, size_t size, int count,
                      const char *server_secret, const char *server_public,
                      const char *client_public, const char *client_secret,
                      int c_shaped)
{
    char resolved[256];
    void *ctx = zmq_ctx_new ();
    void *s = zmq_socket (ctx, ZMQ_PULL);
    peer_t p = {ctx,           resolved,      size,          count,
                server_public, client_public, client_secret, c_shaped, 0, NULL};
    pthread_t sender;
    zmq_msg_t msg;
    void *watch;
    unsigned long elapsed;
    int i, ok = 1;

    zmq_msg_init (&msg);
    if (!s || curve_server (s, server_secret) != 0
        || bind_resolved (s, endpoint, resolved, sizeof resolved) != 0
        || pthread_create (&sender, NULL, thr_sender, &p) != 0) {
        zmq_msg_close (&msg);
        if (s)
            zmq_close (s);
        zmq_ctx_term (ctx);
        return -1;
    }
    if (zmq_msg_recv (&msg, s, 0) < 0 || zmq_msg_size (&msg) != size)
        ok = 0;
    /* A run that stalls fails instead of hanging (see compare's retries). */
    zmq_setsockopt (s, ZMQ_RCVTIMEO, &stall_ms, sizeof stall_ms);
    watch = zmq_stopwatch_start ();
    for (i = 1; ok && i < count; i++) {
        if (zmq_msg_recv (&msg, s, 0) < 0 || zmq_msg_size (&msg) != size)
            ok = 0;
    }
    if (!ok)
        fprintf (stderr, "C receiver: stopped after %d of %d messages: %s\n",
                 i, count, zmq_strerror (errno));
    elapsed = zmq_stopwatch_stop (watch);
    if (elapsed == 0)
        elapsed = 1;
    pthread_join (sender, NULL);
    if (p.socket)
        zmq_close (p.socket);
    zmq_msg_close (&msg);
    zmq_close (s);
    zmq_ctx_term (ctx);
    if (!ok || p.failed)
        return -1;
    return (double) (count - 1) / (double) elapsed * 1000000.0;
}

/* Mean one-way latency in microseconds (round trip / 2); < 0 on failure. */
double zmqperf_c_lat (const char *endpoint, size_t size, int roundtrips,
                      const char *server_secret, const char *server_public,
                      const char *client_public, const char *client_secret,
                      int c_shaped)
{
    char resolved[256];
    void *ctx = zmq_ctx_new ();
    void *s = zmq_socket (ctx, ZMQ_REQ);
    peer_t p = {ctx,           resolved,      size,          roundtrips,
                server_public, client_public, client_secret, c_shaped, 0, NULL};
    pthread_t echo;
    zmq_msg_t msg;
    char *buf = malloc (size ? size : 1);
    void *watch;
    unsigned long elapsed;
    int i, ok = 1;

    zmq_msg_init (&msg);
    if (!s || !buf || curve_server (s, server_secret) != 0
        || bind_resolved (s, endpoint, resolved, sizeof resolved) != 0
        || pthread_create (&echo, NULL, lat_echo, &p) != 0) {
        free (buf);
        zmq_msg_close (&msg);
        if (s)
            zmq_close (s);
        zmq_ctx_term (ctx);
        return -1;
    }
    memset (buf, 'A', size);
    zmq_setsockopt (s, ZMQ_RCVTIMEO, &stall_ms, sizeof stall_ms);
    /* The first round trip waits for the connection (and handshake). */
    if (zmq_send (s, buf, size, 0) < 0 || zmq_msg_recv (&msg, s, 0) < 0)
        ok = 0;
    watch = zmq_stopwatch_start ();
    for (i = 1; ok && i < roundtrips; i++) {
        if (zmq_send (s, buf, size, 0) < 0 || zmq_msg_recv (&msg, s, 0) < 0
            || zmq_msg_size (&msg) != size)
            ok = 0;
    }
    elapsed = zmq_stopwatch_stop (watch);
    pthread_join (echo, NULL);
    if (p.socket)
        zmq_close (p.socket);
    free (buf);
    zmq_msg_close (&msg);
    zmq_close (s);
    zmq_ctx_term (ctx);
    if (!ok || p.failed || roundtrips < 2)
        return -1;
    return (double) elapsed / ((double) (roundtrips - 1) * 2.0);
}
