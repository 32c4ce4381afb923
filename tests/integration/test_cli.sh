#!/usr/bin/env bash
# The archive and feed-list commands of the CLI on a real database: the
# real daemon (--once) fills it from the fixture server, then list, show,
# search, export, backup, import-opml and export-opml run as a user would,
# including their error exits (1: runtime failure, 2: usage).
set -euo pipefail
B=${1:-$B}
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$SRCDIR/tests/lib.sh"
command -v sqlite3 >/dev/null || { echo "sqlite3 (the shell) is not installed"; exit 77; }
TMP=$(mktemp -d)
FIXTURE_PID=
cleanup() {
	[ -z "$FIXTURE_PID" ] || kill "$FIXTURE_PID" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
ok() { echo "ok - $*"; }
OPML="$SRCDIR/tests/fixtures/opml"

# expect_exit CODE MESSAGE-REGEX CMD...: CMD exits CODE with exactly one
# line on stderr that matches MESSAGE-REGEX.
expect_exit() {
	local want=$1 re=$2 rc=0
	shift 2
	"$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
	[ "$rc" = "$want" ] || { cat "$TMP/err"; fail "$* exited $rc, not $want"; }
	[ "$(wc -l <"$TMP/err")" = 1 ] || { cat "$TMP/err"; fail "$*: not one line on stderr"; }
	grep -Eq -- "$re" "$TMP/err" || { cat "$TMP/err"; fail "$*: message does not match $re"; }
}

mkdir -p "$TMP/www"
start_fixture_server "$TMP/www" "$TMP"
render "$SRCDIR/tests/fixtures/demo/www" "$TMP/www"
cat > "$TMP/bw.conf" <<CONF
[daemon]
database = $TMP/bw.db
socket = $TMP/bw.sock
allow_private = yes
[feed nato]
url = $BASE/feeds/nato.xml
profile = nato
[feed whitehouse]
url = $BASE/feeds/whitehouse.atom
profile = whitehouse
CONF
"$B/briefwatchd" --config "$TMP/bw.conf" --once 2>"$TMP/daemon.log" || { cat "$TMP/daemon.log"; fail "briefwatchd --once failed"; }
[ "$(sqlite3 "$TMP/bw.db" 'SELECT count(*) FROM briefings')" = 3 ] || fail "the daemon did not store 3 briefings"
CLI=("$B/briefwatch" --config "$TMP/bw.conf")
# Ids follow ingestion order, which the parallel fetches do not fix.
q() { sqlite3 "$TMP/bw.db" "$1"; }
PC=$(q "SELECT id FROM briefings WHERE title = 'Press conference'")
WH=$(q "SELECT id FROM briefings WHERE feed = 'whitehouse'")
ok "briefwatchd --once stored 3 briefings"

# ---- list ---------------------------------------------------------------
"${CLI[@]}" list > "$TMP/list" || fail "list failed"
[ "$(wc -l < "$TMP/list")" = 3 ] || { cat "$TMP/list"; fail "list does not show 3 briefings"; }
grep -q 'Joint press point' "$TMP/list" || fail "list misses a title"
ids() { "${CLI[@]}" list --json "$@" | python3 -c 'import json,sys; print(" ".join(str(json.loads(l)["id"]) for l in sys.stdin))'; }
all=$(ids)
[ "$all" = "1 2 3" ] || fail "list --json ids: $all"
# Expected sets come from the database itself, not from the CLI.
want=$(sqlite3 "$TMP/bw.db" "SELECT group_concat(id, ' ') FROM (SELECT id FROM briefings WHERE feed = 'nato' ORDER BY id)")
[ "$(ids --feed nato)" = "$want" ] || fail "list --feed nato: $(ids --feed nato), want $want"
want=$(sqlite3 "$TMP/bw.db" "SELECT group_concat(id, ' ') FROM (SELECT id FROM briefings WHERE published >= '2026-10-15' ORDER BY id)")
[ "$(ids --since 2026-10-15)" = "$want" ] || fail "list --since: $(ids --since 2026-10-15), want $want"
want=$(sqlite3 "$TMP/bw.db" "SELECT group_concat(id, ' ') FROM (SELECT id FROM briefings WHERE substr(published, 1, 7) <= '2026-10' ORDER BY id)")
[ "$(ids --until 2026-10)" = "$want" ] || fail "list --until 2026-10: $(ids --until 2026-10), want $want"
want=$(q "SELECT id FROM briefings WHERE published BETWEEN '2026-10-15' AND '2026-10-31'")
[ "$(ids --since 2026-10-15 --until 2026-10-31)" = "$want" ] || fail "list --since --until together"
[ "$(ids --kind transcript)" = "1 2 3" ] || fail "list --kind transcript"
[ -z "$(ids --kind speech)" ] || fail "list --kind speech is not empty"
[ "$(ids --limit 2)" = "1 2" ] || fail "list --limit 2: $(ids --limit 2)"
[ "$(ids --feed whitehouse --limit 1)" = "$WH" ] || fail "list --feed --limit"
ok "list honours --feed --since --until --kind --limit"

# ---- show ---------------------------------------------------------------
"${CLI[@]}" show $PC > "$TMP/show.txt" || fail "show failed"
grep -q '^Ingrid Halvorsen:$' "$TMP/show.txt" || fail "show: no speaker line"
# Not a terminal: paragraphs stay whole lines.
long=$(awk '{ if (length($0) > n) n = length($0) } END { print n }' "$TMP/show.txt")
[ "$long" -gt 100 ] || fail "show wrapped its output although stdout is not a terminal"
"${CLI[@]}" show $PC --width 60 > "$TMP/show60.txt" || fail "show --width failed"
long=$(awk '{ if ($0 !~ /^  url:/ && length($0) > n) n = length($0) } END { print n }' "$TMP/show60.txt")
[ "$long" -le 60 ] || fail "show --width 60 printed a line of $long columns"
# Wrapping moves words, it never loses them.
tr -s ' \n' '\n\n' < "$TMP/show.txt" | grep -v '^$' > "$TMP/w1"
tr -s ' \n' '\n\n' < "$TMP/show60.txt" | grep -v '^$' > "$TMP/w2"
cmp -s "$TMP/w1" "$TMP/w2" || { diff "$TMP/w1" "$TMP/w2" | head; fail "wrapping changed the words"; }
if command -v script >/dev/null; then
	COLUMNS=50 script -qec "stty cols 50 2>/dev/null; ${CLI[*]} show $PC" /dev/null > "$TMP/showtty.txt" || fail "show on a terminal failed"
	long=$(tr -d '\r' < "$TMP/showtty.txt" | awk '{ if ($0 !~ /^  url:/ && length($0) > n) n = length($0) } END { print n }')
	[ "$long" -le 50 ] || fail "show on a 50-column terminal printed a line of $long columns"
	COLUMNS=50 script -qec "stty cols 50 2>/dev/null; ${CLI[*]} list" /dev/null > "$TMP/listtty.txt" || fail "list on a terminal failed"
	long=$(tr -d '\r' < "$TMP/listtty.txt" | awk '{ if (length($0) > n) n = length($0) } END { print n }')
	[ "$long" -le 50 ] || fail "list on a 50-column terminal printed a line of $long columns"
	ok "show wraps and list cuts at the terminal width"
fi
"${CLI[@]}" show $PC --json | python3 -c 'import json,sys; b = json.load(sys.stdin); assert b["id"] == int(sys.argv[1]) and len(b["turns"]) >= 4, b' "$PC" || fail "show --json"
ok "show is readable as text (wrapped on request) and as JSON"

# ---- search -------------------------------------------------------------
"${CLI[@]}" search undersea --json > "$TMP/search.json" || fail "search failed"
python3 - "$TMP/search.json" "$PC" <<'PY' || fail "search hits are wrong"
import json, sys
hits = [json.loads(l) for l in open(sys.argv[1])]
assert hits and hits[0]["id"] == int(sys.argv[2]) and hits[0]["speaker"] == "Ingrid Halvorsen", hits
PY
[ "$("${CLI[@]}" search sanctions --json | wc -l)" -ge 2 ] || fail "sanctions should match two briefings"
n=$("${CLI[@]}" search sanctions --json --limit 1 | wc -l)
[ "$n" = 1 ] || fail "search --limit 1 gave $n hits"
"${CLI[@]}" search sanctions --json --kind transcript --since 2026-11 > "$TMP/s2" || fail "search with filters failed"
python3 -c 'import json,sys; h=[json.loads(l) for l in open(sys.argv[1])]; assert h and all(x["published"] >= "2026-11" for x in h), h' "$TMP/s2" || fail "search --since"
[ -z "$("${CLI[@]}" search sanctions --until 2026-10-01)" ] || fail "search --until before everything is not empty"
[ -z "$("${CLI[@]}" search sanctions --kind speech)" ] || fail "search --kind speech is not empty"
expect_exit 1 'search: bad search query: .*double quotes' "${CLI[@]}" search '"unterminated'
expect_exit 1 'search: bad search query' "${CLI[@]}" search 'sanctions AND'
ok "search: filters, limits, and a clear message for malformed queries"

# ---- export -------------------------------------------------------------
"${CLI[@]}" export --format jsonl > "$TMP/export.jsonl" || fail "export failed"
python3 - "$TMP/export.jsonl" <<'PY' || fail "export lines are not briefing records"
import json, sys
lines = open(sys.argv[1]).read().split("\n")
assert lines[-1] == "", "no final newline"
recs = [json.loads(l) for l in lines[:-1]]
assert [r["id"] for r in recs] == [1, 2, 3], [r["id"] for r in recs]
for r in recs:
    for k in ("id", "feed", "url", "kind", "title", "published", "speakers", "turns"):
        assert k in r, (k, r.keys())
    assert r["turns"] and all(t["type"] in ("statement", "question") and t["text"] for t in r["turns"]), r["turns"]
PY
[ "$("${CLI[@]}" export --feed whitehouse | wc -l)" = 1 ] || fail "export --feed"
[ "$("${CLI[@]}" export --since 2026-10-15 | wc -l)" = 2 ] || fail "export --since"
ok "export: one JSON briefing record with turns per line, filters honoured"

# ---- a closed pipe (issue #22 item 14) -----------------------------------
# `export | head -1` used to die of SIGPIPE (status 141).
for cmd in export list; do
	rc=0
	# the reader is gone before the first write: EPIPE every time
	( set +o pipefail; "${CLI[@]}" $cmd 2>"$TMP/pipe.err" | true; exit "${PIPESTATUS[0]}" ) || rc=$?
	[ "$rc" = 0 ] || { cat "$TMP/pipe.err"; fail "$cmd into a closed pipe exited $rc"; }
	[ ! -s "$TMP/pipe.err" ] || { cat "$TMP/pipe.err"; fail "$cmd into a closed pipe was not quiet"; }
done
ok "export and list into a pipe closed early exit 0, quietly"

# ---- bidi controls (issue #22 item 6) ------------------------------------
# A title with U+202E (right-to-left override) and U+2066 (isolate) would
# reorder what the terminal shows; text output drops them as it blanks
# C0/C1 controls, --json keeps the title as published.
cp "$TMP/bw.db" "$TMP/bidi.db"
RLO=$(printf '\342\200\256') LRI=$(printf '\342\201\246')
# the FTS triggers use briefwatch's tokenizer: the shell loads it
sqlite3 -cmd ".load $B/bwtok" "$TMP/bidi.db" "UPDATE briefings SET title = 'Briefing ${RLO}txt.exe ${LRI}end' WHERE id = $PC;
	UPDATE revisions SET record = json_set(record, '\$.title', 'Briefing ${RLO}txt.exe ${LRI}end') WHERE briefing_id = $PC"
for cmd in "show $PC" "list" "search Briefing" "export"; do
	# shellcheck disable=SC2086
	"$B/briefwatch" --config "$TMP/bw.conf" --db "$TMP/bidi.db" $cmd > "$TMP/bidi.out" || fail "$cmd on the bidi database failed"
	case "$cmd" in
	export) grep -q "$RLO" "$TMP/bidi.out" || fail "export (JSON) lost U+202E" ;;
	*)
		grep -q "Briefing txt.exe end" "$TMP/bidi.out" || { head -5 "$TMP/bidi.out"; fail "$cmd lost the title"; }
		! grep -q "$RLO\|$LRI" "$TMP/bidi.out" || fail "$cmd printed a bidi control to the terminal" ;;
	esac
