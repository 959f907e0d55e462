# The Python RPyC 5.3 client of bin/rpyc-bench: measures Python RPyC on both sides (this client
# and bench_server.py), timing itself, one command per line on standard input, one answer line
# per command on standard output. Calls are written the way a Python program writes them
# (conn.root.add(7, 1)).
import collections
import os
import sys
import threading
import time

import rpyc

conn = rpyc.connect(sys.argv[1], int(sys.argv[2]), config={"sync_request_timeout": 600})
root = conn.root


def percentile(sorted_values, p):
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * p / 100))]


def latency(n):
    times = []
    for _ in range(n):
        start = time.perf_counter_ns()
        if root.add(7, 1) != 8:
            raise AssertionError("add(7, 1)")
        times.append(time.perf_counter_ns() - start)
    times.sort()
    return "%f %f" % (percentile(times, 50) / 1e3, percentile(times, 99) / 1e3)


def threads(n, millis, per_thread):
    counts = [0] * n
    deadline = time.perf_counter() + millis / 1e3

    def work(k):
        i = 0
        while i < per_thread and time.perf_counter() < deadline:
            if root.add(i, 1) != i + 1:
                raise AssertionError("add")
            i += 1
        counts[k] = i

    start = time.perf_counter()
    ts = [threading.Thread(target=work, args=(k,)) for k in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return "%f" % (sum(counts) / (time.perf_counter() - start))


def pipelined(window, millis, max_calls):
    add = rpyc.async_(root.add)
    outstanding = collections.deque()
    deadline = time.perf_counter() + millis / 1e3
    start = time.perf_counter()
    count = 0
    while count < max_calls and time.perf_counter() < deadline:
        if len(outstanding) >= window:
            i, res = outstanding.popleft()
            if res.value != i + 1:
                raise AssertionError("async add")
        outstanding.append((count, add(count, 1)))
        count += 1
    while outstanding:
        i, res = outstanding.popleft()
        if res.value != i + 1:
            raise AssertionError("async add")
    return "%f" % (count / (time.perf_counter() - start))


def echo(size, reps, warm):
    data = os.urandom(size)
    times = []
    for k in range(warm + reps):
        start = time.perf_counter_ns()
        back = root.echo(data)
        took = time.perf_counter_ns() - start
        if len(back) != size:
            raise AssertionError("echo")
        if k >= warm:
            times.append(took / 1e6)
    return " ".join("%f" % t for t in times)


def list_size(n):
    items = root.items(1000)
    times = []
    for _ in range(n):
        start = time.perf_counter_ns()
        if len(items) != 1000:
            raise AssertionError("len")
        times.append(time.perf_counter_ns() - start)
    times.sort()
    return "%f" % (percentile(times, 50) / 1e3)


def refs(n):
    baseline = root.exportedObjects()
    start = time.perf_counter()
    for _ in range(n):
        root.newObject()  # the netref dies at once: its DEL goes out
    created = time.perf_counter() - start
    start = time.perf_counter()
    deadline = start + 120
    now = root.exportedObjects()
    while now > baseline and time.perf_counter() < deadline:
        time.sleep(0.02)
        now = root.exportedObjects()
    return "%f %f %d %d" % (created * 1e3, (time.perf_counter() - start) * 1e3, baseline, now)


COMMANDS = {"latency": latency, "threads": threads, "pipelined": pipelined, "echo": echo,
            "listsize": list_size, "refs": refs}

print("READY", flush=True)
for line in sys.stdin:
    words = line.split()
    if not words:
        continue
    try:
        answer = COMMANDS[words[0]](*[int(w) for w in words[1:]])
        print("OK", answer, flush=True)
    except Exception as e:  # reported to the harness, which shows it as a problem of the row
        print("ERROR", repr(e).replace("\n", " "), flush=True)
