#!/usr/bin/env bash
# The disk fills up mid-ingest, then space returns (tests/torture/diskfull.py):
# status says degraded while full, the feed's validators do not advance,
# nothing is stored or announced half-way, ingest resumes by itself, a
# daemon stopped while full re-fetches the feed (200) after a restart, and
# the database passes integrity_check and the FTS integrity-check.
# Two ways to fill the disk: a small tmpfs (needs root and mount(2); real
# ENOSPC) and RLIMIT_FSIZE lowered on the running daemon (EFBIG + SIGXFSZ,
# as with systemd's LimitFSIZE=). Skips (77) only when neither is possible.
set -uo pipefail
B=${1:-$B}
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
ran=0 failed=0
for mode in tmpfs rlimit; do
	python3 "$SRCDIR/tests/torture/diskfull.py" "$B" --mode "$mode" \
		--items "${DISKFULL_ITEMS:-150}"
	case $? in
	0) ran=$((ran + 1)) ;;
	77) echo "skip: $mode" ;;
	*) ran=$((ran + 1)); failed=1 ;;
	esac
done
[ $failed -eq 0 ] || exit 1
[ $ran -gt 0 ] || { echo "neither a tmpfs nor prlimit is available"; exit 77; }
