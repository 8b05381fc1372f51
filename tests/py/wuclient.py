"""Weather update client in Python (the guide's wuclient.py), the interop peer
of examples/wuserver.rs.  Usage: wuclient.py ZIPCODE ENDPOINT  (averages the
temperature of 5 updates for ZIPCODE)."""
import sys

import zmq

UPDATES = 5


def main():
    zip_filter, endpoint = sys.argv[1], sys.argv[2]
    print("Collecting updates from weather server...", flush=True)
    context = zmq.Context()
    socket = context.socket(zmq.SUB)
    socket.connect(endpoint)
    socket.setsockopt_string(zmq.SUBSCRIBE, zip_filter)
    total_temp = 0
    for _ in range(UPDATES):
        zipcode, temperature, relhumidity = socket.recv_string().split()
        assert zip_filter.strip() == zipcode, zipcode
        total_temp += int(temperature)
    average = int(total_temp / UPDATES)  # truncates toward zero, as C and Rust
    print(f"Average temperature for zipcode '{zip_filter.strip()}' was {average}F", flush=True)
    socket.close()
    context.term()


if __name__ == "__main__":
    main()
