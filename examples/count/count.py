#!/usr/bin/env python3
"""The tutorial's count.py: counts to N, one number a second (COUNT_STEP
seconds here, so tests run in seconds), and writes count.checkpoint atomically
(temp file, then os.replace) after each step. On SIGTERM it writes a last
checkpoint and exits 0: kickstart ships it, and the next attempt resumes.

Each start is appended to $COUNT_STARTS (if set) as "attempt=<A> from=<n>", so
a test can check that no restart began from 0."""
import os
import signal
import sys
import time

N = int(os.environ.get("COUNT_N", "120"))
STEP = float(os.environ.get("COUNT_STEP", "1"))

current = 0
try:
    with open("count.checkpoint") as f:
        current = int(f.read().strip())
except FileNotFoundError:
    print("no checkpoint file, starting from the beginning", flush=True)

starts = os.environ.get("COUNT_STARTS")
if starts:
    with open(starts, "a") as f:
        f.write(f"attempt={os.environ.get('KICKSTART_ATTEMPT', '?')} from={current}\n")


def save(i):
    with open("count.checkpoint.temp", "w") as f:
        f.write(str(i))
    os.replace("count.checkpoint.temp", "count.checkpoint")


def on_term(signum, frame):
    print("got SIGTERM", flush=True)
    save(current)
    sys.exit(0)


signal.signal(signal.SIGTERM, on_term)

while current < N:
    current += 1
    print(current, flush=True)
    save(current)
    time.sleep(STEP)
print("done", flush=True)
