#!/usr/bin/env bash
# --indirect-selection (or DBT_INDIRECT_SELECTION, or a selectors.yml criterion's
# indirect_selection) decides which tests of the selected nodes join, as dbt's expand_selection
# and incorporate_indirect_nodes do: eager (the default) any test of a selected node; cautious
# only a test whose nodes are all selected, also when a union brings them together; buildable
# also a test whose other nodes are parents of the selected; empty no test.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/is/models" && cd "$WORK/is"
printf 'name: is\nprofile: is\n' >dbt_project.yml
echo "select 1 as id" >models/a.sql
echo "select id from {{ ref('a') }}" >models/b.sql
echo "select 1 as id" >models/c.sql
cat >models/schema.yml <<'EOS'
models:
  - name: a
    columns:
      - name: id
        data_tests: [not_null]
  - name: b
    columns:
      - name: id
        data_tests:
          - not_null
          - relationships: {to: ref('a'), field: id}
  - name: c
    columns:
      - name: id
        data_tests: [unique]
EOS
tests_of() {  # MODE SELECT...: the tests selected, sorted, on one line
	local mode=$1
	shift
	run ls --resource-type test --output name --indirect-selection "$mode" "$@"
	grep -v "^[0-9][0-9]:" "$OUT" | sort | tr '\n' ' '
}
rel=relationships_b_id__id__ref_a_
check() {  # MODE SELECTION WANT NAME
	local got
	got=$(tests_of "$1" -s "$2")
	if [ "$got" = "$3" ]; then ok "$4"; else not_ok "$4" "got: $got"; fi
}
check eager b "not_null_b_id $rel " "eager: every test of b"
check cautious b "not_null_b_id " "cautious: not the test that also reads a"
check buildable b "not_null_b_id $rel " "buildable: a is a parent of b"
check empty b "" "empty: no test"
check cautious "a b" "not_null_a_id not_null_b_id $rel " "cautious: a union that selects both nodes keeps it"
check cautious "b,tag:none" "" "an intersection that meets nothing"
check buildable c "unique_c_id " "buildable: a test of c alone"
run ls --indirect-selection sometimes
expect_rc 2 "an unknown mode"
expect_err "Invalid value for '--indirect-selection': 'sometimes' is not one of 'eager', 'cautious', 'buildable', 'empty'."
DBT_INDIRECT_SELECTION=cautious run ls --resource-type test --output name -s b
expect_no_out "$rel" "DBT_INDIRECT_SELECTION=cautious"
cat >selectors.yml <<'EOS'
selectors:
  - name: b_cautious
    definition:
      method: fqn
      value: b
      indirect_selection: cautious
EOS
run ls --resource-type test --output name --selector b_cautious
expect_out "not_null_b_id" "a selector criterion's own mode"
expect_no_out "$rel" "cautious there"
rm selectors.yml
run run -s a
run build -s b --indirect-selection cautious
expect_rc 0 "build with cautious"
expect_out "Done. PASS=2 WARN=0 ERROR=0 SKIP=0 TOTAL=2" "b and its own test"
expect_json target/run_results.json '.args.indirect_selection' cautious "run_results.json records the mode"
done_testing
