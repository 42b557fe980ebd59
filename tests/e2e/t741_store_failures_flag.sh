#!/usr/bin/env bash
# dbt's --store-failures flag of test and build: every test keeps its failing rows in a table of
# the audit schema, as the store_failures config does for one test; flags.STORE_FAILURES says so,
# run_results.json's args record it and retry runs with it again. A test's own
# store_failures: false still wins (dbt's should_store_failures reads the config first).
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/sf/models" && cd "$WORK/sf"
printf 'name: sf\nprofile: sf\n' >dbt_project.yml
echo "select 1 as id union all select 1 union all select null" >models/a.sql
cat >models/a.yml <<'EOS'
models:
  - name: a
    columns:
      - name: id
        data_tests:
          - unique
          - not_null:
              config:
                store_failures: false
EOS
echo "select '{{ flags.STORE_FAILURES }}' as f" >models/flag.sql

run build
expect_rc 1 "build: the tests fail"
expect_query "select count(*) from information_schema.tables where table_schema = 'main_dbt_test__audit'" "0" \
	"without the flag no failing rows are stored"
run test --store-failures
expect_rc 1 "test --store-failures"
expect_query "select unique_field, n_records from main_dbt_test__audit.unique_a_id" "1|2" \
	"the failing rows of unique are stored in the audit schema"
expect_query "select count(*) from information_schema.tables where table_name = 'not_null_a_id'" "0" \
	"a test whose config says store_failures: false is not stored"
expect_json target/run_results.json '.args.store_failures' "true" "run_results.json records the flag"
query "drop table main_dbt_test__audit.unique_a_id" >/dev/null
run retry
expect_rc 1 "retry runs the failed tests again"
expect_query "select n_records from main_dbt_test__audit.unique_a_id" "2" "with --store-failures again"
run build --store-failures -s flag
expect_query "select f from {{ ref('flag') }}" "True" "flags.STORE_FAILURES"
done_testing
