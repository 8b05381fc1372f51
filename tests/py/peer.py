"""The pyzmq peer of the interop suite (tests/interop): one socket, driven by
line commands on stdin, one answer line per command on stdout. The C peer
(tests/interop/peer.c) speaks the same protocol; docs/INTEROP.md has it in full.

Bytes travel as tokens "x<hex>" ("x" alone is an empty frame). Answers are
"ok ...", "msg TOKEN...", or "err WHY".

    socket TYPE              REQ REP PUB SUB XPUB XSUB PUSH PULL ROUTER DEALER PAIR
    set NAME VALUE           a socket option: integers in decimal, bytes as a token
    bind ENDPOINT            -> ok LAST_ENDPOINT
    connect ENDPOINT         -> ok
    send TOKEN...            one multipart message -> ok
    recv                     -> msg TOKEN...
    meta NAME                a property of the last message received -> ok TOKEN | ok none
    sendseq N                messages b"0" .. b"N-1" -> ok N
    recvseq N                receives N messages, each must be the next number -> ok N
    sendbig N                one frame of N bytes, byte i = i % 251 -> ok N
    recvbig                  -> ok N (the frame has the pattern) | err ...
    recvloop                 prints "msg TOKEN..." for every message, forever
    echo                     sends every message back, forever (REP, ROUTER, DEALER, PAIR)
    auth_plain DOMAIN USER PASSWORD   a ThreadAuthenticator with one PLAIN user -> ok
    auth_curve DOMAIN DIR    a ThreadAuthenticator taking the public certificates of DIR -> ok
    certgen DIR NAME         zmq.auth.create_certificates -> ok PUBLIC SECRET
    certload PATH            zmq.auth.load_certificate -> ok PUBLIC SECRET|none
    version                  -> ok PYZMQ_VERSION LIBZMQ_VERSION CURVE(0|1)
    exit                     closes everything -> ok
"""
import sys

import zmq
import zmq.auth
from zmq.auth.thread import ThreadAuthenticator

INT_OPTIONS = {
    "linger": zmq.LINGER,
    "sndhwm": zmq.SNDHWM,
    "rcvhwm": zmq.RCVHWM,
    "plain_server": zmq.PLAIN_SERVER,
    "curve_server": zmq.CURVE_SERVER,
    "xpub_verbose": zmq.XPUB_VERBOSE,
    "router_mandatory": zmq.ROUTER_MANDATORY,
}
BYTES_OPTIONS = {
    "routing_id": zmq.ROUTING_ID,
    "subscribe": zmq.SUBSCRIBE,
    "unsubscribe": zmq.UNSUBSCRIBE,
    "plain_username": zmq.PLAIN_USERNAME,
    "plain_password": zmq.PLAIN_PASSWORD,
    "curve_publickey": zmq.CURVE_PUBLICKEY,
    "curve_secretkey": zmq.CURVE_SECRETKEY,
    "curve_serverkey": zmq.CURVE_SERVERKEY,
    "zap_domain": zmq.ZAP_DOMAIN,
}


def token(data):
    return "x" + bytes(data).hex()


def untoken(text):
    if not text.startswith("x"):
        raise ValueError(f"not a token: {text!r}")
    return bytes.fromhex(text[1:])


def pattern(n):
    """n bytes, byte i = i % 251."""
    return bytes(range(251)) * (n // 251) + bytes(range(n % 251))


def answer(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class Peer:
    def __init__(self):
        self.ctx = zmq.Context()
        self.sock = None
        self.last = None
        self.auth = None

    def recv(self):
        frames = self.sock.recv_multipart(copy=False)
        self.last = frames[0]
        return frames

    def run(self, words):
        cmd, args = words[0], words[1:]
        if cmd == "socket":
            self.sock = self.ctx.socket(getattr(zmq, args[0]))
            self.sock.linger = 1000
            return "ok"
        if cmd == "set":
            name, value = args
            if name in INT_OPTIONS:
                self.sock.setsockopt(INT_OPTIONS[name], int(value))
            else:
                self.sock.setsockopt(BYTES_OPTIONS[name], untoken(value))
            return "ok"
        if cmd == "bind":
            self.sock.bind(args[0])
            return "ok " + self.sock.last_endpoint.decode()
        if cmd == "connect":
            self.sock.connect(args[0])
            return "ok"
        if cmd == "send":
            self.sock.send_multipart([untoken(a) for a in args])
            return "ok"
        if cmd == "recv":
            return "msg " + " ".join(token(f.bytes) for f in self.recv())
        if cmd == "meta":
            if self.last is None:
                return "err no message yet"
            try:
                value = self.last.get(args[0])
            except zmq.ZMQError:
                return "ok none"
            if value is None:
                return "ok none"
            return "ok " + token(value.encode() if isinstance(value, str) else value)
        if cmd == "sendseq":
            n = int(args[0])
            for i in range(n):
                self.sock.send(str(i).encode())
            return f"ok {n}"
        if cmd == "recvseq":
            n = int(args[0])
            for i in range(n):
                got = self.sock.recv()
                if got != str(i).encode():
                    return f"err message {i} is {token(got)}"
            return f"ok {n}"
        if cmd == "sendbig":
            n = int(args[0])
            self.sock.send(pattern(n))
            return f"ok {n}"
        if cmd == "recvbig":
            got = self.sock.recv()
            if got != pattern(len(got)):
                return f"err {len(got)} bytes without the pattern"
            return f"ok {len(got)}"
        if cmd == "recvloop":
            while True:
                answer("msg " + " ".join(token(f.bytes) for f in self.recv()))
        if cmd == "echo":
            while True:
                self.sock.send_multipart(self.sock.recv_multipart())
        if cmd == "auth_plain":
            domain, user, password = args
            self.start_auth().configure_plain(domain=domain, passwords={user: password})
            return "ok"
        if cmd == "auth_curve":
            domain, directory = args
            self.start_auth().configure_curve(domain=domain, location=directory)
            return "ok"
        if cmd == "certgen":
            _, secret_file = zmq.auth.create_certificates(args[0], args[1])
            public, secret = zmq.auth.load_certificate(secret_file)
            return f"ok {public.decode()} {secret.decode()}"
        if cmd == "certload":
            public, secret = zmq.auth.load_certificate(args[0])
            return f"ok {public.decode()} {secret.decode() if secret else 'none'}"
        if cmd == "version":
            return f"ok {zmq.pyzmq_version()} {zmq.zmq_version()} {int(zmq.has('curve'))}"
        if cmd == "exit":
            if self.sock is not None:
                self.sock.close()
            if self.auth is not None:
                self.auth.stop()
            self.ctx.term()
            return "ok"
        return f"err unknown command {cmd}"

    def start_auth(self):
        if self.auth is None:
            self.auth = ThreadAuthenticator(self.ctx)
            self.auth.start()
        return self.auth


def main():
    peer = Peer()
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        try:
            reply = peer.run(words)
        except Exception as e:  # every failure is an answer the test reports
            reply = f"err {type(e).__name__}: {e}".replace("\n", " ")
        answer(reply)
        if words[0] == "exit":
            return


if __name__ == "__main__":
    main()
