#!/usr/bin/env bash
# Start-up cost: the programs must not be linked against poppler-glib (and
# through it cairo, fontconfig, GLib...): its relocations were two thirds
# of the start-up of `briefwatch parse feed` (docs/transcripts.md, "PDF
# pages"). poppler-glib is dlopen()ed on the first PDF page instead, so a
# PDF must still parse from the command line: a page drawn by
# tests/fixtures/pdf/mkpdf.py (cairo) through `briefwatch parse transcript`.
set -euo pipefail
B=${1:-$B}
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
ok() { echo "ok - $*"; }

for prog in briefwatch briefwatchd; do
	readelf -d "$B/$prog" > "$TMP/dyn" || fail "readelf $prog"
	grep -q 'NEEDED.*libc\.so' "$TMP/dyn" || fail "no NEEDED list for $prog"
	if grep -E 'NEEDED.*(poppler|cairo|glib|gobject)' "$TMP/dyn"; then
		fail "$prog is linked against the libraries above"
	fi
	ok "$prog: no poppler/cairo/GLib among its NEEDED libraries"
done

if ! /usr/bin/python3 -c 'import cairo' 2>/dev/null; then
	echo "python3-cairo missing (make deps): PDF part not run"
	exit 0
fi
/usr/bin/python3 "$SRCDIR/tests/fixtures/pdf/mkpdf.py" \
	"$SRCDIR/tests/fixtures/pdf/press_briefing.txt" "$TMP/b.pdf" ||
	fail "cannot draw the PDF"
"$B/briefwatch" parse transcript "$TMP/b.pdf" \
	--url http://127.0.0.1/b.pdf > "$TMP/out.json" 2> "$TMP/err" ||
	fail "parse transcript of a PDF: $(cat "$TMP/err")"
/usr/bin/python3 - "$TMP/out.json" <<'PY' || fail "the PDF's record"
import json, sys
r = json.load(open(sys.argv[1]))
turns = r.get("turns") or []
assert len(turns) >= 5, r
assert r.get("title"), r
PY
ok "a PDF page parses from the command line (poppler-glib by dlopen)"
