#!/usr/bin/env python3
"""The tutorial's count.py: counts to N, one number a second (COUNT_STEP
seconds here, so tests run in seconds), and writes count.checkpoint atomically
(temp file, then os.replace) after each step.

On SIGTERM it writes a last checkpoint and exits 0: kickstart ships it, and
the next attempt resumes. With COUNT_ON_TERM=continue it behaves exactly as
the tutorial's version: it says "got SIGTERM" and keeps counting until
kickstart's SIGKILL (halfway between the checkpoint time and the max
walltime); the checkpoint of the last whole step is what gets shipped.

Its first line says where it starts ("start: attempt=<A> from=<n>", A from
KICKSTART_ATTEMPT), so the records show that no restart began from 0. Each
start is also appended to $COUNT_STARTS, if set."""
import os
import signal
import sys
import time

N = int(os.environ.get("COUNT_N", "120"))
STEP = float(os.environ.get("COUNT_STEP", "1"))
ON_TERM = os.environ.get("COUNT_ON_TERM", "exit")

current = 0
try:
    with open("count.checkpoint") as f:
        current = int(f.read().strip())
except FileNotFoundError:
    pass


def save(i):
    with open("count.checkpoint.temp", "w") as f:
        f.write(str(i))
    os.replace("count.checkpoint.temp", "count.checkpoint")


def on_term(signum, frame):
    print("got SIGTERM", flush=True)
    if ON_TERM != "continue":
        save(current)
        sys.exit(0)


signal.signal(signal.SIGTERM, on_term)

start = f"start: attempt={os.environ.get('KICKSTART_ATTEMPT', '?')} from={current}"
print(start, flush=True)
starts = os.environ.get("COUNT_STARTS")
if starts:
    with open(starts, "a") as f:
        f.write(start + "\n")

while current < N:
    current += 1
    print(current, flush=True)
    save(current)
    time.sleep(STEP)
print("done", flush=True)
