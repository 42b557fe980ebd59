#!/usr/bin/env bash
# Jinja in a properties file is rendered natively when the file is read, as dbt's schema renderer
# does: configs (a seed's column_types, a model's tags), but not test arguments. A
# test's own configs (enabled, severity, where, ...) are rendered when the test is built, so a test
# that dbt disables is not run. Generic test arguments are rendered natively at any depth: list
# items and values of mappings inside lists.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/p/models" "$WORK/p/seeds" "$WORK/p/macros"
cd "$WORK/p" || exit 2
printf 'name: p\n' >dbt_project.yml
echo "select 'hello' as g, 2 as n" >models/m.sql
printf 'id,code\n1,007\n2,008\n' >seeds/s.csv
cat >macros/tests.sql <<'SQL'
{% macro my_type() %}{{ return('timestamp') }}{% endmacro %}
{% test args_are(model, column_name, got, want) %}
select 1 as bad from (select 1) x where {{ 'false' if got == want else 'true' }}
{% endtest %}
SQL
cat >models/schema.yml <<'YML'
models:
  - name: m
    config:
      tags: "{{ 'run' ~ 'nable' }}"
      meta:
        owner: "{{ target.type }}"
    columns:
      - name: g
        data_tests:
          - not_null:
              config:
                enabled: "{{ target.type != 'duckdb' }}"
          - unique:
              severity: "{{ 'warn' if target.type == 'duckdb' else 'error' }}"
          - accepted_values:
              values: ["{{ 'hel' ~ 'lo' }}", other]
          - args_are:
              got: [date, "{{ my_type() }}", {nested: ["{{ target.threads + 1 }}", "{{ 1 + 1 }}"]}]
              want: [date, timestamp, {nested: [2, "2"]}]
seeds:
  - name: s
    config:
      column_types:
        code: "{{ 'var' ~ 'char' }}"
YML

run parse
expect_rc 0 "parse"
expect_json target/manifest.json '.nodes["model.p.m"].config.tags[0]' runnable "a model's Jinja tags are rendered"
expect_json target/manifest.json '.nodes["model.p.m"].config.meta.owner' duckdb "and Jinja inside its meta"
expect_json target/manifest.json \
	' && Object.values(d.nodes).filter(n => n.name == "accepted_values_m_g__hello__other" || n.name.startsWith("accepted_values_m_g"))[0].test_metadata.kwargs.values[0]' \
	"{{ 'hel' ~ 'lo' }}" "test arguments are kept as written in the manifest"
expect_json target/manifest.json \
	' && Object.values(d.nodes).filter(n => n.name == "not_null_m_g").length' 0 \
	"the test that enabled: renders false for is not a node"
expect_json target/manifest.json \
	' && Object.values(d.nodes).filter(n => n.name == "unique_m_g")[0].config.severity' warn \
	"a test's Jinja severity is rendered"
run build
expect_rc 0 "build passes"
expect_no_out "not_null_m_g" "the disabled test does not run"
expect_out "accepted_values_m_g" "accepted_values gets its rendered list"
expect_out_re "PASS args_are_m_" "nested list and mapping items are rendered natively"
expect_query "select data_type from information_schema.columns where table_name = 's' and column_name = 'code'" \
	"VARCHAR" "a seed's Jinja column_types applies"
expect_query "select code from {{ ref('s') }} order by id" "007
008" "and keeps the text as written"

done_testing
