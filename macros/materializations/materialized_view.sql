{#-
  Materialized views as dbt's global project defines them: the steps of the materialization
  (setup, the build SQL for create / replace / alter / refresh, execution, teardown) and the SQL
  macros an adapter implements. DuckDB has no materialized views, and the defaults stop with dbt's
  message, which is what a dbt-duckdb project meets too. PostgreSQL has its own materialization
  (macros/postgres/materializations.sql) and the SQL below.
-#}

{% materialization materialized_view, default %}
  {%- set existing_relation = load_cached_relation(this) -%}
  {%- set target_relation = this.incorporate(type='materialized_view') -%}
  {%- set intermediate_relation = make_intermediate_relation(target_relation) -%}
  {%- set backup_relation = make_backup_relation(target_relation, 'materialized_view' if existing_relation is none else existing_relation.type) -%}
  {{ materialized_view_setup(backup_relation, intermediate_relation, pre_hooks) }}
  {%- set build_sql = materialized_view_get_build_sql(existing_relation, target_relation, backup_relation, intermediate_relation) -%}
  {%- if build_sql == '' -%}
    {{ materialized_view_execute_no_op(target_relation) }}
  {%- else -%}
    {{ materialized_view_execute_build_sql(build_sql, existing_relation, target_relation, post_hooks) }}
  {%- endif -%}
  {{ materialized_view_teardown(backup_relation, intermediate_relation, post_hooks) }}
  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}

{#- leftovers of an interrupted run are dropped before the outside-transaction pre-hooks -#}
{% macro materialized_view_setup(backup_relation, intermediate_relation, pre_hooks) -%}
  {{ drop_relation_if_exists(load_cached_relation(backup_relation)) }}
  {{ drop_relation_if_exists(load_cached_relation(intermediate_relation)) }}
  {{ run_hooks(pre_hooks, inside_transaction=False) }}
{%- endmacro %}

{% macro materialized_view_teardown(backup_relation, intermediate_relation, post_hooks) -%}
  {{ drop_relation_if_exists(backup_relation) }}
  {{ drop_relation_if_exists(intermediate_relation) }}
  {{ run_hooks(post_hooks, inside_transaction=False) }}
{%- endmacro %}

{#- create when absent; replace on a full refresh or when something else has the name; otherwise
    refresh, or apply / ignore / refuse configuration changes as on_configuration_change says -#}
{% macro materialized_view_get_build_sql(existing_relation, target_relation, backup_relation, intermediate_relation) -%}
  {%- if existing_relation is none -%}
    {{ return(get_create_materialized_view_as_sql(target_relation, sql)) }}
  {%- elif should_full_refresh() or not existing_relation.is_materialized_view -%}
    {{ return(get_replace_sql(existing_relation, target_relation, sql)) }}
  {%- endif -%}
  {%- set on_change = config.get('on_configuration_change') -%}
  {%- set changes = get_materialized_view_configuration_changes(existing_relation, config) -%}
  {%- if changes is none -%}
    {{ return(refresh_materialized_view(target_relation)) }}
  {%- elif on_change == 'apply' -%}
    {{ return(get_alter_materialized_view_as_sql(target_relation, changes, sql, existing_relation, backup_relation, intermediate_relation)) }}
  {%- elif on_change == 'continue' -%}
    {%- do exceptions.warn("Configuration changes were identified and `on_configuration_change` was set to `continue` for `" ~ target_relation.render() ~ "`") -%}
    {{ return('') }}
  {%- elif on_change == 'fail' -%}
    {{ exceptions.raise_compiler_error("Configuration changes were identified and `on_configuration_change` was set to `fail` for `" ~ target_relation.render() ~ "`") }}
  {%- endif -%}
  {{ exceptions.raise_compiler_error("Unexpected configuration scenario: on_configuration_change is '" ~ on_change ~ "' (use apply, continue or fail)") }}
{%- endmacro %}

{% macro materialized_view_execute_no_op(target_relation) -%}
  {%- do store_raw_result(name='main', message='skip ' ~ target_relation, code='skip', rows_affected='-1') -%}
{%- endmacro %}

{% macro materialized_view_execute_build_sql(build_sql, existing_relation, target_relation, post_hooks) -%}
  {{ run_hooks(pre_hooks, inside_transaction=True) }}
  {% call statement(name='main') -%}
    {{ build_sql }}
  {%- endcall %}
  {%- do apply_grants(target_relation, config.get('grants'), should_revoke=should_revoke(existing_relation, full_refresh_mode=True)) -%}
  {%- do persist_docs(target_relation, model) -%}
  {{ run_hooks(post_hooks, inside_transaction=True) }}
  {{ adapter.commit() }}
{%- endmacro %}

{% macro get_create_materialized_view_as_sql(relation, sql) -%}
  {{- adapter.dispatch('get_create_materialized_view_as_sql', 'dbt')(relation, sql) -}}
{%- endmacro %}

{% macro default__get_create_materialized_view_as_sql(relation, sql) -%}
  {{ exceptions.raise_compiler_error("`get_create_materialized_view_as_sql` has not been implemented for this adapter.") }}
{%- endmacro %}

{% macro postgres__get_create_materialized_view_as_sql(relation, sql) -%}
  create materialized view if not exists {{ relation }} as {{ sql }}
{%- endmacro %}

{% macro get_replace_materialized_view_sql(relation, sql) -%}
  {{- adapter.dispatch('get_replace_materialized_view_sql', 'dbt')(relation, sql) -}}
{%- endmacro %}

{% macro default__get_replace_materialized_view_sql(relation, sql) -%}
  {{ exceptions.raise_compiler_error("`get_replace_materialized_view_sql` has not been implemented for this adapter.") }}
{%- endmacro %}

{% macro refresh_materialized_view(relation) -%}
  {{- log('Applying REFRESH to: ' ~ relation) -}}
  {{- adapter.dispatch('refresh_materialized_view', 'dbt')(relation) -}}
{%- endmacro %}

{% macro default__refresh_materialized_view(relation) -%}
  {{ exceptions.raise_compiler_error("`refresh_materialized_view` has not been implemented for this adapter.") }}
{%- endmacro %}

{% macro postgres__refresh_materialized_view(relation) -%}
  refresh materialized view {{ relation }}
{%- endmacro %}

{#- configuration changes are a dict {category: [{action, context}]}, or none when there are none -#}
{% macro get_materialized_view_configuration_changes(existing_relation, new_config) -%}
  {{- log('Determining configuration changes on: ' ~ existing_relation) -}}
  {{- return(adapter.dispatch('get_materialized_view_configuration_changes', 'dbt')(existing_relation, new_config)) -}}
{%- endmacro %}

{% macro default__get_materialized_view_configuration_changes(existing_relation, new_config) -%}
  {{ exceptions.raise_compiler_error("Materialized views have not been implemented for this adapter.") }}
{%- endmacro %}

{% macro get_alter_materialized_view_as_sql(relation, configuration_changes, sql, existing_relation, backup_relation, intermediate_relation) -%}
  {{- log('Applying ALTER to: ' ~ relation) -}}
  {{- adapter.dispatch('get_alter_materialized_view_as_sql', 'dbt')(relation, configuration_changes, sql, existing_relation, backup_relation, intermediate_relation) -}}
{%- endmacro %}

{% macro default__get_alter_materialized_view_as_sql(relation, configuration_changes, sql, existing_relation, backup_relation, intermediate_relation) -%}
  {{ exceptions.raise_compiler_error("Materialized views have not been implemented for this adapter.") }}
{%- endmacro %}
