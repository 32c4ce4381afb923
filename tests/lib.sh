# Shared shell helpers for the demo and the integration tests (sourced).
# Everything runs on loopback in a temp dir; ports are chosen at run time.

BW_PY=${BW_PY:-python3}

# wait_for TIMEOUT_S CMD...: run CMD every 0.1 s until it succeeds.
wait_for() {
	local limit=$(( $1 * 10 )) i=0
	shift
	while ! "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ "$i" -ge "$limit" ] && return 1
		sleep 0.1
	done
}

# start_fixture_server ROOT DIR: starts tests/fixtures/server.py on a free
# port; sets FIXTURE_PID, FIXTURE_PORT and BASE.
start_fixture_server() {
	local root=$1 dir=$2
	"$BW_PY" "$SRCDIR/tests/fixtures/server.py" --root "$root" --port 0 \
		--port-file "$dir/port" --log "$dir/http.log" 2>"$dir/server.err" &
	FIXTURE_PID=$!
	wait_for 10 test -s "$dir/port" || { echo "fixture server did not start" >&2; cat "$dir/server.err" >&2; return 1; }
	FIXTURE_PORT=$(cat "$dir/port")
	BASE="http://127.0.0.1:$FIXTURE_PORT"
}

# render SRC DST: copy a fixture tree, turning *.in files into their
# name without .in with {BASE} replaced by $BASE.
render() {
	local src=$1 dst=$2 f rel
	mkdir -p "$dst"
	(cd "$src" && find . -type f) | while read -r rel; do
		rel=${rel#./}
		mkdir -p "$dst/$(dirname "$rel")"
		case "$rel" in
		*.in) sed "s|{BASE}|$BASE|g" "$src/$rel" > "$dst/${rel%.in}.tmp" &&
			mv "$dst/${rel%.in}.tmp" "$dst/${rel%.in}" ;;
		*) cp "$src/$rel" "$dst/$rel" ;;
		esac
	done
}

# head_seq CLI SOCKET: the daemon's event head (from `status --json`).
head_seq() {
	"$1" --socket "$2" status --json 2>/dev/null |
		"$BW_PY" -c 'import json,sys; print(json.load(sys.stdin)["head"])'
}

head_at_least() {
	local h
	h=$(head_seq "$1" "$2") || return 1
	[ "${h:-0}" -ge "$3" ]
}
