#!/usr/bin/env bash
# The command table of daemon/cli.c (printed by `briefwatch --help`)
# against docs/cli.md: every usage line is documented verbatim, and every
# command the page names (its table, its ### headings, its examples) is a
# command of the table.
set -u
B=${1:-${B:-build}}
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
DOC=$SRCDIR/docs/cli.md
fails=0
fail() { echo "not ok - $*"; fails=$((fails + 1)); }

help=$("$B/briefwatch" --help) || { echo "briefwatch --help failed"; exit 1; }
n=0
while IFS= read -r line; do
	usage=${line#  }
	n=$((n + 1))
	# the documented line is the usage itself, maybe followed by blanks
	# and a description
	grep -qxF "briefwatch $usage" "$DOC" ||
		grep -qF "briefwatch $usage  " "$DOC" ||
		fail "usage line \"briefwatch $usage\" is not in docs/cli.md"
done < <(printf '%s\n' "$help" | grep -E '^  [a-z]')
[ "$n" -ge 15 ] || fail "briefwatch --help lists only $n usage lines"
echo "ok - $n usage lines of the table are in docs/cli.md"

# Commands named by the page.
named=$( {
	# the kind table's commands column and the ### headings
	grep -E '^\| |^### ' "$DOC" | grep -oE '`[a-z][a-z-]*( [a-z]+)?`' | tr -d '`'
	# examples and usage lines in code blocks
	grep -oE '^(\$ )?(sudo )?briefwatch [a-z][a-z-]*' "$DOC" | sed -E 's/.*briefwatch //'
} | awk '$1 != "briefwatch" {print $1}' | sort -u)
for c in $named; do
	out=$("$B/briefwatch" "$c" --help 2>&1)
	case "$out" in
	"usage: briefwatch $c"*) ;;
	*) fail "docs/cli.md names \"$c\", which is not a command: $out" ;;
	esac
done
echo "ok - the $(echo "$named" | wc -w) commands docs/cli.md names are commands"

# A command the page does not name would be caught by the usage check; a
# fake one must be refused (the check above can fail).
"$B/briefwatch" no-such-command --help >/dev/null 2>&1
[ $? -eq 2 ] || fail "an unknown command is not a usage error"
[ $fails -eq 0 ]
