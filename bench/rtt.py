# SPDX-License-Identifier: ISC
# One small message to a command and back, N times: the round trip a
# request/response protocol (SFTP) pays per request.  Prints the median
# in microseconds.  Usage: rtt.py N command [arg ...]
import os
import statistics
import subprocess
import sys
import time

n = int(sys.argv[1])
p = subprocess.Popen(sys.argv[2:], stdin=subprocess.PIPE,
                     stdout=subprocess.PIPE, bufsize=0)
w, r = p.stdin.fileno(), p.stdout.fileno()
msg = b"x" * 64
took = []
for i in range(n + 10):		# the first 10: warm-up
    t0 = time.perf_counter()
    os.write(w, msg)
    got = 0
    while got < len(msg):
        b = os.read(r, 4096)
        if not b:
            sys.exit("rtt: the command ended")
        got += len(b)
    if i >= 10:
        took.append(time.perf_counter() - t0)
p.stdin.close()
p.wait(timeout=30)
print("%.1f" % (statistics.median(took) * 1e6))
