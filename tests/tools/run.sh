#!/bin/sh
# SPDX-License-Identifier: ISC
# Runs every tool test (the real rsync, git, clush, pdsh, ansible through
# rexec); a missing tool is a skip, said so.  Exit 1 when one failed.
cd "$(dirname "$0")" || exit 1
pass=0 skipped=0 failed=0
for t in [a-z]*.sh; do
	case $t in lib.sh|run.sh) continue ;; esac
	sh "$t"
	case $? in
	0) pass=$((pass + 1)); echo "PASS ${t%.sh}" ;;
	77) skipped=$((skipped + 1)) ;;
	*) failed=$((failed + 1)); echo "FAIL ${t%.sh}" ;;
	esac
done
echo "tool tests: $pass passed, $skipped skipped, $failed failed"
[ $failed -eq 0 ]