done
ok "show, list and search drop bidi controls from titles; export keeps them"
# A statement nobody is credited with reads "(unattributed):", not "?:".
sqlite3 -cmd ".load $B/bwtok" "$TMP/bidi.db" "UPDATE revisions SET record = json_set(json_set(json_set(record,
	'\$.turns[0].speaker', NULL), '\$.turns[0].label', NULL), '\$.turns[0].type', 'statement')
	WHERE briefing_id = $PC"
"$B/briefwatch" --config "$TMP/bw.conf" --db "$TMP/bidi.db" show "$PC" > "$TMP/bidi.out" || fail "show failed"
grep -qx '(unattributed):' "$TMP/bidi.out" || { head -20 "$TMP/bidi.out"; fail "a turn without a speaker is not shown as (unattributed)"; }
! grep -qx '?:' "$TMP/bidi.out" || fail "show printed ?: for a turn without a speaker"
ok "show: a turn without a speaker or label reads (unattributed)"

# ---- backup -------------------------------------------------------------
"${CLI[@]}" backup "$TMP/copy.db" > "$TMP/backup.out" || fail "backup failed"
grep -q '3 briefings' "$TMP/backup.out" || { cat "$TMP/backup.out"; fail "backup does not report its counts"; }
for t in briefings turns revisions speakers events feeds; do
	a=$(sqlite3 "$TMP/bw.db" "SELECT count(*) FROM $t")
	b=$(sqlite3 "$TMP/copy.db" "SELECT count(*) FROM $t")
	[ "$a" = "$b" ] || fail "backup: $t $b in the copy, $a in the database"
