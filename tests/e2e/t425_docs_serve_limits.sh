#!/usr/bin/env bash
# docs serve, hardened: ports outside 0-65535 are refused (0 picks a free one); a request must
# name this server in its Host header (DNS rebinding), unless --host 0.0.0.0, which warns; database
# files are never served, whatever their name; a thousand slow connections kept open do not lock
# a new client out; an idle connection is closed by the server.
. "$(dirname "$0")/lib.sh"
project shop

run docs generate
expect_rc 0
db=$(ls target/*.duckdb | head -n 1)
expect_file "$db" "the default target keeps its database under target/"
cp "$db" target/renamed.bin
touch "$db.wal"
printf 'SQLite format 3\0rest' >target/notes.txt

# ports
for p in 99999 65536; do
	run docs serve --port "$p"
	expect_rc 2 "--port $p is refused"
	expect_err "Error: --port $p is not a TCP port"
done

# serve PID_VAR ARGS...: starts a server, sets URL and SPID
serve() {
	: >"$WORK/serve.out"   # here, not by the child's redirection: never read the last server's URL
	"$SLUICE" docs serve --port 0 --quiet "$@" >"$WORK/serve.out" 2>"$WORK/serve.err" &
	SPID=$!
	bg_track "$SPID"
	wait_until 60 eval '[ -s "$WORK/serve.out" ] || ! running "$SPID"'
	URL=$(head -n 1 "$WORK/serve.out" 2>/dev/null)
	PORT=${URL##*:}
	PORT=${PORT%/}
}
status() {  # status PATH [curl options...]: the HTTP status
	local path=$1
	shift
	curl -s -o "$WORK/body" -w '%{http_code}' --max-time 60 "$@" "http://127.0.0.1:$PORT$path" 2>/dev/null
}
check() {  # check EXPECTED what PATH [curl options...]
	local want=$1 what=$2 got
	shift 2
	got=$(status "$@")
	if [ "$got" = "$want" ]; then ok "$what"; else not_ok "$what" "got $got: $(head -c 300 "$WORK/body")"; fi
}

serve
check 200 "a loopback request is served" /manifest.json
check 200 "Host: localhost:<port>" /manifest.json -H "Host: localhost:$PORT"
check 200 "Host: [::1]:<port>" /manifest.json -H "Host: [::1]:$PORT"
check 200 "Host: 127.0.0.1 without a port" /manifest.json -H "Host: 127.0.0.1"
check 403 "Host: a foreign name is refused (DNS rebinding)" /manifest.json -H "Host: attacker.example:$PORT"
if grep -q "Host header does not name this server" "$WORK/body"; then ok "the refusal says why"; else not_ok "the refusal says why" "$(cat "$WORK/body")"; fi
check 403 "a name that merely starts like a loopback address is refused" /manifest.json -H "Host: 127.0.0.1.attacker.example"
check 403 "a request without a Host header is refused" /manifest.json -H "Host:" --http1.0
check 404 "the database is not served" "/${db#target/}"
check 404 "nor its write-ahead log" "/${db#target/}.wal"
check 404 "nor a database under another name" /renamed.bin
check 404 "nor an SQLite file" /notes.txt
check 200 "the docs page still is" /index.html

# a thousand slow clients: each sends a header line every second and never ends its request
cat >"$WORK/slow.js" <<'EOS'
const net = require("net");
const [port, count] = [Number(process.argv[2]), Number(process.argv[3])];
let open = 0;
const socks = [];
for (let i = 0; i < count; i++) {
	const s = net.connect(port, "127.0.0.1", () => {
		s.write("GET /manifest.json HTTP/1.1\r\nHost: localhost\r\n");
		if (++open === count) console.log("ready " + open);
	});
	s.on("error", () => {});
	socks.push(s);
}
setInterval(() => { for (const s of socks) if (!s.destroyed) s.write("X-Slow: 1\r\n"); }, 1000);
EOS
( ulimit -n 4096; exec node "$WORK/slow.js" "$PORT" 1000 >"$WORK/slow.out" 2>&1 ) &
SLOW=$!
bg_track "$SLOW"
wait_until 120 eval 'grep -q ready "$WORK/slow.out" || ! running "$SLOW"'
if grep -q "ready 1000" "$WORK/slow.out"; then ok "1,000 slow connections are open"; else not_ok "1,000 slow connections are open" "$(cat "$WORK/slow.out")"; fi
check 200 "a new client is served while they hang on" /manifest.json
stop_pid "$SLOW" 2>/dev/null

# an idle connection is closed by the server (per-connection timeout), not kept forever
cat >"$WORK/idle.js" <<'EOS'
const net = require("net");
const t0 = Date.now();
const s = net.connect(Number(process.argv[2]), "127.0.0.1");
s.on("close", () => { console.log("closed after " + (Date.now() - t0) + " ms"); process.exit(0); });
s.on("error", () => {});
setTimeout(() => { console.log("still open"); process.exit(1); }, 120000);
EOS
node "$WORK/idle.js" "$PORT" >"$WORK/idle.out" 2>&1
if grep -q "closed after" "$WORK/idle.out"; then ok "an idle connection is closed ($(cat "$WORK/idle.out"))"
else not_ok "an idle connection is closed" "$(cat "$WORK/idle.out")"; fi
kill -INT "$SPID"
wait_pid "$SPID"
RC=$?
expect_rc 0 "the server stops cleanly"

# --host 0.0.0.0: any name is accepted, with a warning
serve --host 0.0.0.0
if grep -q "warning: --host 0.0.0.0 serves the docs on every network" "$WORK/serve.err"; then ok "--host 0.0.0.0 warns"
else not_ok "--host 0.0.0.0 warns" "$(cat "$WORK/serve.err")"; fi
check 200 "--host 0.0.0.0 accepts any Host name" /manifest.json -H "Host: docs.example:$PORT"
check 404 "and still never serves the database" "/${db#target/}"
kill -INT "$SPID"
wait_pid "$SPID"

done_testing
