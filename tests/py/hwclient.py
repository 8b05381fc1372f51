"""Hello World client in Python (the guide's hwclient.py), the interop peer of
examples/hwserver.rs.  Usage: hwclient.py COUNT ENDPOINT."""
import sys

import zmq


def main():
    count, endpoint = int(sys.argv[1]), sys.argv[2]
    print("Connecting to hello world server...", flush=True)
    context = zmq.Context()
    socket = context.socket(zmq.REQ)
    socket.connect(endpoint)
    for request in range(count):
        print(f"Sending Hello {request}...", flush=True)
        socket.send_string("Hello")
        message = socket.recv_string()
        print(f"Received {message} {request}", flush=True)
    socket.close()
    context.term()


if __name__ == "__main__":
    main()
