{#- Looking relations and schemas up, and the small relation operations macros build on. Each
    public macro dispatches to a default__ one, so an adapter or a project can replace it. -#}

{#- the relation as it exists in the database (its type included), or none -#}
{% macro load_cached_relation(relation) %}
  {%- do return(adapter.get_relation(database=relation.database, schema=relation.schema,
                                      identifier=relation.identifier)) -%}
{% endmacro %}

{#- the former name of load_cached_relation -#}
{% macro load_relation(relation) %}
  {{ return(load_cached_relation(relation)) }}
{% endmacro %}

{#- [true, relation] when it exists, else [false, a new relation object of that type] -#}
{% macro get_or_create_relation(database, schema, identifier, type) -%}
  {{ return(adapter.dispatch('get_or_create_relation', 'dbt')(database, schema, identifier, type)) }}
{%- endmacro %}

{% macro default__get_or_create_relation(database, schema, identifier, type) %}
  {%- set found = adapter.get_relation(database=database, schema=schema, identifier=identifier) -%}
  {%- if found -%}
    {% do return([true, found]) %}
  {%- endif -%}
  {% do return([false, api.Relation.create(database=database, schema=schema, identifier=identifier, type=type)]) %}
{% endmacro %}

{% macro truncate_relation(relation) -%}
  {{ return(adapter.dispatch('truncate_relation', 'dbt')(relation)) }}
{%- endmacro %}

{% macro default__truncate_relation(relation) -%}
  {%- call statement('truncate_relation') -%}
    truncate table {{ relation.render() }}
  {%- endcall -%}
{%- endmacro %}

{#- the relation of a database's information schema, for queries over its catalog -#}
{% macro information_schema_name(database) -%}
  {{ return(adapter.dispatch('information_schema_name', 'dbt')(database)) }}
{%- endmacro %}

{% macro default__information_schema_name(database) -%}
  {%- if database -%}{{ database }}.INFORMATION_SCHEMA{%- else -%}INFORMATION_SCHEMA{%- endif -%}
{%- endmacro %}

{% macro duckdb__information_schema_name(database) -%}
  information_schema
{%- endmacro %}

{#- the schemas of a database, as an agate table with one column -#}
{% macro list_schemas(database) -%}
  {{ return(adapter.dispatch('list_schemas', 'dbt')(database)) }}
{%- endmacro %}

{% macro default__list_schemas(database) -%}
  {%- set sql -%}
    select distinct schema_name from {{ information_schema_name(database) }}.schemata
    {%- if database %} where catalog_name = '{{ database }}'{% endif %}
  {%- endset -%}
  {{ return(run_query(sql)) }}
{%- endmacro %}

{#- whether a schema exists: an agate table whose one row holds a count -#}
{% macro check_schema_exists(information_schema, schema) -%}
  {{ return(adapter.dispatch('check_schema_exists', 'dbt')(information_schema, schema)) }}
{%- endmacro %}

{% macro default__check_schema_exists(information_schema, schema) -%}
  {%- set sql -%}
    select count(*) from {{ information_schema_name(information_schema.database if information_schema is mapping else none) }}.schemata
    where schema_name = '{{ schema }}'
    {%- if information_schema is mapping and information_schema.database %} and catalog_name = '{{ information_schema.database }}'{% endif %}
  {%- endset -%}
  {{ return(run_query(sql)) }}
{%- endmacro %}

{#- adapter.check_schema_exists(database, schema) and adapter.list_schemas(database), as dbt's
    BaseAdapter runs them: the macros above, read as a boolean and a list of names (false and an
    empty list while parsing, as dbt's parse_false/parse_list) -#}
{% macro _sluice_check_schema_exists(database, schema) -%}
  {%- if not execute -%}{{ return(false) }}{%- endif -%}
  {%- set info = api.Relation.create(database=database, schema=schema, identifier='INFORMATION_SCHEMA').information_schema() -%}
  {%- set result = check_schema_exists(info, schema) -%}
  {{ return(result.rows | length > 0 and result.rows[0][0] > 0) }}
{%- endmacro %}

{% macro _sluice_list_schemas(database) -%}
  {%- set names = [] -%}
  {%- if execute -%}
    {%- for row in list_schemas(database).rows -%}{%- do names.append(row[0]) -%}{%- endfor -%}
  {%- endif -%}
  {{ return(names) }}
{%- endmacro %}

{#- the relations of a schema, read from the database and not from the cache -#}
{% macro list_relations_without_caching(schema_relation) -%}
  {{ return(adapter.dispatch('list_relations_without_caching', 'dbt')(schema_relation)) }}
{%- endmacro %}

{% macro default__list_relations_without_caching(schema_relation) -%}
  {%- set sql -%}
    select table_catalog as database, table_name as name, table_schema as schema,
      case when table_type = 'VIEW' then 'view' else 'table' end as type
    from {{ information_schema_name(schema_relation.database) }}.tables
    where table_schema = '{{ schema_relation.schema }}'
    {%- if schema_relation.database %} and table_catalog = '{{ schema_relation.database }}'{% endif %}
  {%- endset -%}
  {{ return(run_query(sql)) }}
{%- endmacro %}

{#- the relations of a schema as relation objects -#}
{% macro get_relations() -%}
  {{ return(adapter.dispatch('get_relations', 'dbt')()) }}
{%- endmacro %}

{% macro default__get_relations() -%}
  {{ exceptions.raise_not_implemented('get_relations macro not implemented for adapter ' ~ adapter.type()) }}
{%- endmacro %}

{% macro get_relation_last_modified(information_schema, relations) -%}
  {{ return(adapter.dispatch('get_relation_last_modified', 'dbt')(information_schema, relations)) }}
{%- endmacro %}

{% macro default__get_relation_last_modified(information_schema, relations) -%}
  {{ exceptions.raise_not_implemented('get_relation_last_modified macro not implemented for adapter ' ~ adapter.type()) }}
{%- endmacro %}

{#- dropping schemas and relations by kind -#}
{% macro drop_schema(relation) -%}
  {{ adapter.dispatch('drop_schema', 'dbt')(relation) }}
{%- endmacro %}

{% macro default__drop_schema(relation) -%}
  {%- call statement('drop_schema') -%}
    drop schema if exists {{ relation.without_identifier() }} cascade
  {%- endcall -%}
{%- endmacro %}

{% macro drop_schema_named(schema_name) -%}
  {{ return(adapter.dispatch('drop_schema_named', 'dbt')(schema_name)) }}
{%- endmacro %}

{% macro default__drop_schema_named(schema_name) -%}
  {%- set schema_relation = api.Relation.create(schema=schema_name) -%}
  {% do drop_schema(schema_relation) %}
{%- endmacro %}

{% macro get_drop_sql(relation) -%}
  {{ return(adapter.dispatch('get_drop_sql', 'dbt')(relation)) }}
{%- endmacro %}

{% macro default__get_drop_sql(relation) -%}
  {%- if relation.is_view -%}
    {{ drop_view(relation) }}
  {%- elif relation.is_materialized_view -%}
    {{ drop_materialized_view(relation) }}
  {%- else -%}
    {{ drop_table(relation) }}
  {%- endif -%}
{%- endmacro %}

{% macro drop_table(relation) -%}
  {{ return(adapter.dispatch('drop_table', 'dbt')(relation)) }}
{%- endmacro %}

{% macro default__drop_table(relation) -%}
  drop table if exists {{ relation.render() }} cascade
{%- endmacro %}

{% macro drop_view(relation) -%}
  {{ return(adapter.dispatch('drop_view', 'dbt')(relation)) }}
{%- endmacro %}

{% macro default__drop_view(relation) -%}
  drop view if exists {{ relation.render() }} cascade
{%- endmacro %}

{% macro drop_materialized_view(relation) -%}
  {{ return(adapter.dispatch('drop_materialized_view', 'dbt')(relation)) }}
{%- endmacro %}

{% macro default__drop_materialized_view(relation) -%}
  drop materialized view if exists {{ relation.render() }} cascade
{%- endmacro %}

{#- renaming by kind: the SQL only, for materializations that assemble their own statements -#}
{% macro get_rename_sql(relation, new_name) -%}
  {{ return(adapter.dispatch('get_rename_sql', 'dbt')(relation, new_name)) }}
{%- endmacro %}

{% macro default__get_rename_sql(relation, new_name) -%}
  {%- if relation.is_view -%}
    {{ get_rename_view_sql(relation, new_name) }}
  {%- elif relation.is_table -%}
    {{ get_rename_table_sql(relation, new_name) }}
  {%- elif relation.is_materialized_view -%}
    {{ get_rename_materialized_view_sql(relation, new_name) }}
  {%- else -%}
    {{ exceptions.raise_compiler_error("`get_rename_sql` has not been implemented for: " ~ relation.type) }}
  {%- endif -%}
{%- endmacro %}

{% macro get_rename_table_sql(relation, new_name) -%}
  {{ return(adapter.dispatch('get_rename_table_sql', 'dbt')(relation, new_name)) }}
{%- endmacro %}

{% macro default__get_rename_table_sql(relation, new_name) -%}
  alter table {{ relation.render() }} rename to {{ adapter.quote(new_name) }}
{%- endmacro %}

{% macro get_rename_view_sql(relation, new_name) -%}
  {{ return(adapter.dispatch('get_rename_view_sql', 'dbt')(relation, new_name)) }}
{%- endmacro %}

{% macro default__get_rename_view_sql(relation, new_name) -%}
  alter view {{ relation.render() }} rename to {{ adapter.quote(new_name) }}
{%- endmacro %}

{% macro get_rename_materialized_view_sql(relation, new_name) -%}
  {{ return(adapter.dispatch('get_rename_materialized_view_sql', 'dbt')(relation, new_name)) }}
{%- endmacro %}

{% macro default__get_rename_materialized_view_sql(relation, new_name) -%}
  {{ exceptions.raise_compiler_error("`get_rename_materialized_view_sql` has not been implemented for this adapter.") }}
{%- endmacro %}

{#- the SQL that builds a relation of the model's materialization -#}
{% macro get_create_sql(relation, sql) -%}
  {{ return(adapter.dispatch('get_create_sql', 'dbt')(relation, sql)) }}
{%- endmacro %}

{% macro default__get_create_sql(relation, sql) -%}
  {%- if relation.is_view -%}
    {{ get_create_view_as_sql(relation, sql) }}
  {%- elif relation.is_table -%}
    {{ get_create_table_as_sql(False, relation, sql) }}
  {%- else -%}
    {{ exceptions.raise_compiler_error("`get_create_sql` has not been implemented for: " ~ relation.type) }}
  {%- endif -%}
{%- endmacro %}

{% macro default__get_create_table_as_sql(temporary, relation, sql) -%}
  {{ return(create_table_as(temporary, relation, sql)) }}
{%- endmacro %}

{% macro default__get_create_view_as_sql(relation, sql) -%}
  {{ return(create_view_as(relation, sql)) }}
{%- endmacro %}

{% macro create_or_replace_view() %}
  {%- set identifier = model['alias'] -%}
  {%- set old_relation = adapter.get_relation(database=database, schema=schema, identifier=identifier) -%}
  {%- set exists_as_view = (old_relation is not none and old_relation.is_view) -%}
  {%- set target_relation = api.Relation.create(identifier=identifier, schema=schema, database=database, type='view') -%}
  {{ run_hooks(pre_hooks) }}
  {%- if old_relation is not none and not exists_as_view -%}
    {{ adapter.drop_relation(old_relation) }}
  {%- endif -%}
  {%- call statement('main') -%}
    {{ get_create_view_as_sql(target_relation, sql) }}
  {%- endcall -%}
  {{ run_hooks(post_hooks) }}
  {{ return({'relations': [target_relation]}) }}
{% endmacro %}
