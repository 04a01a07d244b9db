# SPDX-License-Identifier: ISC
# Run by completion.sh with bash: sources bash-completion and ours, then
# asks for completions as bash would (COMP_WORDS split at its
# COMP_WORDBREAKS).  $1: the completion/ directory.  Exit 1 on a mismatch.
set -u
. /usr/share/bash-completion/bash_completion
. "$1/rexec"
. "$1/rexecd"
failed=0

# ask FUNCTION LINE WORD...: COMPREPLY for the words (the last is cur).
ask()
{
    local fn=$1
    COMP_LINE=$2
    shift 2
    COMP_WORDS=("$@")
    COMP_CWORD=$(($# - 1))
    COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    "$fn" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" \
        "${COMP_WORDS[COMP_CWORD-1]}"
}

# has WANT: COMPREPLY holds WANT; lacks WANT: it does not.
has()
{
    local w
    for w in "${COMPREPLY[@]}"; do [[ $w == "$1" ]] && return 0; done
    echo "FAIL completion: '$COMP_LINE' gave (${COMPREPLY[*]}), no '$1'" >&2
    failed=1
}
lacks()
{
    local w
    for w in "${COMPREPLY[@]}"; do
        if [[ $w == "$1" ]]; then
            echo "FAIL completion: '$COMP_LINE' gave '$1'" >&2
            failed=1
        fi
    done
}

ask _rexec 'rexec --sta' rexec --sta
has --status
ask _rexec 'rexec -' rexec -
has -w; has --json; has --raw; has -p; has --token-file
has -k; has --batch; has --max-fail; has --pick; has --outdir; has --fail-fast
# A host list's value is not the host: the command follows.
ask _rexec 'rexec --batch 10% -w n1 -' rexec --batch 10% -w n1 -
has --outdir
ask _rexec 'rexec -p 5120 myhost-' rexec -p 5120 myhost-
has myhost-a; has myhost-b; has myhost-c; lacks '|1|c2FsdA=='
ask _rexec 'rexec localh' rexec localh
has localhost
# user@host, whether COMP_WORDBREAKS holds '@' (bash then splits the word
# there, and replaces only "myhost-") or not (Debian's bash).
breaks=${COMP_WORDBREAKS//@/}
COMP_WORDBREAKS=$breaks
ask _rexec 'rexec root@myhost-' rexec root@myhost-
has root@myhost-a
COMP_WORDBREAKS="$breaks@"
ask _rexec 'rexec root@myhost-' rexec root @ myhost-
has myhost-a
COMP_WORDBREAKS=$breaks
# After the host: the remote command, nothing to offer.
ask _rexec 'rexec myhost-a myh' rexec myhost-a myh
lacks myhost-a
# A host list with brackets: the part after the last comma is completed,
# the brackets kept as they are (no glob: the file node1 must not match).
touch node1
ask _rexec 'rexec -w node[1-3],myhost-' rexec -w 'node[1-3],myhost-'
has 'node[1-3],myhost-a'
ask _rexec 'rexec -w node[1-3],myhost-a ' rexec -w 'node[1-3],myhost-a' ''
lacks myhost-b
ask _rexec 'rexec -o Por' rexec -o Por
has Port=
ask _rexecd 'rexecd --co' rexecd --co
has --config
ask _rexecd 'rexecd -' rexecd -
has -w; has -t; has -T
exit $failed
