#!/usr/bin/env bash
# A bare macro name reaches what dbt's MacroNamespace reaches (context/macros.py): the macros of
# the package the node is in, then the root project's, then the packages by their names, then the
# global project's. Another package's macros are reached through its name only, so a package that
# defines its own `dateadd` or `type_timestamp` (AutomateDV does) neither replaces dbt's for the
# project nor calls itself when its `default__dateadd` means dbt's `dateadd`. A package's own
# models reach its macros first; a generic test reaches the macros of its test's package.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/mn/models" "$WORK/mn/macros" "$WORK/mn/dbt_packages/pk/macros" "$WORK/mn/dbt_packages/pk/models" &&
	cd "$WORK/mn"
printf 'name: mn\nprofile: mn\n' >dbt_project.yml
printf 'name: pk\n' >dbt_packages/pk/dbt_project.yml
cat >dbt_packages/pk/macros/dates.sql <<'EOS'
{% macro dateadd(datepart, interval, from_date_or_timestamp) %}
  {{ return(adapter.dispatch('dateadd', 'pk')(datepart, interval, from_date_or_timestamp)) }}
{% endmacro %}
{% macro default__dateadd(datepart, interval, from_date_or_timestamp) %}
  {{ dateadd(datepart, interval, from_date_or_timestamp) }}
{% endmacro %}
{% macro type_timestamp() %}TIMESTAMP_NTZ{% endmacro %}
{% macro who() %}pk{% endmacro %}
{% macro same_file_helper() %}from the same file{% endmacro %}
{% macro calls_same_file() %}{{ same_file_helper() }}{% endmacro %}
{% macro calls_other_file() %}{{ other_file_helper() }}{% endmacro %}
{% test is_positive(model, column_name) %}
select * from {{ model }} where not ({{ positive_check(column_name) }})
{% endtest %}
EOS
cat >dbt_packages/pk/macros/helpers.sql <<'EOS'
{% macro other_file_helper() %}from another file{% endmacro %}
{% macro positive_check(column_name) %}{{ column_name }} > 0{% endmacro %}
EOS
echo "select '{{ who() }}' as w" >dbt_packages/pk/models/pk_who.sql
echo "{% macro who() %}root{% endmacro %}" >macros/who.sql
echo "select {{ pk.dateadd('day', 1, \"date '2024-01-01'\") }} as d, cast('2024-01-01' as {{ type_timestamp() }}) as t, '{{ who() }}' as w, '{{ pk.calls_same_file() }}' as s" >models/m.sql
cat >models/schema.yml <<'EOS'
models:
  - name: m
    columns:
      - name: d
        data_tests:
          - not_null
EOS
printf 'select 1 as n\n' >models/nums.sql
cat >models/nums.yml <<'EOS'
models:
  - name: nums
    columns:
      - name: n
        data_tests:
          - pk.is_positive
EOS

run build
expect_rc 0 "the project builds"
expect_query "select d, t, w, s from {{ ref('m') }}" "2024-01-02 00:00:00|2024-01-01 00:00:00|root|from the same file" \
	"pk.dateadd reaches dbt's dateadd; type_timestamp and who are not pk's for the root's model"
expect_query "select w from {{ ref('pk_who') }}" "pk" "the package's own model reaches its own who() first"
expect_out "PASS pk_is_positive_nums_n" "a package's generic test reaches its package's macros"

# a bare name another file of a package defines is out of a root model's reach, as in dbt
echo "select '{{ pk.calls_other_file() }}' as x" >models/other.sql
run compile -s other
expect_rc 2 "a package macro calling another file's macro by its bare name, from the root project"
expect_err "macros/dates.sql:11:34: error: 'other_file_helper' is undefined" "fails while parsing, as in dbt: the name is undefined there"

done_testing
