#!/usr/bin/env bash
# scripts/conformance.sh runs a project's integration suite step by step on a DuckDB profile of
# its own and prints one table of pass/fail counts; its exit code says whether all passed.
. "$(dirname "$0")/lib.sh"

script="$ROOT/scripts/conformance.sh"
mkdir -p "$WORK/cf/models" "$WORK/cf/seeds" && cd "$WORK/cf"
printf 'name: cf\nprofile: some_ci_profile\nseed-paths: [seeds]\n' >dbt_project.yml
printf 'id,v\n1,a\n2,b\n' >seeds/s.csv
echo "select * from {{ ref('s') }}" >models/a.sql
echo "select id from {{ ref('a') }} where id > 1" >models/b.sql
printf 'version: 2\nmodels:\n  - name: a\n    columns:\n      - name: id\n        tests: [unique, not_null]\n' >models/schema.yml

"$script" --sluice "$SLUICE" . >"$OUT" 2>"$ERR"
RC=$?
expect_rc 0 "a passing suite exits 0"
expect_out_re "^step +passed +warned +failed +skipped"
expect_out_re "^deps +1 +0 +0 +0 "
expect_out_re "^parse +1 +0 +0 +0 "
expect_out_re "^seed +1 +0 +0 +0 "
expect_out_re "^run +2 +0 +0 +0 "
expect_out_re "^test +2 +0 +0 +0 "
expect_out_re "^build +5 +0 +0 +0 "

echo "select id from {{ ref('a') }} where nonsense" >models/b.sql
printf 'version: 2\nmodels:\n  - name: a\n    columns:\n      - name: v\n        tests: [unique, {accepted_values: {values: [a]}}]\n' >models/schema.yml
"$script" --sluice "$SLUICE" . >"$OUT" 2>"$ERR"
RC=$?
expect_rc 1 "a failing suite exits 1"
expect_out_re "^run +1 +0 +1 +0 "
expect_out_re "^test +1 +0 +1 +0 "
expect_out_re "^build +3 +0 +1 +1 "
expect_file logs/conformance/build.log "each step's log is kept"

"$script" --sluice "$SLUICE" "$WORK/nowhere" >"$OUT" 2>"$ERR"
RC=$?
expect_rc 2 "a folder without dbt_project.yml is a usage error"
done_testing
