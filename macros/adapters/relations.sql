{#- Creating, dropping and renaming relations. Each dispatches, so an adapter or a project can
    replace the SQL. -#}

{% macro create_schema(relation) -%}
  {{ adapter.dispatch('create_schema', 'dbt')(relation) }}
{%- endmacro %}

{% macro default__create_schema(relation) -%}
  {%- call statement('create_schema') -%}
    create schema if not exists {{ relation.include(identifier=false) }}
  {%- endcall -%}
{%- endmacro %}

{% macro drop_relation(relation) -%}
  {{ return(adapter.dispatch('drop_relation', 'dbt')(relation)) }}
{%- endmacro %}

{% macro default__drop_relation(relation) -%}
  {%- call statement('drop_relation', auto_begin=false) -%}
    drop {{ relation.type or 'table' }} if exists {{ relation }} cascade
  {%- endcall -%}
{%- endmacro %}

{% macro duckdb__drop_relation(relation) -%}
  {%- call statement('drop_relation', auto_begin=false) -%}
    drop {{ 'view' if relation.type == 'view' else 'table' }} if exists {{ relation }} cascade
  {%- endcall -%}
{%- endmacro %}

{% macro drop_relation_if_exists(relation) %}
  {% if relation is not none %}
    {% set found = adapter.get_relation(database=relation.database, schema=relation.schema, identifier=relation.identifier) %}
    {% if found is not none %}
      {{ adapter.drop_relation(found) }}
    {% endif %}
  {% endif %}
{% endmacro %}

{% macro rename_relation(from_relation, to_relation) -%}
  {{ return(adapter.dispatch('rename_relation', 'dbt')(from_relation, to_relation)) }}
{%- endmacro %}

{% macro default__rename_relation(from_relation, to_relation) -%}
  {%- call statement('rename_relation') -%}
    alter {{ 'view' if from_relation.type == 'view' else 'table' }} {{ from_relation }} rename to {{ adapter.quote(to_relation.identifier) }}
  {%- endcall -%}
{%- endmacro %}

{#- Names for the relations a materialization builds beside its target: each dispatches, the
    default adds a suffix to the identifier -#}
{% macro make_intermediate_relation(base_relation, suffix='__dbt_tmp') %}
  {{ return(adapter.dispatch('make_intermediate_relation', 'dbt')(base_relation, suffix)) }}
{% endmacro %}

{% macro default__make_intermediate_relation(base_relation, suffix) %}
  {{ return(default__make_temp_relation(base_relation, suffix)) }}
{% endmacro %}

{% macro make_temp_relation(base_relation, suffix='__dbt_tmp') %}
  {{ return(adapter.dispatch('make_temp_relation', 'dbt')(base_relation, suffix)) }}
{% endmacro %}

{% macro default__make_temp_relation(base_relation, suffix) %}
  {{ return(base_relation.incorporate(path={'identifier': base_relation.identifier ~ suffix})) }}
{% endmacro %}

{#- dbt-duckdb's: a temporary table lives in DuckDB's temp catalog, so the name has neither
    database nor schema (DuckDB refuses "TEMPORARY table names can *only* use the temp catalog"),
    and a time string keeps two of them apart -#}
{% macro duckdb__make_temp_relation(base_relation, suffix) %}
  {{ return(base_relation.incorporate(path={'identifier': base_relation.identifier ~ suffix ~ py_current_timestring(),
                                            'schema': none, 'database': none})) }}
{% endmacro %}

{#- The plain table Sluice's own materializations build beside a target (incremental's new rows,
    a snapshot's staging rows): make_temp_relation's name, but for DuckDB, whose temporary
    relations have no schema, the target's schema -#}
{% macro sluice_staging_relation(base_relation, suffix='__dbt_tmp') %}
  {{ return(adapter.dispatch('sluice_staging_relation', 'dbt')(base_relation, suffix)) }}
{% endmacro %}

{% macro default__sluice_staging_relation(base_relation, suffix) %}
  {{ return(make_temp_relation(base_relation, suffix)) }}
{% endmacro %}

{% macro duckdb__sluice_staging_relation(base_relation, suffix) %}
  {{ return(default__make_temp_relation(base_relation, suffix)) }}
{% endmacro %}

{% macro make_backup_relation(base_relation, backup_relation_type, suffix='__dbt_backup') %}
  {{ return(adapter.dispatch('make_backup_relation', 'dbt')(base_relation, backup_relation_type, suffix)) }}
{% endmacro %}

{% macro default__make_backup_relation(base_relation, backup_relation_type, suffix) %}
  {{ return(base_relation.incorporate(path={'identifier': base_relation.identifier ~ suffix}, type=backup_relation_type)) }}
{% endmacro %}

{% macro get_create_table_as_sql(temporary, relation, sql) -%}
  {{ return(adapter.dispatch('get_create_table_as_sql', 'dbt')(temporary, relation, sql)) }}
{%- endmacro %}

{% macro create_table_as(temporary, relation, compiled_code, language='sql') -%}
  {{ return(adapter.dispatch('create_table_as', 'dbt')(temporary, relation, compiled_code)) }}
{%- endmacro %}

{#- a contracted model's table is checked against its contract first, then created with its
    columns' types and constraints (a temporary table only gets the check) -#}
{% macro default__create_table_as(temporary, relation, sql) -%}
  {%- set sql_header = config.get('sql_header', none) -%}
  {%- set contract_enforced = (config.get('contract') or {}).get('enforced') -%}
  {%- if contract_enforced -%}
    {{ get_assert_columns_equivalent(sql) }}
  {%- endif %}
  {{ sql_header if sql_header is not none }}
  {% if contract_enforced and not temporary -%}
  {{ sluice_create_contracted_table(relation.include(database=(not temporary), schema=(not temporary)), sql) }}
  {%- else -%}
  create {% if temporary %}temporary {% endif %}table {{ relation.include(database=(not temporary), schema=(not temporary)) }} as (
    {{ sql }}
  )
  {%- endif %}
{%- endmacro %}

{% macro get_create_view_as_sql(relation, sql) -%}
  {{ return(adapter.dispatch('get_create_view_as_sql', 'dbt')(relation, sql)) }}
{%- endmacro %}

{% macro create_view_as(relation, sql) -%}
  {{ return(adapter.dispatch('create_view_as', 'dbt')(relation, sql)) }}
{%- endmacro %}

{% macro default__create_view_as(relation, sql) -%}
  {%- set sql_header = config.get('sql_header', none) -%}
  {%- if (config.get('contract') or {}).get('enforced') -%}
    {{ get_assert_columns_equivalent(sql) }}
  {%- endif %}
  {{ sql_header if sql_header is not none }}
  create view {{ relation }} as (
    {{ sql }}
  )
{%- endmacro %}

{% macro get_columns_in_relation(relation) -%}
  {{ return(adapter.get_columns_in_relation(relation)) }}
{%- endmacro %}
