#!/usr/bin/env bash
# docs serve: the target folder over HTTP on loopback, with content types, 404 for what is not a
# file under it (.. segments, encoded ones, symbolic links out, directories), 405 for other
# methods, and a clean stop on SIGINT.
. "$(dirname "$0")/lib.sh"
project shop

run docs generate
expect_rc 0
echo "secret" >"$WORK/outside.txt"
ln -s "$WORK/outside.txt" target/escape.txt

"$SLUICE" docs serve --port 0 --quiet >"$WORK/serve.out" 2>"$WORK/serve.err" &
pid=$!
bg_track "$pid"
wait_until 60 eval '[ -s "$WORK/serve.out" ] || ! running "$pid"'
url=$(head -n 1 "$WORK/serve.out" 2>/dev/null)
case "$url" in http://127.0.0.1:*) ok "the server listens on loopback ($url)" ;; *) not_ok "the server listens on loopback" "$(cat "$WORK/serve.err")" ;; esac

get() {  # get PATH: prints "status content-type"
	curl -s -o "$WORK/body" -w '%{http_code} %{content_type}' --path-as-is "${url%/}$1" 2>/dev/null
}
check() {  # check PATH EXPECTED [what]
	local got
	got=$(get "$1")
	if [ "$got" = "$2" ]; then ok "${3:-GET $1 -> $2}"; else not_ok "${3:-GET $1 -> $2}" "got: $got"; fi
}
check /manifest.json "200 application/json"
check /catalog.json "200 application/json"
check /compiled/shop/models/marts/revenue.sql "200 text/plain; charset=utf-8"
check /nope.html "404 text/plain; charset=utf-8"
check /../dbt_project.yml "404 text/plain; charset=utf-8" "a .. segment is refused"
check /%2e%2e/dbt_project.yml "404 text/plain; charset=utf-8" "an encoded .. segment is refused"
check /compiled/../../dbt_project.yml "404 text/plain; charset=utf-8" "a deeper .. is refused"
check /escape.txt "404 text/plain; charset=utf-8" "a symbolic link out of the target folder is refused"
check /compiled/ "404 text/plain; charset=utf-8" "a folder without index.html is not listed"
if grep -q '"nodes"' "$WORK/body" 2>/dev/null; then not_ok "no listing"; else ok "no listing"; fi
got=$(curl -s -o /dev/null -w '%{http_code}' -X POST "${url%/}/manifest.json")
if [ "$got" = 405 ]; then ok "POST is refused with 405"; else not_ok "POST is refused with 405" "got $got"; fi

kill -INT "$pid"
wait_pid "$pid"
RC=$?
expect_rc 0 "Ctrl-C stops the server cleanly"

done_testing
