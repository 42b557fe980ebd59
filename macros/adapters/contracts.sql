{#-
  Model contracts (contract: {enforced: true}): the pre-flight check that a model's query returns
  the columns and data types of its contract, and the column list, types and constraints of a
  contracted table's DDL. Each public macro dispatches, so an adapter or a project can override it.
-#}

{#- a query with no rows whose columns have the contract's names and types (a dict of column dicts) -#}
{% macro get_empty_schema_sql(columns) -%}
  {{ return(adapter.dispatch('get_empty_schema_sql', 'dbt')(columns)) }}
{%- endmacro %}

{% macro default__get_empty_schema_sql(columns) -%}
  {%- set col_err = [] -%}
  {%- set col_naked_numeric = [] -%}
  select
  {%- for name in columns %}
    {%- set col = columns[name] -%}
    {%- if col.get('data_type') is none -%}
      {%- do col_err.append(col['name']) -%}
    {%- elif col['data_type'].strip().lower() in ('numeric', 'decimal', 'number') -%}
      {%- do col_naked_numeric.append(col['name']) -%}
    {%- endif -%}
    {%- set col_name = adapter.quote(col['name']) if col.get('quote') else col['name'] %}
    cast(null as {{ col.get('data_type') }}) as {{ col_name }}{{ ", " if not loop.last }}
  {%- endfor -%}
  {%- if col_err | length > 0 -%}
    {{ exceptions.column_type_missing(column_names=col_err) }}
  {%- elif col_naked_numeric | length > 0 -%}
    {{ exceptions.warn("Detected columns with numeric type and unspecified precision/scale, this can lead to unintended rounding: " ~ col_naked_numeric ~ "`") }}
  {%- endif %}
{%- endmacro %}

{#- raises dbt's contract error (with its table of mismatches) when the columns the query returns
    differ from the contract's in number, names or data types -#}
{% macro get_assert_columns_equivalent(sql) -%}
  {{ return(adapter.dispatch('get_assert_columns_equivalent', 'dbt')(sql)) }}
{%- endmacro %}

{% macro default__get_assert_columns_equivalent(sql) -%}
  {{ return(assert_columns_equivalent(sql)) }}
{%- endmacro %}

{% macro assert_columns_equivalent(sql) -%}
  {%- set user_defined_columns = model['columns'] -%}
  {%- if not user_defined_columns -%}
    {{ exceptions.raise_contract_error([], []) }}
  {%- endif -%}
  {%- set sql_file_provided_columns = get_column_schema_from_query(sql, config.get('sql_header', none)) -%}
  {%- set schema_file_provided_columns = get_column_schema_from_query(get_empty_schema_sql(user_defined_columns)) -%}
  {%- set sql_columns = format_columns(sql_file_provided_columns) -%}
  {%- set yaml_columns = format_columns(schema_file_provided_columns) -%}
  {%- if sql_columns | length != yaml_columns | length -%}
    {%- do exceptions.raise_contract_error(yaml_columns, sql_columns) -%}
  {%- endif -%}
  {%- for sql_col in sql_columns -%}
    {%- set yaml_col = [] -%}
    {%- for this_col in yaml_columns -%}
      {%- if this_col['name'] == sql_col['name'] -%}
        {%- do yaml_col.append(this_col) -%}
        {%- break -%}
      {%- endif -%}
    {%- endfor -%}
    {%- if not yaml_col or sql_col['formatted'] != yaml_col[0]['formatted'] -%}
      {%- do exceptions.raise_contract_error(yaml_columns, sql_columns) -%}
    {%- endif -%}
  {%- endfor -%}
{%- endmacro %}

{% macro format_columns(columns) -%}
  {%- set out = [] -%}
  {%- for column in columns -%}
    {%- do out.append(adapter.dispatch('format_column', 'dbt')(column)) -%}
  {%- endfor -%}
  {{ return(out) }}
{%- endmacro %}

{% macro default__format_column(column) -%}
  {{ return({'name': column.name, 'data_type': column.dtype, 'formatted': column.column.lower() ~ ' ' ~ column.dtype}) }}
{%- endmacro %}

{#- the "(name type constraints, ..., model constraints)" of a contracted table's DDL; the adapter
    warns of the constraints its engine does not enforce or cannot create -#}
{% macro get_table_columns_and_constraints() -%}
  {{ return(adapter.dispatch('get_table_columns_and_constraints', 'dbt')()) }}
{%- endmacro %}

{% macro default__get_table_columns_and_constraints() -%}
  {{ return(table_columns_and_constraints()) }}
{%- endmacro %}

{% macro table_columns_and_constraints() -%}
  {%- set raw_column_constraints = adapter.render_raw_columns_constraints(raw_columns=model['columns']) -%}
  {%- set raw_model_constraints = adapter.render_raw_model_constraints(raw_constraints=model['constraints']) -%}
  (
  {%- for c in raw_column_constraints %}
    {{ c }}{{ "," if not loop.last or raw_model_constraints }}
  {%- endfor %}
  {%- for c in raw_model_constraints %}
    {{ c }}{{ "," if not loop.last }}
  {%- endfor %}
  )
{%- endmacro %}

{#- the contract's columns, in its order, out of the model's query -#}
{% macro get_select_subquery(sql) -%}
  {{ return(adapter.dispatch('get_select_subquery', 'dbt')(sql)) }}
{%- endmacro %}

{% macro default__get_select_subquery(sql) -%}
  select {{ adapter.dispatch('get_column_names', 'dbt')() }}
  from (
    {{ sql }}
  ) as model_subq
{%- endmacro %}

{% macro default__get_column_names() -%}
  {%- for name in model['columns'] -%}
    {%- set col = model['columns'][name] -%}
    {{ adapter.quote(col['name']) if col.get('quote') else col['name'] }}{{ ", " if not loop.last }}
  {%- endfor -%}
{%- endmacro %}

{#- the statements that build a contracted table: created with its columns' types and
    constraints, then filled from the query (the engines cannot declare both in CREATE TABLE AS) -#}
{% macro sluice_create_contracted_table(relation, sql) -%}
  create table {{ relation }}
  {{ get_table_columns_and_constraints() }};
  insert into {{ relation }} (
    {{ adapter.dispatch('get_column_names', 'dbt')() }}
  )
  {{ get_select_subquery(sql) }}
{%- endmacro %}
