"""Task worker in Python (the guide's taskwork.py), the interop peer of
examples/taskvent.rs and examples/tasksink.rs.  Usage: taskwork.py
VENT_ENDPOINT SINK_ENDPOINT.  Prints "ready" once connected to the
ventilator (ZMTP handshake done), then "<workload>." per task, forever."""
import sys
import time

import zmq
from zmq.utils.monitor import recv_monitor_message


def main():
    vent, sink = sys.argv[1], sys.argv[2]
    context = zmq.Context()
    receiver = context.socket(zmq.PULL)
    monitor = receiver.get_monitor_socket(zmq.EVENT_HANDSHAKE_SUCCEEDED)
    receiver.connect(vent)
    sender = context.socket(zmq.PUSH)
    sender.connect(sink)

    while recv_monitor_message(monitor)["event"] != zmq.EVENT_HANDSHAKE_SUCCEEDED:
        pass
    receiver.disable_monitor()
    monitor.close()
    print("ready", flush=True)

    while True:
        workload = receiver.recv_string()
        print(f"{workload}.", end="", flush=True)  # Show progress
        time.sleep(int(workload) * 0.001)  # Do the work
        sender.send(b"")  # Send results to sink


if __name__ == "__main__":
    main()
