/* The C peer of the interop suite: one libzmq socket driven by line commands
 * on stdin, one answer line per command on stdout, the same protocol as the
 * pyzmq peer (tests/py/peer.py; docs/INTEROP.md has it in full).
 *
 * Built by the suite twice, against the system's libzmq (Debian's 4.3.4):
 *   cc peer.c -o peer -lzmq                       the plain libzmq peer
 *   cc -DWITH_CZMQ peer.c -o peer-czmq -lczmq -lzmq   adds czmq's zauth and zcert
 *
 * Bytes travel as tokens "x<hex>" ("x" alone is an empty frame). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>
#ifdef WITH_CZMQ
#include <czmq.h>
#endif

#define MAX_WORDS 64
#define MAX_LINE (1 << 20)

static void *ctx;
static void *sock;
static zmq_msg_t last; /* first frame of the last message received */
static int have_last;
#ifdef WITH_CZMQ
static zactor_t *auth;
#endif

static void answer(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

static int fail(const char *what)
{
    answer("err %s: %s", what, zmq_strerror(zmq_errno()));
    return -1;
}

static void print_token(const unsigned char *data, size_t len)
{
    putchar('x');
    for (size_t i = 0; i < len; i++)
        printf("%02x", data[i]);
}

/* Decodes token `t` into a malloc'ed buffer; -1 when it is not a token. */
static long untoken(const char *t, unsigned char **out)
{
    size_t n = strlen(t);
    if (t[0] != 'x' || (n - 1) % 2 != 0)
        return -1;
    *out = malloc(n / 2 + 1);
    for (size_t i = 0; i < (n - 1) / 2; i++) {
        unsigned int byte;
        if (sscanf(t + 1 + 2 * i, "%2x", &byte) != 1) {
            free(*out);
            return -1;
        }
        (*out)[i] = (unsigned char) byte;
    }
    return (long) ((n - 1) / 2);
}

static const struct {
    const char *name;
    int type;
} TYPES[] = {
    {"REQ", ZMQ_REQ},       {"REP", ZMQ_REP},       {"PUB", ZMQ_PUB},
    {"SUB", ZMQ_SUB},       {"XPUB", ZMQ_XPUB},     {"XSUB", ZMQ_XSUB},
    {"PUSH", ZMQ_PUSH},     {"PULL", ZMQ_PULL},     {"ROUTER", ZMQ_ROUTER},
    {"DEALER", ZMQ_DEALER}, {"PAIR", ZMQ_PAIR},
};

static const struct {
    const char *name;
    int option;
    int is_int;
} OPTIONS[] = {
    {"linger", ZMQ_LINGER, 1},
    {"sndhwm", ZMQ_SNDHWM, 1},
    {"rcvhwm", ZMQ_RCVHWM, 1},
    {"plain_server", ZMQ_PLAIN_SERVER, 1},
    {"curve_server", ZMQ_CURVE_SERVER, 1},
    {"xpub_verbose", ZMQ_XPUB_VERBOSE, 1},
    {"router_mandatory", ZMQ_ROUTER_MANDATORY, 1},
    {"routing_id", ZMQ_ROUTING_ID, 0},
    {"subscribe", ZMQ_SUBSCRIBE, 0},
    {"unsubscribe", ZMQ_UNSUBSCRIBE, 0},
    {"plain_username", ZMQ_PLAIN_USERNAME, 0},
    {"plain_password", ZMQ_PLAIN_PASSWORD, 0},
    {"curve_publickey", ZMQ_CURVE_PUBLICKEY, 0},
    {"curve_secretkey", ZMQ_CURVE_SECRETKEY, 0},
    {"curve_serverkey", ZMQ_CURVE_SERVERKEY, 0},
    {"zap_domain", ZMQ_ZAP_DOMAIN, 0},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Receives one multipart message; keeps its first frame in `last`; prints
 * it as "msg TOKEN..." when `print` is set. */
static int recv_message(int print)
{
    if (have_last)
        zmq_msg_close(&last);
    have_last = 0;
    if (print)
        printf("msg");
    int first = 1, more = 1;
    while (more) {
        zmq_msg_t frame;
        zmq_msg_init(&frame);
        if (zmq_msg_recv(&frame, sock, 0) < 0) {
            zmq_msg_close(&frame);
            if (print)
                putchar('\n');
            return fail("recv");
        }
        more = zmq_msg_more(&frame);
        if (print) {
            putchar(' ');
            print_token(zmq_msg_data(&frame), zmq_msg_size(&frame));
        }
        if (first) {
            last = frame;
            have_last = 1;
            first = 0;
        } else {
            zmq_msg_close(&frame);
        }
    }
    if (print) {
        putchar('\n');
        fflush(stdout);
    }
    return 0;
}

/* Receives one frame into a fresh message (the caller closes it). */
static int recv_frame(zmq_msg_t *msg)
{
    zmq_msg_init(msg);
    if (zmq_msg_recv(msg, sock, 0) < 0) {
        zmq_msg_close(msg);
        return fail("recv");
    }
    return 0;
}

static unsigned char *pattern(size_t n)
{
    unsigned char *data = malloc(n ? n : 1);
    for (size_t i = 0; i < n; i++)
        data[i] = (unsigned char) (i % 251);
    return data;
}

static int run(int argc, char **argv)
{
    const char *cmd = argv[0];
    if (!strcmp(cmd, "socket") && argc == 2) {
        for (size_t i = 0; i < COUNT(TYPES); i++) {
            if (!strcmp(argv[1], TYPES[i].name)) {
                sock = zmq_socket(ctx, TYPES[i].type);
                if (!sock)
                    return fail("socket");
                int linger = 1000;
                zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof linger);
                answer("ok");
                return 0;
            }
        }
        answer("err unknown socket type %s", argv[1]);
        return -1;
    }
    if (!strcmp(cmd, "set") && argc == 3) {
        for (size_t i = 0; i < COUNT(OPTIONS); i++) {
            if (strcmp(argv[1], OPTIONS[i].name))
                continue;
            int rc;
            if (OPTIONS[i].is_int) {
                int value = atoi(argv[2]);
                rc = zmq_setsockopt(sock, OPTIONS[i].option, &value, sizeof value);
            } else {
                unsigned char *value;
                long len = untoken(argv[2], &value);
                if (len < 0) {
                    answer("err not a token: %s", argv[2]);
                    return -1;
                }
                rc = zmq_setsockopt(sock, OPTIONS[i].option, value, (size_t) len);
                free(value);
            }
            if (rc != 0)
                return fail("setsockopt");
            answer("ok");
            return 0;
        }
        answer("err unknown option %s", argv[1]);
        return -1;
    }
    if (!strcmp(cmd, "bind") && argc == 2) {
        if (zmq_bind(sock, argv[1]) != 0)
            return fail("bind");
        char endpoint[256];
        size_t len = sizeof endpoint;
        zmq_getsockopt(sock, ZMQ_LAST_ENDPOINT, endpoint, &len);
        answer("ok %s", endpoint);
        return 0;
    }
    if (!strcmp(cmd, "connect") && argc == 2) {
        if (zmq_connect(sock, argv[1]) != 0)
            return fail("connect");
        answer("ok");
        return 0;
    }
    if (!strcmp(cmd, "send") && argc >= 2) {
        for (int i = 1; i < argc; i++) {
            unsigned char *data;
            long len = untoken(argv[i], &data);
            if (len < 0) {
                answer("err not a token: %s", argv[i]);
                return -1;
            }
            int rc = zmq_send(sock, data, (size_t) len, i + 1 < argc ? ZMQ_SNDMORE : 0);
            free(data);
            if (rc < 0)
                return fail("send");
        }
        answer("ok");
        return 0;
    }
    if (!strcmp(cmd, "recv") && argc == 1)
        return recv_message(1);
    if (!strcmp(cmd, "meta") && argc == 2) {
        if (!have_last) {
            answer("err no message yet");
            return -1;
        }
        const char *value = zmq_msg_gets(&last, argv[1]);
        if (!value) {
            answer("ok none");
        } else {
            printf("ok ");
            print_token((const unsigned char *) value, strlen(value));
            answer("");
        }
        return 0;
    }
    if (!strcmp(cmd, "sendseq") && argc == 2) {
        long n = atol(argv[1]);
        for (long i = 0; i < n; i++) {
            char body[24];
            int len = snprintf(body, sizeof body, "%ld", i);
            if (zmq_send(sock, body, (size_t) len, 0) < 0)
                return fail("send");
        }
        answer("ok %ld", n);
        return 0;
    }
    if (!strcmp(cmd, "recvseq") && argc == 2) {
        long n = atol(argv[1]);
        for (long i = 0; i < n; i++) {
            zmq_msg_t msg;
            if (recv_frame(&msg) < 0)
                return -1;
            char want[24];
            int len = snprintf(want, sizeof want, "%ld", i);
            int same = zmq_msg_size(&msg) == (size_t) len
                       && !memcmp(zmq_msg_data(&msg), want, (size_t) len);
            if (!same) {
                printf("err message %ld is ", i);
                print_token(zmq_msg_data(&msg), zmq_msg_size(&msg));
                answer("");
                zmq_msg_close(&msg);
                return -1;
            }
            zmq_msg_close(&msg);
        }
        answer("ok %ld", n);
        return 0;
    }
    if (!strcmp(cmd, "sendbig") && argc == 2) {
        size_t n = (size_t) atol(argv[1]);
        unsigned char *data = pattern(n);
        int rc = zmq_send(sock, data, n, 0);
        free(data);
        if (rc < 0)
            return fail("send");
        answer("ok %zu", n);
        return 0;
    }
    if (!strcmp(cmd, "recvbig") && argc == 1) {
        zmq_msg_t msg;
        if (recv_frame(&msg) < 0)
            return -1;
        size_t n = zmq_msg_size(&msg);
        unsigned char *want = pattern(n);
        int same = !memcmp(zmq_msg_data(&msg), want, n);
        free(want);
        zmq_msg_close(&msg);
        if (same)
            answer("ok %zu", n);
        else
            answer("err %zu bytes without the pattern", n);
        return same ? 0 : -1;
    }
    if (!strcmp(cmd, "recvloop") && argc == 1) {
        while (recv_message(1) == 0)
            ;
        return -1;
    }
    if (!strcmp(cmd, "echo") && argc == 1) {
        for (;;) {
            int more = 1;
            while (more) {
                zmq_msg_t frame;
                if (recv_frame(&frame) < 0)
                    return -1;
                more = zmq_msg_more(&frame);
                if (zmq_msg_send(&frame, sock, more ? ZMQ_SNDMORE : 0) < 0) {
                    zmq_msg_close(&frame);
                    return fail("send");
                }
            }
        }
    }
    if (!strcmp(cmd, "version") && argc == 1) {
        int major, minor, patch;
        zmq_version(&major, &minor, &patch);
#ifdef WITH_CZMQ
        answer("ok czmq-%d.%d.%d %d.%d.%d %d", CZMQ_VERSION_MAJOR, CZMQ_VERSION_MINOR,
               CZMQ_VERSION_PATCH, major, minor, patch, zmq_has("curve"));
#else
        answer("ok libzmq %d.%d.%d %d", major, minor, patch, zmq_has("curve"));
#endif
        return 0;
    }
#ifdef WITH_CZMQ
    /* zauth answers every domain: DOMAIN is taken for the protocol's sake. */
    if (!strcmp(cmd, "auth_plain") && argc == 4) {
        char path[] = "/tmp/zmq-interop-passwords-XXXXXX";
        int fd = mkstemp(path);
        if (fd < 0) {
            answer("err mkstemp: %s", strerror(errno));
            return -1;
        }
        FILE *file = fdopen(fd, "w");
        fprintf(file, "%s=%s\n", argv[2], argv[3]);
        fclose(file);
        if (!auth)
            auth = zactor_new(zauth, NULL);
        zstr_sendx(auth, "PLAIN", path, NULL);
        zsock_wait(auth);
        answer("ok");
        return 0;
    }
    if (!strcmp(cmd, "auth_curve") && argc == 3) {
        if (!auth)
            auth = zactor_new(zauth, NULL);
        zstr_sendx(auth, "CURVE", argv[2], NULL);
        zsock_wait(auth);
        answer("ok");
        return 0;
    }
    if (!strcmp(cmd, "certgen") && argc == 3) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.key", argv[1], argv[2]);
        zsys_dir_create("%s", argv[1]);
        zcert_t *cert = zcert_new();
        zcert_set_meta(cert, "name", "czmq peer");
        if (zcert_save(cert, path) != 0) {
            zcert_destroy(&cert);
            answer("err zcert_save %s failed", path);
            return -1;
        }
        answer("ok %s %s", zcert_public_txt(cert), zcert_secret_txt(cert));
        zcert_destroy(&cert);
        return 0;
    }
    if (!strcmp(cmd, "certload") && argc == 2) {
        zcert_t *cert = zcert_load(argv[1]);
        if (!cert) {
            answer("err zcert_load %s failed", argv[1]);
            return -1;
        }
        const char *secret = zcert_secret_txt(cert);
        /* A public-only certificate has the all-zero secret key. */
        int has_secret = strcmp(secret, "0000000000000000000000000000000000000000") != 0;
        answer("ok %s %s", zcert_public_txt(cert), has_secret ? secret : "none");
        zcert_destroy(&cert);
        return 0;
    }
#endif
    if (!strcmp(cmd, "exit") && argc == 1) {
        if (have_last)
            zmq_msg_close(&last);
        have_last = 0;
        if (sock)
            zmq_close(sock);
        sock = NULL;
#ifdef WITH_CZMQ
        zactor_destroy(&auth);
#else
        zmq_ctx_term(ctx);
#endif
        answer("ok");
        return 0;
    }
    answer("err unknown command %s (%d words)", cmd, argc);
    return -1;
}

int main(void)
{
#ifdef WITH_CZMQ
    /* zauth answers in czmq's own context: the socket must live there too. */
    ctx = zsys_init();
#else
    ctx = zmq_ctx_new();
#endif
    static char line[MAX_LINE];
    while (fgets(line, sizeof line, stdin)) {
        char *words[MAX_WORDS];
        int argc = 0;
        for (char *w = strtok(line, " \t\r\n"); w && argc < MAX_WORDS; w = strtok(NULL, " \t\r\n"))
            words[argc++] = w;
        if (argc == 0)
            continue;
        run(argc, words);
        if (!strcmp(words[0], "exit"))
            break;
    }
    return 0;
}
