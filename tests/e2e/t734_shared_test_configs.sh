#!/usr/bin/env bash
# Generic tests that compose the same config share one (most tests of a folder do). A test whose
# config changes after it is built changes its own alone: a generic test's config() call
# (severity here) reaches that test and not the not_null beside it, and a test of a disabled model
# is disabled while the same test of an enabled one is not. The same after a load from the
# snapshot and after a partial parse of the properties file (both checked against a full load).
. "$(dirname "$0")/lib.sh"

export SLUICE_SNAPSHOT_CHECK=1 SLUICE_MANIFEST_CHECK=1
mkdir -p "$WORK/sc/models" "$WORK/sc/macros" && cd "$WORK/sc" || exit 2
printf 'name: sc\n' >dbt_project.yml
cat >macros/warned.sql <<'EOS'
{% test warned(model, column_name) %}
{{ config(severity='warn') }}
select * from {{ model }} where {{ column_name }} is null
{% endtest %}
EOS
echo "select 1 as id" >models/a.sql
echo "{{ config(enabled=false) }} select 1 as id" >models/b.sql
cat >models/schema.yml <<'EOS'
version: 2
models:
  - name: a
    columns:
      - name: id
        data_tests: [not_null, warned, unique]
  - name: b
    columns:
      - name: id
        data_tests: [not_null]
EOS
M=target/manifest.json
check() {  # check WHAT: the configs as a full parse gives them
	expect_json $M '.nodes["test.sc.not_null_a_id.c1cebc1440"].config.severity' "ERROR" "$1: not_null keeps its severity"
	expect_json $M '.nodes["test.sc.warned_a_id.acfc36a0a9"].config.severity' "warn" "$1: the config() call reaches its test"
	expect_json $M '.nodes["test.sc.warned_a_id.acfc36a0a9"].unrendered_config' '{"severity":"warn"}'
	expect_json $M '.nodes["test.sc.not_null_a_id.c1cebc1440"].unrendered_config' '{}'
	expect_json $M '.nodes["test.sc.unique_a_id.f6a5f640da"].config.enabled' "true" "$1: the enabled model's test"
	expect_json $M '.disabled["test.sc.not_null_b_id.37be81e63b"][0].config.enabled' "false" \
		"$1: the disabled model's test"
}
run parse
expect_rc 0 "parse"
# said in the log, as dbt fires that event at debug level
if grep -q "depends on a node named 'b' which is disabled" logs/sluice.log; then ok "the log says the test's model is disabled"
else not_ok "the log says the test's model is disabled" "$(cat logs/sluice.log)"; fi
check "full parse"
run compile
expect_rc 0 "compile"
run compile
expect_rc 0 "compile from the snapshot"
check "from the snapshot"
sleep 1.1  # a file changed in the second the snapshot was written is hashed, not trusted by mtime
sed -i 's/\[not_null, warned, unique\]/[not_null, warned, unique, warned]/' models/schema.yml
run compile
expect_rc 2 "a test twice"
sed -i 's/\[not_null, warned, unique, warned\]/[unique, warned, not_null]/' models/schema.yml
run compile
expect_rc 0 "the tests in another order (a partial parse of the file)"
check "after a partial parse"

done_testing
