#!/usr/bin/env bash
# run_query() gives an agate table: iterating it yields its rows, `| length` is the number of rows,
# and its attributes (rows, columns, column_names) are there as before.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/p/models" "$WORK/p/macros"
cd "$WORK/p" || exit 2
printf 'name: p\n' >dbt_project.yml
cat >macros/rq.sql <<'SQL'
{% macro rq() %}
  {% set t = run_query("select 1 as a, 'x' as b union all select 2, 'y' order by a") %}
  {% for row in t %}{{ log("row " ~ row[0] ~ " " ~ row['b'], info=true) }}{% endfor %}
  {{ log("length " ~ (t | length), info=true) }}
  {{ log("rows " ~ (t.rows | length) ~ " names " ~ (t.column_names | join(',')), info=true) }}
  {{ log("column " ~ (t.columns['a'].values() | list), info=true) }}
  {% set empty = run_query("select 1 as a where false") %}
  {{ log("empty " ~ (empty | length) ~ " " ~ (empty | list | length), info=true) }}
{% endmacro %}
SQL
run run-operation rq
expect_rc 0 "run-operation"
expect_out "row 1 x" "iterating yields the first row"
expect_out "row 2 y" "and the second"
expect_no_out "row column_names" "not the table's attribute names"
expect_out "length 2" "| length counts rows"
expect_out "rows 2 names a,b" "rows and column_names"
expect_out "column [1, 2]" "columns"
expect_out "empty 0 0" "an empty result has no rows"

done_testing
