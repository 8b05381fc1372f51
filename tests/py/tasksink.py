"""Task sink in Python (the guide's tasksink.py), the interop peer of
examples/taskwork.rs.  Usage: tasksink.py ENDPOINT."""
import sys
import time

import zmq

TASKS = 100


def main():
    endpoint = sys.argv[1]
    context = zmq.Context()
    receiver = context.socket(zmq.PULL)
    receiver.bind(endpoint)
    print("ready", flush=True)

    receiver.recv()  # Wait for start of batch
    start = time.monotonic()
    for task_nbr in range(TASKS):
        receiver.recv()
        print(":" if task_nbr % 10 == 0 else ".", end="", flush=True)
    elapsed = int((time.monotonic() - start) * 1000)
    print(f"Total elapsed time: {elapsed} msec", flush=True)
    receiver.close()
    context.term()


if __name__ == "__main__":
    main()
