"""Task ventilator in Python (the guide's taskvent.py), the interop peer of
examples/taskwork.rs.  Usage: taskvent.py WORKERS VENT_ENDPOINT SINK_ENDPOINT.

Instead of "Press Enter when the workers are ready", it watches its bound PUSH
socket and starts once WORKERS peers have completed the ZMTP handshake, so the
100 tasks are dealt to all of them."""
import random
import sys

import zmq
from zmq.utils.monitor import recv_monitor_message

TASKS = 100


def main():
    workers, vent, sink_endpoint = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    context = zmq.Context()
    sender = context.socket(zmq.PUSH)
    monitor = sender.get_monitor_socket(zmq.EVENT_HANDSHAKE_SUCCEEDED)
    sender.bind(vent)
    sink = context.socket(zmq.PUSH)
    sink.connect(sink_endpoint)

    connected = 0
    while connected < workers:
        if recv_monitor_message(monitor)["event"] == zmq.EVENT_HANDSHAKE_SUCCEEDED:
            connected += 1
    sender.disable_monitor()
    monitor.close()
    print("Sending tasks to workers...", flush=True)

    sink.send(b"0")  # The first message is "0" and signals start of batch
    total_msec = 0
    for _ in range(TASKS):
        workload = random.randint(1, 100)  # Random workload from 1 to 100 msecs
        total_msec += workload
        sender.send_string(f"{workload}")
    print(f"Total expected cost: {total_msec} msec", flush=True)
    sender.close(linger=5000)
    sink.close(linger=5000)
    context.term()


if __name__ == "__main__":
    main()
