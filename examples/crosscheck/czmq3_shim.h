/*  czmq3_shim.h - the czmq v3 calls the zguide's chapter 4 C examples use
 *  (zctx_*, zsocket_*), on top of the czmq 4 that distributions ship.
 *  Forced into every C file by examples/crosscheck/run.sh (cc -include).
 *  Written for this repository; no code of the guide or of czmq is here.
 *
 *  czmq 4 still has zmsg, zframe, zlist, zhash, zclock (zclock_log too)
 *  and zctx_interrupted, and its zmsg_send/zmsg_recv take raw libzmq
 *  sockets; what it dropped is the v3 context object that owned the
 *  sockets. Here a zctx_t is a libzmq context plus the list of its sockets,
 *  closed with linger 0 when the context is destroyed, as v3 did. */
#ifndef CZMQ3_SHIM_H_INCLUDED
#define CZMQ3_SHIM_H_INCLUDED

#include <czmq.h>
#include <stdarg.h>

typedef struct {
    void *context;
    zlist_t *sockets;
} zctx_t;

static inline zctx_t *
zctx_new (void)
{
    zsys_init ();       /* installs the SIGINT handler behind zctx_interrupted */
    zctx_t *self = (zctx_t *) zmalloc (sizeof (zctx_t));
    self->context = zmq_ctx_new ();
    self->sockets = zlist_new ();
    return self;
}

static inline void
zctx_destroy (zctx_t **self_p)
{
    if (self_p && *self_p) {
        zctx_t *self = *self_p;
        void *socket;
        while ((socket = zlist_pop (self->sockets))) {
            int linger = 0;
            zmq_setsockopt (socket, ZMQ_LINGER, &linger, sizeof linger);
            zmq_close (socket);
        }
        zlist_destroy (&self->sockets);
        zmq_ctx_term (self->context);
        free (self);
        *self_p = NULL;
    }
}

static inline void *
zsocket_new (zctx_t *self, int type)
{
    void *socket = zmq_socket (self->context, type);
    if (socket)
        zlist_append (self->sockets, socket);
    return socket;
}

static inline void
zsocket_destroy (zctx_t *self, void *socket)
{
    int linger = 0;
    zlist_remove (self->sockets, socket);
    zmq_setsockopt (socket, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close (socket);
}

/*  zsocket_bind and zsocket_connect take a printf format, as in v3 */
#define ZSOCKET_ENDPOINT(endpoint, format) \
    char endpoint [256]; \
    va_list args; \
    va_start (args, format); \
    vsnprintf (endpoint, sizeof endpoint, format, args); \
    va_end (args)

static inline int
zsocket_bind (void *socket, const char *format, ...)
{
    ZSOCKET_ENDPOINT (endpoint, format);
    return zmq_bind (socket, endpoint);
}

static inline int
zsocket_connect (void *socket, const char *format, ...)
{
    ZSOCKET_ENDPOINT (endpoint, format);
    return zmq_connect (socket, endpoint);
}

/*  the one socket option setter the Binary Star server uses */
static inline void
zsocket_set_subscribe (void *socket, const char *subscribe)
{
    zmq_setsockopt (socket, ZMQ_SUBSCRIBE, subscribe, strlen (subscribe));
}

#endif
