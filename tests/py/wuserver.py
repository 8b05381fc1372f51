"""Weather update server in Python (the guide's wuserver.py), the interop peer
of examples/wuclient.rs.  Usage: wuserver.py SECONDS ENDPOINT  (publishes
"%05d %d %d" zipcode temperature relhumidity updates for SECONDS)."""
import sys
import time
from random import randrange

import zmq


def main():
    seconds, endpoint = float(sys.argv[1]), sys.argv[2]
    context = zmq.Context()
    socket = context.socket(zmq.PUB)
    socket.bind(endpoint)
    print("publishing", flush=True)
    deadline = time.monotonic() + seconds
    sent = 0
    while sent % 1024 or time.monotonic() < deadline:
        zipcode = randrange(100000)
        temperature = randrange(-80, 135)
        relhumidity = randrange(10, 60)
        socket.send_string(f"{zipcode:05d} {temperature} {relhumidity}")
        sent += 1
    print(f"sent {sent} updates", flush=True)
    socket.close(linger=0)
    context.term()


if __name__ == "__main__":
    main()
