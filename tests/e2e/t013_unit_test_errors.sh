#!/usr/bin/env bash
# A wrong unit test is an error at its line: an unknown model, an input that names nothing or is
# not a ref/source/this, a bad format, rows that do not match their format, a missing
# is_incremental override (when loading); an unknown column, a value that does not cast, an input
# relation that does not exist (when the test runs).
. "$(dirname "$0")/lib.sh"

project unit_tests

# expect_err_at FILE:LINE:COL TEXT [what]
expect_err_at() {
	if grep -qF -- "$1: error: $2" "$ERR" "$OUT"; then ok "${3:-$1 $2}"
	else not_ok "${3:-$1 $2}" "stderr: $(head -c 3000 "$ERR")
stdout: $(head -c 3000 "$OUT")"; fi
}

cat >models/bad.yml <<'YML'
version: 2
unit_tests:
  - name: bad_format
    model: customer_totals
    given:
      - input: ref('stg_orders')
        format: xml
        rows: []
    expect: {rows: []}
  - name: rows_not_dicts
    model: customer_totals
    given:
      - input: ref('stg_orders')
        rows: "id,amount"
    expect: {rows: []}
  - name: no_expect
    model: customer_totals
    given: []
  - name: csv_not_text
    model: customer_totals
    given:
      - input: ref('stg_orders')
        format: csv
        rows: [{id: 1}]
    expect: {rows: []}
  - name: missing_fixture
    model: customer_totals
    given:
      - input: ref('stg_orders')
        format: csv
        fixture: nowhere
    expect: {rows: []}
YML
run parse
expect_rc 2 "a malformed unit test fails parse"
expect_err_at "models/bad.yml:7:17" "unit test 'bad_format': unknown format 'xml'" "unknown format, at the format"
expect_err_at "models/bad.yml:14:15" "unit test 'rows_not_dicts' has input ref('stg_orders') rows which do not match format dict" "dict rows that are not a list"
expect_err_at "models/bad.yml:16:5" "unit test 'no_expect' needs an 'expect' mapping" "a missing expect"
expect_err_at "models/bad.yml:24:15" "unit test 'csv_not_text' has input ref('stg_orders') rows which do not match format csv; expected a string" "csv rows that are not text"
expect_err_at "models/bad.yml:31:18" "file not found for fixture 'nowhere' of unit test 'missing_fixture'" "a fixture file that does not exist"

cat >models/bad.yml <<'YML'
version: 2
unit_tests:
  - name: no_model
    model: nope
    given: []
    expect: {rows: []}
  - name: missing_input
    model: customer_totals
    given:
      - input: ref('not_there')
        rows: []
      - input: foo('x')
        rows: []
      - input: source('raw', 'nothing')
        rows: []
    expect: {rows: []}
  - name: inc_no_override
    model: orders_inc
    given: []
    expect: {rows: []}
  - name: inc_no_this
    model: orders_inc
    overrides: {macros: {is_incremental: true}}
    given: []
    expect: {rows: []}
YML
run parse
expect_rc 2 "a unit test naming what does not exist fails parse"
expect_err_at "models/bad.yml:4:12" "unable to find model 'ut.nope' for unit test 'no_model'" "an unknown model, at 'model'"
expect_err_at "models/bad.yml:10:16" "unit test 'missing_input' had an input (ref('not_there')) which was not found" "a missing ref input"
expect_err_at "models/bad.yml:12:16" "unit test given inputs must be either a 'ref', 'source' or 'this' call; got: foo('x')" "an input that is no ref/source/this"
expect_err_at "models/bad.yml:14:16" "unit test 'missing_input' had an input (source('raw', 'nothing')) which was not found" "a missing source input"
expect_err_at "models/bad.yml:17:11" "boolean override for 'is_incremental' must be provided for unit test 'inc_no_override'" "an incremental model needs the override"
expect_err_at "models/bad.yml:21:11" "unit test 'inc_no_this' for incremental model 'orders_inc' must have a 'this' input" "is_incremental true needs this"

cat >models/bad.yml <<'YML'
version: 2
unit_tests:
  - name: unknown_col
    model: customer_totals
    given:
      - input: ref('stg_orders')
        rows:
          - {customer_id: 1, amout: 2}
    expect: {rows: []}
  - name: unknown_csv_col
    model: customer_totals
    given:
      - input: ref('stg_orders')
        format: csv
        rows: |
          customer_id,amout
          1,2
    expect: {rows: []}
  - name: unknown_expected
    model: customer_totals
    given:
      - input: ref('stg_orders')
        rows: [{customer_id: 1}]
    expect:
      rows: [{customer_id: 1, totl: 3}]
  - name: bad_cast
    model: customer_totals
    given:
      - input: ref('stg_orders')
        rows: [{customer_id: 1, amount: lots}]
    expect:
      rows: [{customer_id: 1}]
YML
run test -s customer_totals
expect_rc 1 "an input relation that does not exist is an error when the test runs"
expect_err_at "models/unit_tests.yml:10:16" "not able to get columns for unit test 'customer_totals' from input ref('stg_orders'): the relation" "a missing relation, at the input"
expect_out "hint: build it first (sluice run -s stg_orders)" "the hint says what to build"

run seed
run run
expect_rc 0 "build the inputs"
run test -s customer_totals
expect_rc 1 "wrong fixtures fail the test run"
expect_err_at "models/bad.yml:8:30" "invalid column name: 'amout' in unit test fixture for 'stg_orders'" "an unknown column, at its key"
expect_out "accepted columns for 'stg_orders' are: ['id', 'customer_id', 'amount', 'status', 'ordered_at']" "the accepted columns are listed"
expect_err_at "models/bad.yml:15:15" "invalid column name: 'amout' in unit test fixture for 'stg_orders'" "an unknown CSV column, at the CSV"
expect_err_at "models/bad.yml:25:31" "invalid column name: 'totl' in unit test fixture for expected output" "an unknown expected column"
expect_err_at "models/bad.yml:30:41" "unit test 'bad_cast' could not run: Conversion Error" "a value that does not cast, at the value"
expect_out_re "ERROR customer_totals::bad_cast .*\[ERROR" "the status line says ERROR"
expect_json target/run_results.json '.results.find(r => r.unique_id == "unit_test.ut.customer_totals.bad_cast").status' "error" "run_results: error"
expect_out "Done. PASS=2 WARN=0 ERROR=4 SKIP=0 TOTAL=6" "the good unit tests still pass"

done_testing
