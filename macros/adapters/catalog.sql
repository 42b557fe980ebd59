{#-
  The catalog queries of dbt: one row per column of each table and view, with table_database,
  table_schema, table_name, table_type, table_comment, column_name, column_index, column_type,
  column_comment and table_owner, as an agate table. `sluice docs generate` builds catalog.json in
  C; these are for projects and packages that call them. The default raises, as dbt's does; DuckDB
  answers from duckdb_tables(), duckdb_views() and duckdb_columns().
  information_schema is the database's information schema relation, or the database's name.
-#}

{% macro get_catalog(information_schema, schemas) -%}
  {{ return(adapter.dispatch('get_catalog', 'dbt')(information_schema, schemas)) }}
{%- endmacro %}

{% macro default__get_catalog(information_schema, schemas) -%}
  {{ exceptions.raise_compiler_error('get_catalog not implemented for ' ~ adapter.type()) }}
{%- endmacro %}

{% macro get_catalog_relations(information_schema, relations) -%}
  {{ return(adapter.dispatch('get_catalog_relations', 'dbt')(information_schema, relations)) }}
{%- endmacro %}

{% macro default__get_catalog_relations(information_schema, relations) -%}
  {{ exceptions.raise_compiler_error('get_catalog_relations not implemented for ' ~ adapter.type()) }}
{%- endmacro %}

{% macro get_catalog_for_single_relation(relation) -%}
  {{ return(adapter.dispatch('get_catalog_for_single_relation', 'dbt')(relation)) }}
{%- endmacro %}

{% macro default__get_catalog_for_single_relation(relation) -%}
  {{ exceptions.raise_not_implemented('get_catalog_for_single_relation macro not implemented for adapter ' ~ adapter.type()) }}
{%- endmacro %}

{#- the database an information_schema argument names -#}
{% macro _sluice_catalog_database(information_schema) -%}
  {%- if information_schema is string -%}
    {{ return(information_schema.split('.')[0] | replace('"', '')) }}
  {%- elif information_schema is not none and information_schema.database -%}
    {{ return(information_schema.database) }}
  {%- endif -%}
  {{ return(target.database) }}
{%- endmacro %}

{% macro _sluice_duckdb_catalog_sql(database, where) -%}
  with tables as (
      select database_name as table_database, schema_name as table_schema, table_name,
             'BASE TABLE' as table_type, comment as table_comment
      from duckdb_tables()
      where upper(database_name) = upper('{{ database }}')
      union all
      select database_name, schema_name, view_name, 'VIEW', comment
      from duckdb_views()
      where upper(database_name) = upper('{{ database }}') and not internal
  ),
  columns as (
      select database_name as table_database, schema_name as table_schema, table_name,
             column_name, column_index, data_type as column_type, comment as column_comment
      from duckdb_columns()
      where upper(database_name) = upper('{{ database }}')
  )
  select tables.table_database, tables.table_schema, tables.table_name, tables.table_type,
         tables.table_comment, columns.column_name, columns.column_index, columns.column_type,
         columns.column_comment, cast(null as varchar) as table_owner
  from tables
  join columns using (table_database, table_schema, table_name)
  where {{ where }}
  order by tables.table_schema, tables.table_name, columns.column_index
{%- endmacro %}

{% macro duckdb__get_catalog(information_schema, schemas) -%}
  {%- set where -%}
    {%- if schemas | length == 0 -%}false{%- else -%}
      ({% for s in schemas %}upper(tables.table_schema) = upper('{{ s }}'){% if not loop.last %} or {% endif %}{% endfor %})
    {%- endif -%}
  {%- endset -%}
  {{ return(run_query(_sluice_duckdb_catalog_sql(_sluice_catalog_database(information_schema), where))) }}
{%- endmacro %}

{% macro duckdb__get_catalog_relations(information_schema, relations) -%}
  {%- set where -%}
    {%- if relations | length == 0 -%}false{%- else -%}
      ({%- for r in relations -%}
        {%- if not r.schema -%}
          {{ exceptions.raise_compiler_error('get_catalog_relations needs relations that each have a schema') }}
        {%- endif -%}
        (upper(tables.table_schema) = upper('{{ r.schema }}')
        {%- if r.identifier %} and upper(tables.table_name) = upper('{{ r.identifier }}'){% endif %})
        {%- if not loop.last %} or {% endif -%}
      {%- endfor -%})
    {%- endif -%}
  {%- endset -%}
  {{ return(run_query(_sluice_duckdb_catalog_sql(_sluice_catalog_database(information_schema), where))) }}
{%- endmacro %}

{% macro duckdb__get_catalog_for_single_relation(relation) -%}
  {{ return(duckdb__get_catalog_relations(relation.database, [relation])) }}
{%- endmacro %}
