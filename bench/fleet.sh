#!/bin/sh
# SPDX-License-Identifier: ISC
# Fleet mode (issue 11): one command on 512 hosts at fanout 64, side by
# side in one run: rexec -w, pdsh and clush running rexec per host, and
# pdsh over ssh.  One rexecd on 0.0.0.0 (allow-list 127.0.0.0/8) answers
# for every 127.1.x.y; a private sshd answers every ssh "host" (ssh's
# config sends them all to 127.0.0.1: one handshake per host, as on a
# real fleet).  Then rexec's peak RSS at fanout 512.
#
#   BENCH_FLEET_RUNS       timed runs per line, median kept (default 3)
#   BENCH_FLEET_SSH_HOSTS  hosts for the ssh line (default 512; fewer when
#                          ssh is too slow, and the table says so)
#   BUILD                  build directory holding rexec and rexecd (build)
set -eu

cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
RUNS=${BENCH_FLEET_RUNS:-3}
HOSTS=512
FANOUT=64
SSH_HOSTS=${BENCH_FLEET_SSH_HOSTS:-$HOSTS}

# pdsh and clustershell from Debian when missing (root only).
missing=
command -v pdsh >/dev/null 2>&1 || missing="$missing pdsh"
command -v clush >/dev/null 2>&1 || missing="$missing clustershell"
if [ -n "$missing" ] && [ "$(id -u)" = 0 ]; then
	echo "bench/fleet: installing$missing" >&2
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing \
	    >/dev/null
fi

. bench/lib.sh
bench_setup fleet
cp "$BUILD/rexec" "$BUILD/rexecd" "$T/"
REXEC=$T/rexec REXECD=$T/rexecd

now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.${2:-2}f\", ($1) }"; }

# timed key lines runs command...: median seconds of the runs (stdout
# lines counted, stderr empty: a run that failed anywhere has no time)
timed() {
	key=$1 want=$2 runs=$3; shift 3
	: > "$T/$key.times"
	for r in $(seq "$runs"); do
		t0=$(now)
		got=$("$@" 2>"$T/$key.err" | wc -l) || true
		t1=$(now)
		if [ "$got" -ne "$want" ] || [ -s "$T/$key.err" ]; then
			echo "bench/fleet: $key: $got lines of $want;" \
			    "first errors:" >&2
			sort "$T/$key.err" | uniq -c | sort -rn | head -3 >&2
			echo "nan" > "$T/$key.median"
			return 0
		fi
		calc "$t1 - $t0" 3 >> "$T/$key.times"
		echo >> "$T/$key.times"
	done
	sort -n "$T/$key.times" | awk '{ v[NR] = $1 }
	    END { print v[int((NR + 1) / 2)] }' > "$T/$key.median"
}
med() { cat "$T/$1.median"; }

# the four ways, for one command
run_all() {	# tag command lines-per-host
	tag=$1 cmd=$2 per=$3
	timed "rexec_$tag" $((HOSTS * per)) "$RUNS" \
	    "$REXEC" -p "$RPORT" -f $FANOUT -w "^$T/hosts" "$cmd"
	if command -v pdsh >/dev/null 2>&1; then
		timed "pdsh_$tag" $((HOSTS * per)) "$RUNS" \
		    pdsh -R exec -f $FANOUT -w "^$T/hosts" \
		    "$REXEC" -p "$RPORT" %h "$cmd"
		timed "ssh_$tag" $((SSH_HOSTS * per)) 1 \
		    pdsh -R ssh -f $FANOUT -w "^$T/ssh_hosts" "$cmd"
	fi
	if command -v clush >/dev/null 2>&1; then
		timed "clush_$tag" $((HOSTS * per)) "$RUNS" \
		    clush -R exec -f $FANOUT --hostfile "$T/hosts" \
		    "$REXEC -p $RPORT %h '$cmd'"
	fi
}

rss() {	# fanout command: peak RSS of rexec in KiB
	/usr/bin/time -f %M -o "$T/rss" "$REXEC" -p "$RPORT" -f "$1" \
	    -w "^$T/hosts" "$2" > /dev/null 2>&1 || true
	cat "$T/rss"
}

for x in 0 1; do for y in $(seq 0 255); do echo "127.1.$x.$y"; done; done \
    > "$T/hosts"
head -n "$SSH_HOSTS" "$T/hosts" > "$T/ssh_hosts"
start_rexecd_on 0.0.0.0 "allow = 127.0.0.0/8\nworkers = 64\nmax_workers = 600\n"
start_sshd	# sessions with an empty HOME (lib.sh says why)
export PDSH_SSH_ARGS_APPEND="-F $T/ssh_config"
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)

printf '\n== fleet: %d hosts, fanout %d, median of %d runs (ssh: 1 run, %d hosts)\n' \
    $HOSTS $FANOUT "$RUNS" "$SSH_HOSTS"
run_all true true 0
run_all seq "seq 1000" 1000
RSS_TRUE=$(rss 512 true)
RSS_SEQ=$(rss 512 'seq 1000')

# ssh's time scaled to all hosts when it ran fewer
ssh_all() { calc "$(med "ssh_$1") * $HOSTS / $SSH_HOSTS" 2; }
ratio() { case "$1$2" in *nan*) echo "-";; *) calc "$1 / $2" 1;; esac; }
verdict() { [ "$(calc "$1" 0)" = 1 ] && echo pass || echo miss; }

{
echo
echo "fleet mode, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $LOAD0 at start, $(cut -d' ' -f1-3 /proc/loadavg) at end"
echo
echo "| $HOSTS hosts, fanout $FANOUT | \`true\` s | \`seq 1000\` s |"
echo "|---|---|---|"
echo "| \`rexec -w\` | $(med rexec_true) | $(med rexec_seq) |"
[ -f "$T/pdsh_true.median" ] && echo "| \`pdsh -R exec … rexec %h\` | $(med pdsh_true) | $(med pdsh_seq) |"
[ -f "$T/clush_true.median" ] && echo "| \`clush -R exec … rexec %h\` | $(med clush_true) | $(med clush_seq) |"
if [ -f "$T/ssh_true.median" ]; then
	if [ "$SSH_HOSTS" -eq "$HOSTS" ]; then
		echo "| \`pdsh -R ssh\` | $(med ssh_true) | $(med ssh_seq) |"
	else
		echo "| \`pdsh -R ssh\` ($SSH_HOSTS hosts, scaled to $HOSTS) | $(ssh_all true) | $(ssh_all seq) |"
	fi
fi
echo
if [ -f "$T/pdsh_true.median" ]; then
	pe_t=$(ratio "$(med pdsh_true)" "$(med rexec_true)")
	pe_s=$(ratio "$(med pdsh_seq)" "$(med rexec_seq)")
	ss_t=$(ratio "$(ssh_all true)" "$(med rexec_true)")
	ss_s=$(ratio "$(ssh_all seq)" "$(med rexec_seq)")
	echo "- pdsh -R exec rexec / rexec -w: ${pe_t}× and ${pe_s}× (target ≥ 3×: $(verdict "$pe_t >= 3 && $pe_s >= 3"))"
	echo "- pdsh -R ssh / rexec -w: ${ss_t}× and ${ss_s}× (target ≥ 40×: $(verdict "$ss_t >= 40 && $ss_s >= 40"))"
fi
echo "- rexec peak RSS at fanout 512: $RSS_TRUE KiB (\`true\`), $RSS_SEQ KiB (\`seq 1000\`) (target < 16384: $(verdict "$RSS_SEQ < 16384 && $RSS_TRUE < 16384"))"
}