done
[ "$(sqlite3 "$TMP/copy.db" 'PRAGMA integrity_check')" = ok ] || fail "backup copy fails integrity_check"
[ ! -e "$TMP/copy.db-wal" ] || fail "backup left a -wal file beside the copy"
"$B/briefwatch" --db "$TMP/copy.db" show $PC --json >/dev/null || fail "the copy does not serve show"
expect_exit 1 'is the database itself' "${CLI[@]}" backup "$TMP/bw.db"
expect_exit 1 'backup: ' "${CLI[@]}" backup "$TMP/no/such/dir/x.db"
# issue #22 item 4: FILE that is not a regular file is refused and left
# alone (as root, /dev/full became a regular file; a FIFO stands in for
# it here), a symbolic link is followed as import-opml --write follows it,
# and the copy has the database's mode.
mkfifo "$TMP/fifo"
expect_exit 1 'is not a regular file \(a FIFO\)' "${CLI[@]}" backup "$TMP/fifo"
[ -p "$TMP/fifo" ] || fail "backup replaced a FIFO"
mkdir "$TMP/adir"
expect_exit 1 'is not a regular file \(a directory\)' "${CLI[@]}" backup "$TMP/adir"
echo old > "$TMP/target.db"
ln -s target.db "$TMP/link.db"
ln -s missing.db "$TMP/dangling.db"
chmod 600 "$TMP/bw.db"
"${CLI[@]}" backup "$TMP/link.db" > /dev/null || fail "backup through a symbolic link failed"
[ -L "$TMP/link.db" ] || fail "backup replaced the symbolic link instead of following it"
[ "$(sqlite3 "$TMP/target.db" 'SELECT count(*) FROM briefings')" = 3 ] ||
	fail "backup did not write the link's target"
