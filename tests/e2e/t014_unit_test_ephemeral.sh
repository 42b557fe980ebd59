#!/usr/bin/env bash
# Unit tests of a model that reads an ephemeral model: the ephemeral given as SQL replaces it; one
# not given is inlined as its CTE and reads its own (real) inputs; one given as rows is an error
# (its columns have no relation to be typed from), as in dbt. Several threads run them at once.
. "$(dirname "$0")/lib.sh"

project unit_tests
cat >models/eph.sql <<'SQL'
{{ config(materialized='ephemeral') }}
select id, amount * 2 as doubled from {{ ref('stg_orders') }}
SQL
echo "select e.id, e.doubled, c.name from {{ ref('eph') }} e join {{ ref('raw_customers') }} c on c.id = e.id" >models/uses_eph.sql
cat >models/eph_tests.yml <<'YML'
version: 2
unit_tests:
  - name: eph_given_as_sql
    model: uses_eph
    given:
      - input: ref('eph')
        format: sql
        rows: select 1 as id, 10.0 as doubled
      - input: ref('raw_customers')
        rows: [{id: 1, name: ann}]
    expect:
      rows: [{id: 1, doubled: 10, name: ann}]
  - name: eph_not_given
    model: uses_eph
    given:
      - input: ref('raw_customers')
        rows: [{id: 1, name: zed}]
    expect:
      rows: [{id: 1, doubled: 21, name: zed}]
  - name: eph_given_as_rows
    model: uses_eph
    given:
      - input: ref('eph')
        rows: [{id: 1}]
    expect:
      rows: []
YML
run seed
run run -s +stg_orders
expect_rc 0 "the real inputs exist"
run test -s uses_eph --threads 3
expect_rc 1 "one of the three unit tests is wrong"
expect_out_re "PASS uses_eph::eph_given_as_sql" "an ephemeral input given as SQL"
expect_out_re "PASS uses_eph::eph_not_given" "an ephemeral not given is inlined and reads its inputs"
expect_out_re "ERROR uses_eph::eph_given_as_rows" "an ephemeral given as rows is an error"
expect_out "models/eph_tests.yml:23:16: error: not able to get columns for unit test 'uses_eph' from input ref('eph'): it is ephemeral" "at the input"
expect_out "hint: give its rows with format: sql" "the hint says how"
sql=target/compiled/ut/models/eph_tests.yml/models/eph_not_given.sql
if grep -q "__dbt__cte__eph as" "$sql" && grep -q '"ut"."main"."stg_orders"' "$sql"; then
	ok "the ephemeral's CTE is in the unit test's SQL"
else
	not_ok "the ephemeral's CTE is in the unit test's SQL" "$(cat "$sql" 2>&1)"
fi

done_testing
