{#-
  dbt's seed steps, for projects and packages that call them: create_csv_table (the table for a
  seed's agate table), reset_csv_table (drop and recreate it, or truncate it), load_csv_rows (the
  rows, as inserts of get_batch_size() rows each) and get_csv_sql (the SQL a seed compiles to).
  Sluice's seed materialization itself loads the file with the engine's bulk loader
  (adapter.load_csv). Rows are written into the inserts as SQL literals.
-#}

{#- adapter.quote_seed_column(column, quote_config): quoted when quote_columns is true -#}
{% macro _sluice_quote_seed_column(column, quote_config) -%}
  {%- if quote_config is not none and quote_config is not boolean -%}
    {{ exceptions.raise_compiler_error('The seed configuration value of "quote_columns" is not a boolean (' ~ quote_config ~ '): use true or false') }}
  {%- endif -%}
  {{ return(adapter.quote(column) if quote_config else column) }}
{%- endmacro %}

{#- adapter.convert_type(agate_table, col_idx): the engine's type for a column of a seed's table -#}
{% macro _sluice_convert_type(agate_table, col_idx) -%}
  {%- set kind = agate_table.column_types[col_idx] | string -%}
  {%- if adapter.type() == 'postgres' -%}
    {%- set types = {'Integer': 'integer', 'Number': 'float8', 'Date': 'date', 'DateTime': 'timestamp without time zone',
                     'Boolean': 'boolean', 'Text': 'text', 'TimeDelta': 'interval'} -%}
  {%- else -%}
    {%- set types = {'Integer': 'INTEGER', 'Number': 'DOUBLE', 'Date': 'DATE', 'DateTime': 'TIMESTAMP',
                     'Boolean': 'BOOLEAN', 'Text': 'VARCHAR', 'TimeDelta': 'INTERVAL'} -%}
  {%- endif -%}
  {{ return(types.get(kind, types['Text'])) }}
{%- endmacro %}

{#- a cell of a seed as an SQL literal -#}
{% macro _sluice_seed_literal(v) -%}
  {%- if v is none -%}null
  {%- elif v is boolean -%}{{ 'true' if v else 'false' }}
  {%- elif v is number -%}{{ v }}
  {%- else -%}'{{ v | string | replace("'", "''") }}'
  {%- endif -%}
{%- endmacro %}

{% macro create_csv_table(model, agate_table) -%}
  {{ adapter.dispatch('create_csv_table', 'dbt')(model, agate_table) }}
{%- endmacro %}

{% macro default__create_csv_table(model, agate_table) -%}
  {%- set overrides = model['config'].get('column_types', {}) or {} -%}
  {%- set quote_columns = model['config'].get('quote_columns', none) -%}
  {%- set sql -%}
    create table {{ this.render() }} (
      {%- for name in agate_table.column_names -%}
        {%- set type = overrides.get(name, adapter.convert_type(agate_table, loop.index0)) -%}
        {{ adapter.quote_seed_column(name | string, quote_columns) }} {{ type }}{{ ', ' if not loop.last }}
      {%- endfor -%}
    )
  {%- endset -%}
  {% call statement('_') -%}
    {{ sql }}
  {%- endcall %}
  {{ return(sql) }}
{%- endmacro %}

{% macro reset_csv_table(model, full_refresh, old_relation, agate_table) -%}
  {{ adapter.dispatch('reset_csv_table', 'dbt')(model, full_refresh, old_relation, agate_table) }}
{%- endmacro %}

{#- a full refresh drops and recreates the table (the CSV's columns may have changed); otherwise
    the table is emptied -#}
{% macro default__reset_csv_table(model, full_refresh, old_relation, agate_table) -%}
  {%- if full_refresh -%}
    {{ adapter.drop_relation(old_relation) }}
    {{ return(create_csv_table(model, agate_table)) }}
  {%- endif -%}
  {%- do truncate_relation(old_relation) -%}
  {{ return('truncate table ' ~ old_relation.render()) }}
{%- endmacro %}

{% macro get_csv_sql(create_or_truncate_sql, insert_sql) -%}
  {{ adapter.dispatch('get_csv_sql', 'dbt')(create_or_truncate_sql, insert_sql) }}
{%- endmacro %}

{% macro default__get_csv_sql(create_or_truncate_sql, insert_sql) -%}
  {{ create_or_truncate_sql }};
  -- dbt seed --
  {{ insert_sql }}
{%- endmacro %}

{% macro load_csv_rows(model, agate_table) -%}
  {{ adapter.dispatch('load_csv_rows', 'dbt')(model, agate_table) }}
{%- endmacro %}

{#- inserts the rows into this, get_batch_size() rows a statement; returns the first statement -#}
{% macro default__load_csv_rows(model, agate_table) -%}
  {%- set cols = get_seed_column_quoted_csv(model, agate_table.column_names) -%}
  {%- set first = [] -%}
  {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
    {%- set sql -%}
      insert into {{ this.render() }} ({{ cols }}) values
      {% for row in chunk -%}
        ({%- for v in row -%}{{ _sluice_seed_literal(v) }}{{ ',' if not loop.last }}{%- endfor -%}){{ ',' if not loop.last }}
      {% endfor %}
    {%- endset -%}
    {% call statement('load_csv_rows_' ~ loop.index) -%}
      {{ sql }}
    {%- endcall %}
    {%- if loop.first -%}{%- do first.append(sql) -%}{%- endif -%}
  {%- endfor -%}
  {{ return(first[0] if first else '') }}
{%- endmacro %}