[ "$(stat -c %a "$TMP/target.db")" = 600 ] || fail "the copy of a 0600 database is $(stat -c %a "$TMP/target.db")"
expect_exit 1 'symbolic link to a missing file' "${CLI[@]}" backup "$TMP/dangling.db"
chmod 640 "$TMP/bw.db"
"${CLI[@]}" backup "$TMP/copy2.db" > /dev/null || fail "backup to a new file failed"
[ "$(stat -c %a "$TMP/copy2.db")" = 640 ] || fail "the copy of a 0640 database is $(stat -c %a "$TMP/copy2.db")"
ok "backup: a consistent copy with the same counts"

# ---- import-opml --------------------------------------------------------
"${CLI[@]}" import-opml "$OPML/opml1-categories.opml" > "$TMP/sections" 2>"$TMP/import.err" || { cat "$TMP/import.err"; fail "import-opml to stdout failed"; }
[ "$(grep -c '^\[feed ' "$TMP/sections")" = 3 ] || { cat "$TMP/sections"; fail "import-opml printed no 3 sections"; }
grep -q '^url = https://www.defense.gov/DesktopModules/ArticleCS/RSS.ashx?ContentType=9&Site=945&max=10$' "$TMP/sections" || fail "an escaped URL was not decoded"
cp "$TMP/bw.conf" "$TMP/orig.conf"
cp "$TMP/bw.conf" "$TMP/edit.conf"
chmod 640 "$TMP/edit.conf" # not mkstemp's 0600
"$B/briefwatch" import-opml --config "$TMP/edit.conf" --write "$OPML/opml1-categories.opml" > "$TMP/write.out" || fail "import-opml --write failed"
grep -q 'briefwatch reload' "$TMP/write.out" || fail "import-opml --write does not mention reload"
[ "$(stat -c %a "$TMP/edit.conf")" = 640 ] || fail "import-opml --write changed the file's mode"
head -c "$(stat -c %s "$TMP/orig.conf")" "$TMP/edit.conf" | cmp -s - "$TMP/orig.conf" || fail "import-opml --write changed existing lines"
"$B/briefwatchd" --check-config --config "$TMP/edit.conf" > "$TMP/check.out" || fail "the imported configuration does not pass --check-config"
grep -q '5 feeds' "$TMP/check.out" || { cat "$TMP/check.out"; fail "--check-config does not count 5 feeds"; }
ls "$TMP"/edit.conf.* 2>/dev/null && fail "a temporary file was left beside the configuration"
# Again: every URL is configured already; the file stays as it is.
cp "$TMP/edit.conf" "$TMP/edit.before"
"$B/briefwatch" import-opml --config "$TMP/edit.conf" --write "$OPML/opml1-categories.opml" > "$TMP/write2.out" 2>"$TMP/write2.err" || fail "second import failed"
cmp -s "$TMP/edit.conf" "$TMP/edit.before" || fail "a second import of the same list changed the configuration"
grep -q 'skipped 3 already configured' "$TMP/write2.err" || { cat "$TMP/write2.err"; fail "no word about the skipped feeds"; }
# Colliding titles against configured names get suffixes.
"$B/briefwatch" import-opml --config "$TMP/edit.conf" --write "$OPML/collisions.opml" >/dev/null || fail "import of colliding names failed"
"$B/briefwatchd" --check-config --config "$TMP/edit.conf" >/dev/null || fail "the configuration after a colliding import is invalid"
grep -q '^\[feed press-releases-2\]$' "$TMP/edit.conf" || fail "no suffixed name for a colliding title"
# "press-releases" came with the first import; the new ones count on.
grep -q '^\[feed press-releases-3\]$' "$TMP/edit.conf" || fail "no second suffixed name"
[ -z "$(grep '^\[feed ' "$TMP/edit.conf" | sort | uniq -d)" ] || fail "a feed name appears twice"
ok "import-opml: sections on stdout; --write appends atomically, keeps the mode, skips known URLs"

