#!/usr/bin/env bash
# Unit tests of versioned models: one per version (unit_test.p.model.name_vN), or the versions that
# `versions: {include: [...]}` / `{exclude: [...]}` name, each run against that version's SQL; the
# errors of a wrong versions key. state:modified selects a unit test whose inputs, expected rows or
# overrides changed, and not one whose description did.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/uv/models" && cd "$WORK/uv"
printf 'name: uv\nprofile: uv\n' >dbt_project.yml
echo "select 1 as id, 'old' as kind" >models/dim_v1.sql
echo "select 1 as id, 'new' as kind" >models/dim_v2.sql
cat >models/schema.yml <<'EOS'
models:
  - name: dim
    versions:
      - v: 1
      - v: 2
unit_tests:
  - name: every_version_has_id
    model: dim
    given: []
    expect:
      rows: [{id: 1}]
  - name: old_kind
    model: dim
    versions: {include: [1]}
    given: []
    expect:
      rows: [{kind: old}]
  - name: new_kind
    model: dim
    description: The new kind.
    versions: {exclude: [1]}
    given: []
    expect:
      rows: [{kind: new}]
EOS
run test --resource-type unit_test
expect_rc 0 "each unit test runs against the versions it tests"
expect_out "Finished running 4 unit tests in"
run parse
m=target/manifest.json
expect_json $m '.unit_tests["unit_test.uv.dim.every_version_has_id_v1"].depends_on.nodes' '["model.uv.dim.v1"]'
expect_json $m '.unit_tests["unit_test.uv.dim.every_version_has_id_v2"].depends_on.nodes' '["model.uv.dim.v2"]'
expect_json $m '.unit_tests["unit_test.uv.dim.every_version_has_id_v2"].version' "2"
expect_json $m '.unit_tests["unit_test.uv.dim.old_kind_v1"].versions' '{"include":[1]}'
expect_json $m '.unit_tests["unit_test.uv.dim.old_kind_v2"]' "undefined" "an excluded version has no unit test"
expect_json $m '.unit_tests["unit_test.uv.dim.new_kind_v2"].name' "new_kind"
cp -r target "$WORK/prod"

# a unit test that expects the other version's rows fails on that version only
sed -i 's/versions: {include: \[1\]}/versions: {include: [1, 2]}/' models/schema.yml
run test --resource-type unit_test
expect_rc 1 "a version whose rows differ fails its unit test"
expect_out_re "FAIL 1 dim::old_kind" "the failing version's status line"
expect_out "Finished running 5 unit tests in"

# state:modified on unit tests
sed -i 's/versions: {include: \[1, 2\]}/versions: {include: [1]}/; s/description: The new kind./description: The newer kind./' models/schema.yml
run ls -s state:modified --state "$WORK/prod" --resource-type unit_test
expect_rc 0
if ! grep -q "unit_test\|dim" "$OUT" && grep -q "No nodes selected" "$OUT"; then ok "a description change does not modify a unit test"; else not_ok "a description change does not modify a unit test" "$(cat "$OUT")"; fi
sed -i 's/rows: \[{kind: new}\]/rows: [{kind: newer}]/' models/schema.yml
run ls -s state:modified --state "$WORK/prod" --resource-type unit_test --output json --output-keys unique_id
if [ "$(cat "$OUT")" = '{"unique_id": "unit_test.uv.dim.new_kind_v2"}' ]; then ok "a changed expectation modifies the unit test"
else not_ok "a changed expectation modifies the unit test" "$(cat "$OUT")"; fi
run ls -s state:modified.body --state "$WORK/prod" --resource-type unit_test --output name
if [ "$(cat "$OUT")" = "new_kind" ]; then ok "it is a body change"; else not_ok "it is a body change" "$(cat "$OUT")"; fi

# versions: on a model without versions, or naming none of them
echo "select 1 as x" >models/plain.sql
cat >models/bad.yml <<'EOS'
unit_tests:
  - name: wrong
    model: plain
    versions: {include: [1]}
    given: []
    expect: {rows: [{x: 1}]}
EOS
run ls
expect_rc 2 "versions on a unit test of a model without versions"
expect_err "models/bad.yml:4:15: error: Unit test 'wrong' should not have a versions include or exclude when referencing non-versioned model 'plain'"
sed -i 's/model: plain/model: dim/; s/include: \[1\]/include: [9]/' models/bad.yml
run ls
expect_rc 2 "versions that the model does not have"
expect_err "Unit test 'wrong' referenced a version of 'dim' which was not found."

done_testing
