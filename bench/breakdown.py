# SPDX-License-Identifier: ISC
"""Cuts strace -f -ttt traces of rexec and rexecd into the phases of one
request (see breakdown.sh) and prints their medians."""
import re
import statistics
import sys

LINE = re.compile(r'^(\d+) +(\d+\.\d+) (?:<\.\.\. )?(\w+)')


def events(path):
    out = []
    for line in open(path):
        m = LINE.match(line)
        if m:
            out.append((float(m.group(2)), int(m.group(1)), m.group(3),
                        line.rstrip()))
    return out


def first(evs, t0, t1, pred):
    return next((e for e in evs if t0 <= e[0] <= t1 and pred(e)), None)


def last(evs, t0, t1, pred):
    return next((e for e in reversed(evs) if t0 <= e[0] <= t1 and pred(e)),
                None)


def phases(daemon, client):
    c0 = first(client, 0, 1e18, lambda e: e[2] == 'execve')
    c1 = first(client, 0, 1e18, lambda e: e[2] == 'connect')
    c7 = last(client, 0, 1e18, lambda e: e[2] == 'exit_group')
    if not (c0 and c1 and c7):
        return None
    acc = first(daemon, c1[0], c7[0], lambda e: e[2].startswith('accept')
                and re.search(r'= \d+$', e[3]))
    if acc is None:
        return None
    worker = acc[1]
    ex = first(daemon, acc[0], c7[0],
               lambda e: e[2] == 'execve' and e[1] != worker)
    if ex is None:
        return None
    end = last(daemon, ex[0], c7[0],
               lambda e: e[2] == 'exit_group' and e[1] != worker)
    snd = last(daemon, ex[0], c7[0], lambda e: e[1] == worker and
               e[2] in ('sendmsg', 'sendto', 'write', 'writev'))
    if end is None or snd is None:
        return None
    cuts = [c0[0], c1[0], acc[0], ex[0], end[0], snd[0], c7[0]]
    return [b - a for a, b in zip(cuts, cuts[1:])]


NAMES = ['client start-up (execve .. connect)',
         'connect .. worker accept returns',
         'request read, spawn (accept .. command execve)',
         'command (execve .. exit_group)',
         'exit report (exit_group .. exit frame sent)',
         'client finish (exit frame .. client exit_group)']

daemon = events(sys.argv[1])
rows = [p for p in (phases(daemon, events(c)) for c in sys.argv[2:]) if p]
if not rows:
    print('breakdown: no complete request found in the traces')
    sys.exit(0)
med = [statistics.median(col) for col in zip(*rows)]
total = sum(med)
print(f'{"phase":50} {"median µs":>10} {"share":>7}')
for name, v in zip(NAMES, med):
    print(f'{name:50} {v * 1e6:10.0f} {v / total * 100:6.1f}%')
print(f'{"total (under strace)":50} {total * 1e6:10.0f}   ({len(rows)} of '
      f'{len(sys.argv) - 2} runs matched)')
