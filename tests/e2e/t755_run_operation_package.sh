#!/usr/bin/env bash
# `run-operation pkg.macro` renders with pkg as dbt's MacroContext search package
# (context/providers.py, MacroContext): the package's own macros resolve by their bare names,
# ahead of the root project's, as they do for the package's models (re_data's operations call
# their helpers bare). A bare operation name still searches the root project first. In an
# operation `this` is None, as dbt's ProviderContext has it.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/ro/macros" "$WORK/ro/dbt_packages/pk/macros" && cd "$WORK/ro"
printf 'name: ro\nprofile: ro\n' >dbt_project.yml
printf 'name: pk\n' >dbt_packages/pk/dbt_project.yml
cat >dbt_packages/pk/macros/ops.sql <<'EOS'
{% macro helper() %}pk helper{% endmacro %}
{% macro only_in_pk() %}pk only{% endmacro %}
{% macro op() %}{{ log('op says ' ~ helper() ~ ' and ' ~ only_in_pk(), info=True) }}{% endmacro %}
EOS
cat >macros/root.sql <<'EOS'
{% macro helper() %}root helper{% endmacro %}
{% macro root_op() %}{{ log('root_op says ' ~ helper() ~ ', this is ' ~ this, info=True) }}{% endmacro %}
EOS

run run-operation pk.op
expect_rc 0 "the package's operation runs"
expect_out "op says pk helper and pk only" "its bare calls reach the package's macros first"
run run-operation root_op
expect_rc 0 "a root operation runs"
expect_out "root_op says root helper, this is None" "a root operation reaches the root's macros; this is None (ProviderContext.this)"
done_testing