# ---- export-opml and the round trip ----------------------------------------
"$B/briefwatch" export-opml --config "$TMP/edit.conf" > "$TMP/export.opml" || fail "export-opml failed"
python3 - "$TMP/export.opml" "$TMP/edit.conf" <<'PY' || fail "export-opml does not list the configured feeds"
import sys, xml.etree.ElementTree as ET, re
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "opml" and root.get("version") == "2.0"
got = [(o.get("title"), o.get("xmlUrl")) for o in root.iter("outline")]
conf = open(sys.argv[2]).read()
want = re.findall(r"^\[feed (\S+)\]\nurl = (\S+)$", conf, re.M)
assert got == want, (got, want)
PY
: > "$TMP/empty.conf"
"$B/briefwatch" import-opml --config "$TMP/empty.conf" --write "$TMP/export.opml" >/dev/null || fail "import of the exported list failed"
"$B/briefwatch" export-opml --config "$TMP/empty.conf" > "$TMP/export2.opml" || fail "export-opml of the round trip failed"
cmp -s "$TMP/export.opml" "$TMP/export2.opml" || { diff "$TMP/export.opml" "$TMP/export2.opml"; fail "export → import → export is not the same list"; }
ok "export-opml → import-opml into an empty configuration gives the same feeds"

# ---- errors: one line, exit 1 (runtime) or 2 (usage) -----------------------
cp "$TMP/edit.conf" "$TMP/edit.before"
expect_exit 1 'outline "Local archive" \(line 6\).*not an http:// or https://' \
	"$B/briefwatch" import-opml --config "$TMP/edit.conf" --write "$OPML/non-http.opml"
