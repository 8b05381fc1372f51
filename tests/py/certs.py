"""Certificate interop with pyzmq's zmq.auth.

    certs.py create DIR       -> pyzmq writes DIR/server.key(_secret), prints the z85 keys
    certs.py load FILE        -> pyzmq loads FILE, prints "public secret" (secret may be None)
    certs.py client ENDPOINT SERVER_PUBLIC CLIENT_SECRET_FILE
                              -> a pyzmq CURVE REQ client: sends "hello", prints the reply
"""
import os
import sys

import zmq
import zmq.auth


def main():
    cmd = sys.argv[1]
    if cmd == "create":
        public_file, secret_file = zmq.auth.create_certificates(sys.argv[2], "server")
        public, secret = zmq.auth.load_certificate(secret_file)
        print(public.decode(), secret.decode())
    elif cmd == "load":
        public, secret = zmq.auth.load_certificate(sys.argv[2])
        print(public.decode(), secret.decode() if secret else "None")
    elif cmd == "client":
        endpoint, server_public, secret_file = sys.argv[2:5]
        public, secret = zmq.auth.load_certificate(secret_file)
        ctx = zmq.Context()
        sock = ctx.socket(zmq.REQ)
        sock.curve_publickey = public
        sock.curve_secretkey = secret
        sock.curve_serverkey = server_public.encode()
        sock.rcvtimeo = 10000
        sock.linger = 0
        sock.connect(endpoint)
        sock.send(b"hello")
        print(sock.recv().decode())
        sock.close()
        ctx.term()
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
