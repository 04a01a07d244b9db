# SPDX-License-Identifier: ISC
# rsync -a -e rexec with user@host, both directions: byte-identical trees.
. ./lib.sh
need rsync
start_daemon ""
me=$(id -un)
make_tree "$T/src"
mkdir "$T/dst" "$T/back"
rsync -a -e rexec "$T/src/" "$me@127.0.0.1:$T/dst/" ||
    fail "rsync to the host"
same_tree "$T/src" "$T/dst"
rsync -a -e rexec "$me@127.0.0.1:$T/dst/" "$T/back/" ||
    fail "rsync from the host"
same_tree "$T/src" "$T/back"
# rsync's own spelling for a port: -e 'rexec -p PORT'.
rm -rf "$T/back"
rsync -a -e "rexec -p $PORT" "127.0.0.1:$T/src/" "$T/back/" ||
    fail "rsync with -e 'rexec -p'"
same_tree "$T/src" "$T/back"
