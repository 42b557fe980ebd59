#!/usr/bin/env bash
# run_test.sh SECONDS COMMAND [ARGS...]: runs one test in a session of its own, with a deadline.
#
# CTest reads a test's output through a pipe and waits for every writer of that pipe to close it,
# not just for the test's own process: a server the test started and failed to stop (after a failed
# assertion, say) keeps CTest waiting forever, past the test's TIMEOUT. So every test runs here:
#  - when it ends, whatever it left running in its session is stopped (TERM, then KILL);
#  - past SECONDS it is stopped the same way and fails, after listing what still ran, which shows
#    what hung.
# The deadline must stay below the test's CTest TIMEOUT, so that this script is never killed first.
set -u
limit=$1
shift
marker=$(mktemp "${TMPDIR:-/tmp}/sluice-test.XXXXXX")

# A background child of a shell without job control is no group leader, so setsid(1) makes it a
# session leader in place: $! is the session's id.
setsid "$@" &
pid=$!

# alive: the processes of the test's session that still run (zombies wait for their reaper, not us)
alive() {
	ps -o pid=,stat= -s "$pid" | awk '$2 !~ /^Z/ { print $1 }'
}

# stop_session: TERM to every process of the test's session (traps run: servers stop cleanly),
# then KILL to what is left after a grace period
stop_session() {
	local left i
	left=$(alive)
	[ -n "$left" ] || return 0
	kill -TERM $left 2>/dev/null
	for i in $(seq 1 100); do
		left=$(alive)
		[ -n "$left" ] || return 0
		sleep 0.1
	done
	kill -KILL $left 2>/dev/null
	return 0
}

watchdog() {
	local s
	trap 'kill "$s" 2>/dev/null; exit 0' TERM
	sleep "$limit" >/dev/null 2>&1 &
	s=$!
	wait "$s"
	echo "timed out" >"$marker"
	echo "run_test.sh: the test ran past its ${limit} s deadline; still running:" >&2
	ps -o pid=,etimes=,args= -s "$pid" >&2
	stop_session
}
watchdog &
wd=$!
trap 'stop_session; kill "$wd" 2>/dev/null; rm -f "$marker"; exit 130' INT TERM

wait "$pid"
rc=$?
kill "$wd" 2>/dev/null
wait "$wd" 2>/dev/null

if [ -n "$(alive)" ]; then
	echo "run_test.sh: the test left processes running; stopping them:" >&2
	ps -o pid=,stat=,args= -s "$pid" | awk '$2 !~ /^Z/' >&2
	stop_session
fi
if [ -s "$marker" ]; then
	rm -f "$marker"
	echo "run_test.sh: FAILED (timeout after ${limit} s)" >&2
	exit 1
fi
rm -f "$marker"
exit "$rc"
