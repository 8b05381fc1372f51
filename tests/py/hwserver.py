"""Hello World server in Python (the guide's hwserver.py), the interop peer of
examples/hwclient.rs.  Usage: hwserver.py COUNT ENDPOINT  (serves COUNT
requests on a bound REP socket, then exits)."""
import sys
import time

import zmq


def main():
    count, endpoint = int(sys.argv[1]), sys.argv[2]
    context = zmq.Context()
    socket = context.socket(zmq.REP)
    socket.bind(endpoint)
    for _ in range(count):
        message = socket.recv_string()
        print(f"Received {message}", flush=True)
        time.sleep(1)  # Do some 'work'
        socket.send_string("World")
    socket.close()
    context.term()


if __name__ == "__main__":
    main()
