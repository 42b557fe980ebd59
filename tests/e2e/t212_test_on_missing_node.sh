#!/usr/bin/env bash
# A test on a node that does not exist, or is disabled, is a warning and a disabled test, as in
# dbt 1.9 (NodeNotFoundOrDisabled): the project still parses and runs. A model that refs a
# missing model is still an error.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/mn/models" "$WORK/mn/tests" && cd "$WORK/mn"
printf 'name: mn\nprofile: mn\nmodels:\n  mn:\n    retired:\n      +enabled: false\n' >dbt_project.yml
mkdir -p models/retired
echo "select 1 as id" >models/a.sql
echo "select 1 as id" >models/retired/gone.sql
cat >models/schema.yml <<'EOS'
version: 2
models:
  - name: a
    columns:
      - name: id
        tests:
          - unique
          - relationships:
              to: ref('never_written')
              field: id
  - name: ghost
    columns:
      - name: id
        tests: [not_null]
  - name: gone
    tests:
      - unique:
          column_name: id
EOS
echo "select * from {{ ref('never_written') }} where false" >tests/singular_missing.sql
echo "select * from {{ source('nowhere', 'nothing') }} where false" >tests/singular_no_source.sql
run parse
expect_rc 0 "a project with tests on missing nodes parses"
expect_err "depends on a node named 'never_written' which was not found"
expect_err "depends on a node named 'ghost' which was not found"
expect_err "depends on a source named 'nowhere.nothing' which was not found"
expect_err "models/schema.yml:8:"
# a test on a disabled model: the log says so, stderr does not (dbt's _process_refs fires that
# event at debug level, as packages disable models by the dozen)
expect_no_out "named 'gone'" "no warning for the test on a disabled model"
if grep -q "depends on a node named 'gone' which is disabled" logs/sluice.log; then ok "the log has it"
else not_ok "the log has it" "$(cat logs/sluice.log)"; fi
expect_json target/manifest.json '.nodes, Object.keys(d.nodes).filter(k => k.startsWith("test.")).length' "1" "only the test on a real node stays enabled"
expect_json target/manifest.json '.nodes, Object.keys(d.disabled).filter(k => k.startsWith("test.")).length' "5" "the others are disabled"
run build
expect_rc 0 "sluice build runs the enabled test"
expect_out_re "PASS unique_a_id"
expect_out "Done. PASS=2 WARN=0 ERROR=0 SKIP=0 TOTAL=2"

echo "select * from {{ ref('never_written') }}" >models/b.sql
run parse
expect_rc 2 "a model on a missing model is still an error"
expect_err "depends on a node named 'never_written' which was not found"
done_testing
