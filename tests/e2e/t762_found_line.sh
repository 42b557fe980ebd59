#!/usr/bin/env bash
# The Found line is dbt's (compilation.py _generate_stats): node types in the order they first
# appear among the manifest's nodes (a project's models, snapshots, analyses, singular tests,
# seeds and hooks, then the generic tests of the properties files), then sources, exposures,
# metrics, macros, groups, semantic models, saved queries and unit tests; one is named by its
# type ("1 test"), several by dbt's plural ("2 data tests", "2 analyses"); zero is left out.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/fl/models" "$WORK/fl/tests" "$WORK/fl/seeds" "$WORK/fl/snapshots" "$WORK/fl/analyses" && cd "$WORK/fl"
printf 'name: fl\nprofile: fl\non-run-start: "select 1"\n' >dbt_project.yml
run parse
expect_out_re "Found 1 operation, [0-9]+ macros$" "a project with a hook alone: no count of zero"
echo "select 1 as id" >models/m.sql
printf 'id\n1\n' >seeds/s.csv
cat >models/schema.yml <<'EOS'
groups:
  - name: finance
    owner: {name: Ann}
sources:
  - name: raw
    tables: [{name: t}]
models:
  - name: m
    columns:
      - name: id
        data_tests: [not_null]
exposures:
  - name: dash
    type: dashboard
    owner: {email: a@example.com}
    depends_on: [ref('m')]
unit_tests:
  - name: m_is_one
    model: m
    given: []
    expect: {rows: [{id: 1}]}
EOS
run parse
expect_out_re "Found 1 model, 1 seed, 1 operation, 1 test, 1 source, 1 exposure, [0-9]+ macros, 1 group, 1 unit test$" \
	"generic tests after the hooks; one test is '1 test'"
echo "select 1 as id where false" >tests/singular.sql
echo "select 1" >analyses/a.sql
echo "select 2" >analyses/b.sql
cat >snapshots/snap.sql <<'EOS'
{% snapshot snap %}{{ config(unique_key='id', strategy='check', check_cols='all', target_schema='main') }}select 1 as id{% endsnapshot %}
EOS
run parse
expect_out_re "Found 1 model, 1 snapshot, 2 analyses, 2 data tests, 1 seed, 1 operation, 1 source, 1 exposure, [0-9]+ macros, 1 group, 1 unit test$" \
	"a singular test puts tests before seeds, as dbt parses a project's files"
done_testing
