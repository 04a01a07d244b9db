# Sourced by bench/run.sh (issue 13): the interactive round trip, one
# keystroke to its echo by the remote terminal, through `rexec -P` and
# `ssh -tt` to a remote `cat`, on a local pseudo-terminal as at a user's
# (bench/pty_rtt.py).  Uses run.sh's REXEC, RPORT, SSH, put, get, calc.
#
#   BENCH_PTY_KEYS   keystrokes timed per client (default 1000)

bench_pty() {
	keys=${BENCH_PTY_KEYS:-1000}
	section "7 interactive round trip: $keys single-byte echoes through a remote cat"
	for c in rexec ssh; do
		if [ $c = rexec ]; then
			set -- "$REXEC" -P -p "$RPORT" 127.0.0.1 cat
		else
			set -- $SSH -tt 127.0.0.1 cat
		fi
		timeout 600 python3 bench/pty_rtt.py "$keys" "$@" \
		    >"$T/pty_$c.txt" || {
			echo "bench: pty round trip through $c failed" >&2
			exit 1; }
		put "pty_${c}_us" "$(awk '{ print $2 }' "$T/pty_$c.txt")"
		put "pty_${c}_p90" "$(awk '{ print $6 }' "$T/pty_$c.txt")"
	done
	printf '%-28s %12s %10s\n' client "median µs" "p90 µs"
	printf '%-28s %12s %10s\n' "rexec -P … cat" "$(get pty_rexec_us)" \
	    "$(get pty_rexec_p90)"
	printf '%-28s %12s %10s\n' "ssh -tt … cat" "$(get pty_ssh_us)" \
	    "$(get pty_ssh_p90)"
	echo "rexec / ssh: $(calc "$(get pty_rexec_us) / $(get pty_ssh_us)" 2)×"
}
