#!/usr/bin/env bash
# context_macro_stack is dbt's MacroStack: call_stack holds the unique ids of the package macros
# running when it is read, outermost first, and depth their number; a model's own text is at
# depth 0 and a macro the model defines for itself is not on the stack.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/p/models" "$WORK/p/macros"
cd "$WORK/p" || exit 2
printf 'name: p\n' >dbt_project.yml
cat >macros/stack.sql <<'SQL'
{% macro outer_m() %}{{ return(inner_m()) }}{% endmacro %}
{% macro inner_m() %}{{ return(context_macro_stack.call_stack | join(',') ~ '/' ~ context_macro_stack.depth) }}{% endmacro %}
SQL
cat >models/m.sql <<'SQL'
{% macro local_m() %}{{ context_macro_stack.depth }}{% endmacro %}
select '{{ outer_m() }}' as a, '{{ inner_m() }}' as b, '{{ context_macro_stack.depth }}' as c,
       '{{ local_m() }}' as d
SQL
run build
expect_rc 0 "build"
expect_query "select a, b, c, d from {{ ref('m') }}" "macro.p.outer_m,macro.p.inner_m/2|macro.p.inner_m/1|0|0" \
	"the stack of the macros running, outermost first"
# a hook is rendered by run_hooks inside the materialization: both are on its stack
cat >models/h.sql <<'SQL'
{{ config(materialized='table', post_hook="create or replace table stack_log as select '{{ context_macro_stack.call_stack | join(',') }}' as s") }}
select 1 as x
SQL
run build -s h
expect_rc 0 "build a model with a hook"
expect_query "select split_part(s, ',', 1), split_part(s, ',', -1) from stack_log" \
	"macro.dbt.materialization_table_default|macro.dbt.run_hooks" \
	"a hook sees the materialization first and run_hooks last"
done_testing
