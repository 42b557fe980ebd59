#!/usr/bin/env bash
# The same fixture project (shop) on both engines: DuckDB through its profile, then PostgreSQL on a
# server the test starts. Same progress lines, same tables and rows, same artifacts; then what only
# a server shows: `sluice debug` prints its version, the password stays out of everything written.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"
pg_start

check_shop() {
	local engine=$1
	run run
	expect_rc 0 "$engine: run succeeds"
	expect_out "Found 4 models"
	expect_out "START sql view model main.stg_items" "$engine: views in schema main"
	expect_out "OK created sql table model main.revenue" "$engine: tables in schema main"
	expect_out "Done. PASS=4 WARN=0 ERROR=0 SKIP=0 TOTAL=4" "$engine: summary"
	expect_query "select item_name, revenue, currency from {{ ref('revenue') }} order by 1" \
"apple|6.0|EUR
pear|0.8|EUR
plum|4.5|EUR" "$engine: revenue has the right rows"
	expect_query "select * from {{ ref('top_item') }}" "apple" "$engine: top_item is built from revenue"
	expect_query "select table_name, table_type from information_schema.tables where table_schema = 'main' order by 1" \
"revenue|BASE TABLE
stg_items|VIEW
stg_sales|VIEW
top_item|BASE TABLE" "$engine: views and tables as configured, no leftovers"
	expect_json target/manifest.json '.nodes["model.shop.revenue"].config.materialized' table
	expect_json target/run_results.json '.results.every(r => r.status === "success")' true "$engine: run_results all success"
	run run
	expect_rc 0 "$engine: a second run replaces everything in place"
	expect_query "select count(*) from {{ ref('revenue') }}" "3" "$engine: the second run rebuilt revenue"
	run test
	expect_rc 0 "$engine: tests pass"
	expect_out "Done. PASS=2 WARN=0 ERROR=0 SKIP=0 TOTAL=2"
}

project shop
check_shop duckdb

project shop
pg_profile shop main
check_shop postgres
if grep -q '"sluice_test"."main"."stg_sales"' target/compiled/shop/models/marts/revenue.sql; then
	ok "ref() renders database.schema.identifier of the server"
else not_ok "ref() renders database.schema.identifier of the server" "$(cat target/compiled/shop/models/marts/revenue.sql)"; fi
expect_json target/manifest.json '.nodes["model.shop.revenue"].database' sluice_test
run run -s revenue
expect_json target/run_results.json '.results[0].adapter_response._message' "SELECT 3" \
	"the server's command status is the adapter response"

run debug
expect_rc 0 "debug succeeds against the server"
expect_out "type: postgres"
expect_out "port: $PG_PORT" "debug shows the port"
expect_out_re "server version: PostgreSQL 1[0-9]" "debug prints the server version"
expect_out "Connection test: [OK connection ok]"
if grep -rqF "$PG_PASSWORD" target logs "$OUT" "$ERR" 2>/dev/null; then
	not_ok "the password appears nowhere in target/, logs/ or the output" "$(grep -rlF "$PG_PASSWORD" target logs | head)"
else ok "the password appears nowhere in target/, logs/ or the output"; fi

# each model runs in a transaction of its own on one of the workers' connections, opened lazily
pg_sql "create table public.conn_log (model text, pid int, xid text)"
mkdir -p models/extra
for m in a b c; do
	echo "{{ config(materialized='table', post_hook=\"insert into public.conn_log values ('$m', pg_backend_pid(), txid_current()::text)\") }} select 1 as x" >models/extra/log_$m.sql
done
run run -s log_a log_b log_c --threads 1
expect_rc 0 "three models on one thread"
expect_out "Done. PASS=3"
expect_query "select count(distinct pid) as pids, count(distinct xid) as xids from public.conn_log" "1|3" \
	"one connection for the thread, one transaction a model"
pg_sql "truncate public.conn_log"
echo "{{ config(materialized='table', post_hook=\"insert into public.conn_log select 'n', count(*), '' from pg_stat_activity where application_name = 'sluice'\") }} select 1 as x" >models/extra/log_n.sql
# the server reaps the backends of the runs before this one on its own time: wait for that (an
# event, bounded) so that only this run's connections are counted
no_sluice_backend() { [ "$(pg_sql "select count(*) from pg_stat_activity where application_name = 'sluice'")" = 0 ]; }
wait_until 60 no_sluice_backend
run run -s log_n --threads 8
expect_rc 0 "one model on eight threads"
# the run's own connection (hooks, relation cache) and the worker that took the model, which may be
# the same one: never the seven workers without work
expect_query "select case when pid <= 2 then 'at most 2' else pid::text end from public.conn_log" "at most 2" \
	"threads without work never connect"

done_testing
