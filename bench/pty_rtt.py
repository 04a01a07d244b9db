#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Keystroke -> echo round trip of interactive clients (issue 13).

    pty_rtt.py N NAME CLIENT ARGS... [-- NAME CLIENT ARGS...]...

Runs each client on a pseudo-terminal of its own, as at a user's
terminal, with a remote `cat` on a remote terminal; once each has put its
terminal in raw mode (no local echo), types N single bytes into each, in
turn (the clients alternate, so both see the same load), each timed from
the write until its echo by the remote terminal shows.  A newline every
64 bytes keeps the remote line short.  Prints one line per client: NAME,
median, p10 and p90 in microseconds, the sample count.  Every wait is
bounded.
"""
import os
import pty
import select
import signal
import statistics
import sys
import termios
import time

TIMEOUT = 10.0


def read_until(fd, want, deadline):
    got = b""
    while want not in got:
        left = deadline - time.monotonic()
        if left <= 0:
            raise SystemExit("pty_rtt: no echo of %r; got %r" % (want, got))
        r, _, _ = select.select([fd], [], [], left)
        if r:
            chunk = os.read(fd, 4096)
            if not chunk:
                raise SystemExit("pty_rtt: a client ended")
            got += chunk
    return got


def wait_raw(fd, deadline):
    # On Linux the master's termios are the slave's.
    while termios.tcgetattr(fd)[3] & (termios.ECHO | termios.ICANON):
        if time.monotonic() > deadline:
            raise SystemExit("pty_rtt: a client never took raw mode")
        r, _, _ = select.select([fd], [], [], 0.01)
        if r:
            os.read(fd, 4096)


def start(argv):
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "xterm"
        os.execvp(argv[0], argv)
    return pid, fd


def stop(pid):
    """Waits for the client (cat ends at ^D), then TERM, then KILL."""
    for sig in (None, signal.SIGTERM, signal.SIGKILL):
        if sig is not None:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return
            time.sleep(0.01)


def one_key(fd, i):
    t0 = time.perf_counter_ns()
    os.write(fd, b"x")
    read_until(fd, b"x", time.monotonic() + TIMEOUT)
    us = (time.perf_counter_ns() - t0) / 1000.0
    if i % 64 == 63:
        os.write(fd, b"\r")
        read_until(fd, b"x\r\n", time.monotonic() + TIMEOUT)
    return us


def clients(args):
    cur = []
    for a in args:
        if a == "--":
            yield cur
            cur = []
        else:
            cur.append(a)
    yield cur


def main():
    n = int(sys.argv[1])
    specs = [c for c in clients(sys.argv[2:]) if len(c) >= 2]
    running = []
    try:
        for spec in specs:
            pid, fd = start(spec[1:])
            running.append((spec[0], pid, fd, []))
        for name, pid, fd, _ in running:
            wait_raw(fd, time.monotonic() + 30)
            # The remote side is up once a line typed comes back from cat.
            os.write(fd, b"ready\r")
            read_until(fd, b"ready\r\nready\r\n", time.monotonic() + 30)
        for i in range(n):
            for _, _, fd, samples in running:
                samples.append(one_key(fd, i))
        for name, _, fd, samples in running:
            os.write(fd, b"\r\x04")
            q = statistics.quantiles(samples, n=10)
            print("%s median_us %.1f p10_us %.1f p90_us %.1f n %d" %
                  (name, statistics.median(samples), q[0], q[-1],
                   len(samples)))
    finally:
        for _, pid, _, _ in running:
            stop(pid)


main()
