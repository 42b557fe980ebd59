#!/usr/bin/env bash
# --store-failures on PostgreSQL with several threads: the tests create their audit schema at
# once, and the sessions that lose the race to CREATE SCHEMA IF NOT EXISTS (a unique violation
# on pg_namespace once the first commits) find it there instead of failing. Each round starts
# without the schema.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"
pg_start

mkdir -p "$WORK/ps/models" && cd "$WORK/ps"
printf 'name: ps\nprofile: ps\n' >dbt_project.yml
pg_profile ps app
{
	echo "models:"
	for i in 1 2 3 4 5 6 7 8; do
		echo "select 1 as id union all select 1" >"models/m$i.sql"
		printf '  - name: m%s\n    columns:\n      - name: id\n        data_tests: [unique, not_null]\n' "$i"
	done
} >models/schema.yml
run run --threads 4
expect_rc 0 "eight models"
bad=0
for round in 1 2 3; do
	query "drop schema if exists app_dbt_test__audit cascade" >/dev/null
	run test --store-failures --threads 4
	if [ "$RC" -ne 1 ] || grep -q "create_schema" "$OUT" "$ERR"; then
		bad=$round
		break
	fi
done
if [ "$bad" -eq 0 ]; then ok "three rounds of 16 tests storing failures at once: only the unique tests fail"
else not_ok "three rounds of 16 tests storing failures at once" "round $bad: $(grep -m3 -E 'error|ERROR' "$OUT")"; fi
expect_query "select count(*) from information_schema.tables where table_schema = 'app_dbt_test__audit'" "16" \
	"every test's rows are stored"
done_testing
