#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""The attack of issue 18, and the latency it costs others (bench/attack.sh).

attack.py attack PORT SRC SILENT SLOW
    From SRC (bound before connecting), hold SILENT connections that send
    nothing and SLOW ones that send a frame length then one byte every
    DRIP seconds; whatever the daemon closes is opened again about REOPEN
    seconds later (spread, not in one burst): the attack holds connections, it is not a connection
    flood (that one is the kernel's: SYN cookies, and it costs the
    attacker as much as us, on the same 2 cores here).  Prints "ready" once all are
    opened, then a line of counters every 5 s; runs until killed.

attack.py probe N CMD...
    Runs CMD N times, one after the other; prints
    "runs N failures F p50_ms X p99_ms Y max_ms Z".
"""
import errno
import os
import random
import resource
import select
import socket
import subprocess
import sys
import time

DRIP = 0.3
REOPEN = 1.0


def connect(port, src):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setblocking(False)
    s.bind((src, 0))
    try:
        s.connect(("127.0.0.1", port))
    except BlockingIOError:
        pass
    return s


def attack(port, src, silent, slow):
    n = silent + slow
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, n + 256)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    socks = [connect(port, src) for _ in range(n)]
    sent = [0] * n
    dead = {}
    reopened = 0
    print("ready", flush=True)
    poller = select.poll()
    fdmap = {}
    for i, s in enumerate(socks):
        poller.register(s, select.POLLIN)
        fdmap[s.fileno()] = i
    tick = report = time.monotonic()
    while True:
        now = time.monotonic()
        if now >= tick:
            for i in [i for i, t in dead.items() if t <= now]:
                del dead[i]
                poller.unregister(socks[i])
                del fdmap[socks[i].fileno()]
                socks[i].close()
                socks[i] = connect(port, src)
                sent[i] = 0
                poller.register(socks[i], select.POLLIN)
                fdmap[socks[i].fileno()] = i
                reopened += 1
            for i in range(slow):
                if i in dead:
                    continue
                data = b"\0\0\x7f\0" if sent[i] == 0 else b" "
                try:
                    sent[i] += socks[i].send(data)
                except (BlockingIOError, InterruptedError):
                    pass
                except OSError as e:
                    if e.errno != errno.ENOTCONN:
                        dead.setdefault(i, now + REOPEN * random.uniform(0.5, 1.5))
            tick = now + DRIP
        if now >= report:
            print("reopened", reopened, flush=True)
            report = now + 5
        for fd, _ in poller.poll(DRIP * 1000):
            i = fdmap.get(fd)
            if i is None or i in dead:
                continue
            try:
                if not socks[i].recv(4096):
                    dead[i] = time.monotonic() + REOPEN * random.uniform(0.5, 1.5)
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                dead[i] = time.monotonic() + REOPEN * random.uniform(0.5, 1.5)


def probe(n, cmd):
    times, failures = [], 0
    for _ in range(n):
        t = time.monotonic()
        try:
            r = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, timeout=60)
            ok, err = r.returncode == 0, r.stderr
        except subprocess.TimeoutExpired:
            ok, err = False, b"timed out after 60 s\n"
        times.append((time.monotonic() - t) * 1000)
        if not ok:
            failures += 1
            if failures <= 3:
                sys.stderr.write(err.decode(errors="replace"))
    times.sort()

    def pct(p):
        return times[min(len(times) - 1, int(p / 100 * len(times)))]
    print("runs %d failures %d p50_ms %.2f p99_ms %.2f max_ms %.2f" %
          (n, failures, pct(50), pct(99), times[-1]))


if __name__ == "__main__":
    if sys.argv[1] == "attack":
        attack(int(sys.argv[2]), sys.argv[3], int(sys.argv[4]),
               int(sys.argv[5]))
    else:
        probe(int(sys.argv[2]), sys.argv[3:])
