#!/usr/bin/env bash
# kill -9 during ingestion, the short version for `make check` (the long one
# is tests/torture/run): a generated corpus of CRASH_FEEDS x CRASH_ITEMS
# briefings, CRASH_KILLS kills at random moments (by time and mid-ingest),
# a restart each time, and a reconnecting subscriber recording every event.
# At the end: every item stored exactly once, integrity_check and the FTS
# integrity-check pass, one event per briefing in strictly increasing seq,
# every received event names a stored briefing and the events received
# across reconnects are the whole log. See tests/torture/crash.py.
set -euo pipefail
B=${1:-$B}
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
exec python3 "$SRCDIR/tests/torture/crash.py" "$B" \
	--feeds "${CRASH_FEEDS:-10}" --items "${CRASH_ITEMS:-30}" \
	--kills "${CRASH_KILLS:-5}" --seed "${CRASH_SEED:-check}" --check-every 2
