#!/usr/bin/env bash
# config() inside a {% test %} definition, or in a macro it calls, applies to every test of that
# kind (fail_calc, severity, warn_if, error_if, where, ...) and shows in the manifest; a test's
# config in the properties file comes after it (dbt renders the test's raw code, the macro call
# then config() with the properties' values, and the last call wins). An unknown generic test is
# an error at its line in the properties file, with the closest name.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/tc/models" "$WORK/tc/macros" "$WORK/tc/tests/generic" && cd "$WORK/tc"
printf 'name: tc\nprofile: tc\n' >dbt_project.yml
echo "select 1 as id, 5 as n union all select 2, 7" >models/a.sql
cat >tests/generic/sum_over.sql <<'EOS'
{% test sum_over(model, column_name, limit_value) %}
  {{ config(fail_calc='sum(excess)', severity='warn', where='id > 0') }}
  select {{ column_name }} - {{ limit_value }} as excess from {{ model }} where {{ column_name }} > {{ limit_value }}
{% endtest %}
EOS
cat >macros/strict.sql <<'EOS'
{% test strict_over(model, column_name, limit_value) %}
  {{ return(strict_impl(model, column_name, limit_value)) }}
{% endtest %}
{% macro strict_impl(model, column_name, limit_value) %}
  {{ config(error_if='>= 3', warn_if='>= 1') }}
  {%- if not execute -%}{{ return('') }}{%- endif -%}
  select * from {{ model }} where {{ column_name }} > {{ limit_value }}
{% endmacro %}
EOS
cat >models/schema.yml <<'EOS'
version: 2
models:
  - name: a
    columns:
      - name: n
        tests:
          - sum_over:
              limit_value: 4
          - sum_over:
              name: sum_over_strict
              limit_value: 4
              config:
                where: "id > 1"
          - strict_over:
              limit_value: 1
EOS
run build
expect_rc 0 "config() in the test definitions turns failures into warnings"
expect_out "Got 4 results, configured to warn if != 0" "fail_calc from the test block counts the excess, 1 + 3"
expect_out "configured to warn if >= 1" "warn_if/error_if from a macro the test calls"
expect_json target/manifest.json '.nodes, Object.values(d.nodes).filter(x => x.name && x.name.startsWith("sum_over_a_n")).map(x => [x.config.fail_calc, x.config.severity, x.config.where]).join("|")' "sum(excess),warn,id > 0" "the manifest has the test block's config"
expect_json target/manifest.json '.nodes, Object.values(d.nodes).filter(x => x.name === "sum_over_strict").map(x => [x.config.where, x.config.severity]).join()' "id > 1,warn" "the properties file's config comes after the test block's config(), as dbt's raw code renders them"
expect_out_re "WARN sum_over_strict .*\[WARN 3 in" "the properties file's where narrows the rows (only the excess of id 2)"
expect_json target/manifest.json '.nodes, Object.values(d.nodes).filter(x => x.name === "sum_over_strict").map(x => JSON.stringify(x.refs)).join()' '[{"name":"a","package":null,"version":null}]' "rendering the test at parse time records its ref once"

cat >>models/schema.yml <<'EOS'
      - name: id
        tests:
          - sum_ovr:
              limit_value: 1
EOS
run parse
expect_rc 2 "an unknown generic test is an error"
expect_err "models/schema.yml:18:13: error: 'sum_ovr' is not a generic test"
expect_err "did you mean 'sum_over'?"
done_testing
