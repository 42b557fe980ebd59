#!/usr/bin/env bash
# The relation cache under four threads: runs that rebuild 400 views in place (renames, backups
# dropped with CASCADE, listings racing DDL) find every relation, leave no temporary or backup
# relation behind, and list the schema once rather than once a model.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"
PG_SERVER_OPTS="-c log_statement=all"
pg_start

mkdir -p "$WORK/rc/models" && cd "$WORK/rc"
printf 'name: rc\nprofile: rc\n' >dbt_project.yml
pg_profile rc rc
for i in $(seq 1 400); do echo "select $i as id" >"models/v$i.sql"; done
leftovers="select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace where nspname = 'rc' and relname like '%\_\_dbt\_%'"
for round in 1 2 3; do
	run run --threads 4
	expect_rc 0 "round $round: 400 views with four threads"
	expect_out "Done. PASS=400 WARN=0 ERROR=0 SKIP=0 TOTAL=400"
	expect_query "$leftovers" "0" "round $round: no temporary or backup relation is left"
done
expect_query "select count(*) from pg_views where schemaname = 'rc'" "400"
: >"$PG_DIR/server.log"
run run --threads 1 -s v1 v2 v3 v4 v5 v6 v7 v8 v9 v10
expect_rc 0 "ten models on one thread"
listings=$(grep -c "select c.relname, c.relkind::text from pg_catalog.pg_class" "$PG_DIR/server.log")
# the backups have no dependants, so their DROP ... CASCADE keeps the cache: one listing serves all
if [ "$listings" -le 2 ]; then ok "ten models listed the schema $listings times"
else not_ok "ten models listed the schema $listings times"; fi
done_testing
