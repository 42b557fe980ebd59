{#-
  The SQL of dbt's unit tests, for projects and packages that call it: a fixture's rows as a
  select (get_fixture_sql), the expected rows (get_expected_sql), one row's values cast to their
  columns' types (format_row), and the query comparing actual and expected rows
  (get_unit_test_sql). `sluice test` builds its unit tests in C (src/runner/unit_test.c) with the
  same SQL shapes.
-#}

{#- a fixture's rows as "select ... union all select ...", every column of the relation present
    (null, cast, where a row leaves it out); with no rows, an empty select of those columns -#}
{% macro get_fixture_sql(rows, column_name_to_data_types) -%}
-- Fixture for {{ model.name if model is defined }}
{%- set quoted = {} -%}
{%- if not column_name_to_data_types -%}
  {%- set relation = defer_relation if (defer_relation is defined and defer_relation and not load_relation(this)) else this -%}
  {%- set column_name_to_data_types = {} -%}
  {%- for col in adapter.get_columns_in_relation(relation) -%}
    {%- do column_name_to_data_types.update({col.name | lower: col.data_type}) -%}
    {%- do quoted.update({col.name | lower: col.quoted}) -%}
  {%- endfor -%}
{%- endif -%}
{%- if not column_name_to_data_types -%}
  {{ exceptions.raise_compiler_error("Not able to get columns for unit test '" ~ (model.name if model is defined) ~ "' from relation " ~ this ~ " because the relation doesn't exist") }}
{%- endif -%}
{%- set defaults = {} -%}
{%- for name, type in column_name_to_data_types.items() -%}
  {%- do defaults.update({name: safe_cast('null', type) | trim}) -%}
  {%- if name not in quoted -%}{%- do quoted.update({name: adapter.quote(name)}) -%}{%- endif -%}
{%- endfor -%}
{{ validate_fixture_rows(rows, none) }}
{%- for row in rows -%}
  {%- set values = defaults.copy() -%}
  {%- do values.update(format_row(row, column_name_to_data_types)) %}
select {% for name, v in values.items() %}{{ v }} as {{ quoted[name] }}{{ ', ' if not loop.last }}{% endfor %}
  {%- if not loop.last %}
union all
  {%- endif -%}
{%- endfor -%}
{%- if rows | length == 0 %}
select {% for name, v in defaults.items() %}{{ v }} as {{ quoted[name] }}{{ ', ' if not loop.last }}{% endfor %}
limit 0
{%- endif -%}
{%- endmacro %}

{#- the expected rows as selects; no rows: the actual rows' columns, empty -#}
{% macro get_expected_sql(rows, column_name_to_data_types, column_name_to_quoted) -%}
{%- if rows | length == 0 -%}
select * from dbt_internal_unit_test_actual
limit 0
{%- else -%}
  {%- for row in rows %}
select {% for name, v in format_row(row, column_name_to_data_types).items() %}{{ v }} as {{ column_name_to_quoted[name] }}{{ ', ' if not loop.last }}{% endfor %}
    {%- if not loop.last %}
union all
    {%- endif -%}
  {%- endfor -%}
{%- endif -%}
{%- endmacro %}

{#- one fixture row, names lower-cased, each value an SQL literal cast to its column's type -#}
{% macro format_row(row, column_name_to_data_types) -%}
  {%- set out = {} -%}
  {%- for key, value in row.items() -%}
    {%- set name = key | lower -%}
    {%- if name not in column_name_to_data_types -%}
      {%- set fixture = 'expected output' if (model is not defined or model.resource_type == 'unit_test') else ("'" ~ model.name ~ "'") -%}
      {{ exceptions.raise_compiler_error("Invalid column name: '" ~ name ~ "' in unit test fixture for " ~ fixture ~ ".\nAccepted columns for " ~ fixture ~ " are: " ~ (column_name_to_data_types.keys() | list)) }}
    {%- endif -%}
    {%- set type = column_name_to_data_types[name] -%}
    {#- a string into a sized varchar would be cut: cast to the unsized type -#}
    {%- if value is string and 'varying' in type -%}{%- set type = type.split('(')[0] -%}{%- endif -%}
    {%- if value is string -%}
      {%- set literal = string_literal(escape_single_quotes(value)) -%}
    {%- elif value is none -%}
      {%- set literal = 'null' -%}
    {%- else -%}
      {%- set literal = value -%}
    {%- endif -%}
    {%- do out.update({name: safe_cast(literal, type)}) -%}
  {%- endfor -%}
  {{ return(out) }}
{%- endmacro %}

{#- a check of fixture rows an adapter may add: none by default -#}
{% macro validate_fixture_rows(rows, row_number) -%}
  {{ return(adapter.dispatch('validate_fixture_rows', 'dbt')(rows, row_number)) }}
{%- endmacro %}

{% macro default__validate_fixture_rows(rows, row_number) -%}
{%- endmacro %}

{#- the actual and the expected rows, each marked in the column actual_or_expected -#}
{% macro get_unit_test_sql(main_sql, expected_fixture_sql, expected_column_names) -%}
  {{ adapter.dispatch('get_unit_test_sql', 'dbt')(main_sql, expected_fixture_sql, expected_column_names) }}
{%- endmacro %}

{% macro default__get_unit_test_sql(main_sql, expected_fixture_sql, expected_column_names) -%}
  {%- set cols = expected_column_names | join(', ') -%}
with dbt_internal_unit_test_actual as (
  select {{ cols }}, {{ string_literal('actual') }} as {{ adapter.quote('actual_or_expected') }}
  from (
    {{ main_sql }}
  ) _dbt_internal_unit_test_actual
),
dbt_internal_unit_test_expected as (
  select {{ cols }}, {{ string_literal('expected') }} as {{ adapter.quote('actual_or_expected') }}
  from (
    {{ expected_fixture_sql }}
  ) _dbt_internal_unit_test_expected
)
select * from dbt_internal_unit_test_actual
union all
select * from dbt_internal_unit_test_expected
{%- endmacro %}
