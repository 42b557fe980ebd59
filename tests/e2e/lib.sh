# Helpers for end-to-end tests: each t*.sh sources this, copies a fixture project into a fresh
# temporary folder, runs the built binary and checks exit codes, output, files and table contents.
# Every check prints "ok N - what" or "not ok N - what" (TAP); the script's exit code is the verdict.
set -u

SLUICE=${SLUICE_BIN:?SLUICE_BIN must name the sluice binary}
DATA=${SLUICE_TEST_DATA:?SLUICE_TEST_DATA must name tests/}
ROOT=${SLUICE_ROOT:-$DATA/..}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/sluice-e2e.XXXXXX")
# Whatever way the test ends (done_testing, a Bail out, a signal), the commands given to at_exit
# run, newest first (helpers stop their servers there), then background processes registered with
# bg_track are stopped, then $WORK goes: nothing a test started outlives it.
_AT_EXIT=()
_BG_PIDS=()
at_exit() { _AT_EXIT+=("$1"); }
bg_track() { _BG_PIDS+=("$1"); }
_cleanup() {
	local i p
	for ((i = ${#_AT_EXIT[@]} - 1; i >= 0; i--)); do eval "${_AT_EXIT[$i]}"; done
	for p in "${_BG_PIDS[@]}"; do
		if running "$p"; then stop_pid "$p" 10 >/dev/null 2>&1; fi
	done
	rm -rf "$WORK"
}
trap _cleanup EXIT
trap 'exit 130' INT TERM
# a test never sees the developer's own profiles or colours
export HOME="$WORK/home"
mkdir -p "$HOME"
unset DBT_PROFILES_DIR DBT_TARGET DBT_PROJECT_DIR
export NO_COLOR=1

n=0
failed=0
OUT="$WORK/out"
ERR="$WORK/err"
RC=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"
	if [ -n "${2:-}" ]; then printf '%s\n' "$2" | sed 's/^/#   /'; fi
}

# project NAME: copies tests/e2e/projects/NAME (or examples/NAME) to $WORK/NAME and cds there
project() {
	local src="$DATA/e2e/projects/$1"
	[ -d "$src" ] || src="$ROOT/examples/$1"
	rm -rf "${WORK:?}/$1"
	cp -r "$src" "$WORK/$1"
	cd "$WORK/$1" || exit 2
}

# run ARGS...: runs sluice, keeping stdout, stderr and the exit code
run() {
	"$SLUICE" "$@" >"$OUT" 2>"$ERR"
	RC=$?
}

expect_rc() {
	if [ "$RC" -eq "$1" ]; then ok "${2:-exit code $1}"
	else not_ok "${2:-exit code $1}" "expected exit $1, got $RC
stdout: $(head -c 3000 "$OUT")
stderr: $(head -c 3000 "$ERR")"; fi
}

# expect_out TEXT [what]: stdout contains TEXT (fixed string)
expect_out() {
	if grep -qF -- "$1" "$OUT"; then ok "${2:-stdout has '$1'}"
	else not_ok "${2:-stdout has '$1'}" "stdout: $(head -c 3000 "$OUT")
stderr: $(head -c 2000 "$ERR")"; fi
}

# expect_out_re REGEX [what]: a line of stdout matches the extended regular expression
expect_out_re() {
	if grep -qE -- "$1" "$OUT"; then ok "${2:-stdout matches /$1/}"
	else not_ok "${2:-stdout matches /$1/}" "stdout: $(head -c 3000 "$OUT")
stderr: $(head -c 2000 "$ERR")"; fi
}

expect_err() {
	if grep -qF -- "$1" "$ERR"; then ok "${2:-stderr has '$1'}"
	else not_ok "${2:-stderr has '$1'}" "stderr: $(head -c 3000 "$ERR")
stdout: $(head -c 2000 "$OUT")"; fi
}

expect_no_out() {
	if ! grep -qF -- "$1" "$OUT" "$ERR"; then ok "${2:-output lacks '$1'}"
	else not_ok "${2:-output lacks '$1'}" "$(grep -F -- "$1" "$OUT" "$ERR" | head -5)"; fi
}

expect_file() {
	if [ -e "$1" ]; then ok "${2:-file $1 exists}"; else not_ok "${2:-file $1 exists}"; fi
}

# expect_file_eq FILE TEXT [what]: FILE holds exactly TEXT (plus its final newline)
expect_file_eq() {
	local want got
	want=$(printf '%s\n' "$2")
	got=$(cat "$1" 2>/dev/null)
	if [ "$got" = "$want" ]; then ok "${3:-$1 as expected}"
	else not_ok "${3:-$1 as expected}" "$(diff <(printf '%s\n' "$want") <(printf '%s\n' "$got"))"; fi
}

# query SQL: prints the rows of SQL (run through the project's target) as "a|b|c" lines
query() {
	"$SLUICE" show --quiet --limit -1 --output json --inline "$1" "${@:2}" 2>"$WORK/qerr" |
		python_free_rows
}

# turns {"show": [{"a": 1, "b": "x"}, ...]} into "1|x" lines, without needing Python: the JSON
# printed by show has one key-value pair a line (indent 2)
python_free_rows() {
	awk '
	/^    \{/ { row = ""; first = 1; inrow = 1; next }
	/^    \}/ { print row; inrow = 0; next }
	inrow {
		line = $0
		sub(/^ +"[^"]*": /, "", line)
		sub(/,$/, "", line)
		if (line ~ /^".*"$/) { line = substr(line, 2, length(line) - 2) }
		row = first ? line : row "|" line
		first = 0
	}'
}

# expect_query SQL EXPECTED [what]: rows of SQL equal EXPECTED (lines "a|b")
expect_query() {
	local got
	got=$(query "$1")
	if [ "$got" = "$2" ]; then ok "${3:-query: $1}"
	else not_ok "${3:-query: $1}" "expected:
$2
got:
$got
$(cat "$WORK/qerr")"; fi
}

# json_get FILE PATH: a value from a JSON file, PATH like .nodes["model.p.x"].config.materialized
json_get() {
	node -e '
		const fs = require("fs");
		const d = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
		const v = eval("d" + process.argv[2]);
		console.log(typeof v === "object" ? JSON.stringify(v) : String(v));
	' "$1" "$2" 2>&1
}

expect_json() {
	local got
	got=$(json_get "$1" "$2")
	if [ "$got" = "$3" ]; then ok "${4:-$1 $2 = $3}"
	else not_ok "${4:-$1 $2 = $3}" "got: $got"; fi
}

# wait_until SECONDS COMMAND [ARGS...]: runs COMMAND every 50 ms until it succeeds (0) or SECONDS
# of wall-clock time have passed (1). The bound is generous on purpose: it only keeps a test that
# has gone wrong from waiting for ever; a test that goes right never gets near it, however slow
# the machine (sanitizers, a busy CPU).
wait_until() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.05
	done
}

# running PID: the process runs (neither ended nor a zombie waiting for its parent)
running() {
	kill -0 "$1" 2>/dev/null && ! ps -o stat= -p "$1" 2>/dev/null | grep -q '^Z'
}

# wait_pid PID [SECONDS]: the exit code of a child of this shell, once it has ended; one still
# running after SECONDS (120) is killed (exit 137), so that a process that hangs fails the test
# instead of hanging it
wait_pid() {
	local pid=$1 limit=${2:-120}
	if ! wait_until "$limit" eval '! running '"$pid"; then
		echo "# process $pid still ran after $limit s: killed" >&2
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid"
}

# stop_pid PID [SECONDS]: SIGTERM to a child of this shell, then wait_pid (30 s)
stop_pid() {
	kill -TERM "$1" 2>/dev/null
	wait_pid "$1" "${2:-30}"
}

done_testing() {
	echo "1..$n"
	if [ "$failed" -ne 0 ]; then
		echo "# $failed of $n checks failed"
		exit 1
	fi
	exit 0
}

# --- partial parsing: how a load went, from logs/sluice.log -------------------------------------
# load_once ARGS...: sluice ARGS with the log emptied first; HOW=snapshot when the nodes were read
# from the project snapshot, partial when changed files were parsed again and the rest read from
# it, else full
load_once() {
	mkdir -p logs && : >logs/sluice.log
	run "$@"
	if grep -q "its nodes are read from" logs/sluice.log; then HOW=snapshot
	elif grep -q "parsed again, the other nodes read from" logs/sluice.log; then HOW=partial
	else HOW=full; fi
}
# expect_how WANT WHAT: the last load (or parse) went the WANT way
expect_how() {
	if [ "$HOW" = "$1" ]; then ok "$2 ($1)"
	else not_ok "$2 ($1)" "got a $HOW load; log: $(cat logs/sluice.log)
stdout: $(head -c 2000 "$OUT")
stderr: $(head -c 2000 "$ERR")"; fi
}
# reason TEXT: the log says why partial parsing was not used
reason() {
	if grep -qF -- "Unable to do partial parsing because $1" logs/sluice.log; then ok "the log says: $1"
	else not_ok "the log says: $1" "$(cat logs/sluice.log)"; fi
}
# strip_manifest FILE: the manifest without what changes on every write (metadata, created_at)
strip_manifest() {
	node -e '
		const fs = require("fs");
		const m = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
		delete m.metadata;
		console.log(JSON.stringify(m, (k, v) => (k === "created_at" ? undefined : v)));
	' "$1"
}