expect_exit 1 'declares an entity' "$B/briefwatch" import-opml "$OPML/entity.opml"
expect_exit 1 'not an OPML document' "$B/briefwatch" import-opml "$OPML/not-opml.xml"
expect_exit 1 'not well-formed XML: line 5' "$B/briefwatch" import-opml "$OPML/malformed.opml"
cmp -s "$TMP/edit.conf" "$TMP/edit.before" || fail "a failed import changed the configuration"
expect_exit 1 'no/such.opml: No such file' "$B/briefwatch" import-opml "$TMP/no/such.opml"
expect_exit 1 'No such file' "$B/briefwatch" export-opml --config "$TMP/no/such.conf"
expect_exit 2 'needs one OPML FILE' "$B/briefwatch" import-opml
expect_exit 2 'unknown option --frobnicate' "$B/briefwatch" import-opml --frobnicate x.opml
expect_exit 1 'show: no briefing 999' "${CLI[@]}" show 999
expect_exit 2 'show: "abc" is not a briefing id' "${CLI[@]}" show abc
expect_exit 2 'list: --since "last week" is not a date' "${CLI[@]}" list --since 'last week'
expect_exit 2 'list: --kind "memo" is not one of' "${CLI[@]}" list --kind memo
expect_exit 2 'list: --limit "-3" is not a count' "${CLI[@]}" list --limit -3
expect_exit 2 'list: option --feed needs a value' "${CLI[@]}" list --feed
expect_exit 2 'export: unknown format "csv"' "${CLI[@]}" export --format csv
expect_exit 2 'search: --until "soon" is not a date' "${CLI[@]}" search x --until soon
expect_exit 2 'list: --until "2026-13" is not a date' "${CLI[@]}" list --until 2026-13
expect_exit 2 'list: --since "2026-02-30" is not a date' "${CLI[@]}" list --since 2026-02-30
expect_exit 2 'tail: --kind "memo" is not one of' "${CLI[@]}" tail --kind memo
expect_exit 2 'backup: needs the FILE' "${CLI[@]}" backup
expect_exit 1 'list: database .*nope.db' "$B/briefwatch" --db "$TMP/nope.db" list
expect_exit 2 'unknown command "frob"' "$B/briefwatch" frob
"${CLI[@]}" list --help | grep -q '^usage: briefwatch list ' || fail "list --help"
ok "errors: one specific line, exit 1 or 2"
echo "all cli tests passed"
