#!/usr/bin/env python3
"""Keystroke -> echo round trip of an interactive client (issue 13).

    pty_rtt.py N CLIENT ARGS...

Runs the client on a pseudo-terminal, as at a user's terminal, with a
remote `cat` on a remote terminal; types N single bytes, one at a time,
each timed from the write until its echo (by the remote terminal) shows.
A newline every 64 bytes keeps the remote line short.  Prints the median,
p10 and p90 in microseconds and the sample count.  Every wait is bounded.
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
                raise SystemExit("pty_rtt: the client ended")
            got += chunk
    return got


def wait_raw(fd, deadline):
    while termios.tcgetattr(fd)[3] & (termios.ECHO | termios.ICANON):
        if time.monotonic() > deadline:
            raise SystemExit("pty_rtt: the client never took raw mode")
        r, _, _ = select.select([fd], [], [], 0.01)
        if r:
            os.read(fd, 4096)


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


def main():
    n = int(sys.argv[1])
    argv = sys.argv[2:]
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "xterm"
        os.execvp(argv[0], argv)
    try:
        # Typed only once the client has the terminal in raw mode (on
        # Linux the master's termios are the slave's): no local echo.
        wait_raw(fd, time.monotonic() + 30)
        # The remote side is up once a line typed comes back from cat.
        os.write(fd, b"ready\r")
        read_until(fd, b"ready\r\nready\r\n", time.monotonic() + 30)
        samples = []
        for i in range(n):
            t0 = time.perf_counter_ns()
            os.write(fd, b"x")
            read_until(fd, b"x", time.monotonic() + TIMEOUT)
            samples.append((time.perf_counter_ns() - t0) / 1000.0)
            if i % 64 == 63:
                os.write(fd, b"\r")
                read_until(fd, b"x\r\n", time.monotonic() + TIMEOUT)
        os.write(fd, b"\r\x04")
        q = statistics.quantiles(samples, n=10)
        print("median_us %.1f p10_us %.1f p90_us %.1f n %d" %
              (statistics.median(samples), q[0], q[-1], len(samples)))
    finally:
        stop(pid)


main()
