{#- Columns of relations and queries, and changing them. Each public macro dispatches. -#}

{#- the columns a query returns, without running it on data: a subquery that returns no rows -#}
{% macro get_empty_subquery_sql(select_sql, select_sql_header=none) -%}
  {{ return(adapter.dispatch('get_empty_subquery_sql', 'dbt')(select_sql, select_sql_header)) }}
{%- endmacro %}

{% macro default__get_empty_subquery_sql(select_sql, select_sql_header=none) -%}
  {%- if select_sql_header is not none -%}
  {{ select_sql_header }}
  {%- endif %}
  select * from (
    {{ select_sql }}
  ) as __dbt_sbq
  where false
  limit 0
{%- endmacro %}

{#- the columns (Column objects) a query returns; none while parsing, as dbt's adapter method
    (available.parse_list) -#}
{% macro get_column_schema_from_query(select_sql, select_sql_header=none) -%}
  {%- if not execute -%}{{ return([]) }}{%- endif -%}
  {%- set sql = get_empty_subquery_sql(select_sql, select_sql_header) -%}
  {%- set table = run_query(sql) -%}
  {%- set cols = [] -%}
  {%- for c in table.columns -%}
    {%- do cols.append(api.Column(c.name, c.data_type | string)) -%}
  {%- endfor -%}
  {{ return(cols) }}
{%- endmacro %}

{#- the names of the columns a query returns -#}
{% macro get_columns_in_query(select_sql) -%}
  {{ return(adapter.dispatch('get_columns_in_query', 'dbt')(select_sql)) }}
{%- endmacro %}

{% macro default__get_columns_in_query(select_sql) -%}
  {%- call statement('get_columns_in_query', fetch_result=true, auto_begin=false) -%}
    {{ get_empty_subquery_sql(select_sql) }}
  {%- endcall -%}
  {{ return(load_result('get_columns_in_query').table.columns | map(attribute='name') | list) }}
{%- endmacro %}

{#- a relation's columns as the rows of an agate table (name, type, ...) -#}
{% macro sql_convert_columns_in_relation(table) -%}
  {%- set columns = [] -%}
  {%- for row in table -%}
    {%- do columns.append(api.Column(*row)) -%}
  {%- endfor -%}
  {{ return(columns) }}
{%- endmacro %}

{% macro get_list_of_column_names(columns) -%}
  {{ return(columns | map(attribute='name') | list) }}
{%- endmacro %}

{#- the columns of source_columns whose name target_columns lacks -#}
{% macro diff_columns(source_columns, target_columns) -%}
  {%- set target_names = target_columns | map(attribute='column') | list -%}
  {%- set result = [] -%}
  {%- for col in source_columns if col.column not in target_names -%}
    {%- do result.append(col) -%}
  {%- endfor -%}
  {{ return(result) }}
{%- endmacro %}

{#- the columns present in both whose data type differs: [{column_name, new_type}] -#}
{% macro diff_column_data_types(source_columns, target_columns) -%}
  {%- set result = [] -%}
  {%- for sc in source_columns -%}
    {%- set tc = target_columns | selectattr('name', 'equalto', sc.name) | list -%}
    {%- if tc | length > 0 and tc[0].data_type != sc.data_type and not sc.can_expand_to(other_column=tc[0]) -%}
      {%- do result.append({'column_name': tc[0].name, 'new_type': sc.data_type}) -%}
    {%- endif -%}
  {%- endfor -%}
  {{ return(result) }}
{%- endmacro %}

{#- changes a column's type by adding a new column, copying, dropping the old one and renaming -#}
{% macro alter_column_type(relation, column_name, new_column_type) -%}
  {{ return(adapter.dispatch('alter_column_type', 'dbt')(relation, column_name, new_column_type)) }}
{%- endmacro %}

{% macro default__alter_column_type(relation, column_name, new_column_type) -%}
  {%- set tmp_column = column_name ~ "__dbt_alter" -%}
  {%- call statement('alter_column_type') -%}
    alter table {{ relation.render() }} add column {{ adapter.quote(tmp_column) }} {{ new_column_type }};
    update {{ relation.render() }} set {{ adapter.quote(tmp_column) }} = {{ adapter.quote(column_name) }};
    alter table {{ relation.render() }} drop column {{ adapter.quote(column_name) }} cascade;
    alter table {{ relation.render() }} rename column {{ adapter.quote(tmp_column) }} to {{ adapter.quote(column_name) }}
  {%- endcall -%}
{%- endmacro %}

{% macro alter_relation_add_remove_columns(relation, add_columns=none, remove_columns=none) -%}
  {{ return(adapter.dispatch('alter_relation_add_remove_columns', 'dbt')(relation, add_columns, remove_columns)) }}
{%- endmacro %}

{% macro default__alter_relation_add_remove_columns(relation, add_columns, remove_columns) -%}
  {%- for column in (add_columns or []) -%}
    {%- call statement('alter_relation_add_columns') -%}
      alter {{ relation.type or 'table' }} {{ relation.render() }} add column {{ column.quoted }} {{ column.data_type }}
    {%- endcall -%}
  {%- endfor -%}
  {%- for column in (remove_columns or []) -%}
    {%- call statement('alter_relation_remove_columns') -%}
      alter {{ relation.type or 'table' }} {{ relation.render() }} drop column {{ column.quoted }}
    {%- endcall -%}
  {%- endfor -%}
{%- endmacro %}

{#-
  Comments on relations and columns (persist_docs). As in dbt, alter_relation_comment and
  alter_column_comment return SQL (an adapter without comments raises), persist_docs runs it after
  the materialization built the relation, inside its transaction, and warns of documented columns
  that the relation lacks.
-#}
{% macro alter_column_comment(relation, column_dict) -%}
  {{ return(adapter.dispatch('alter_column_comment', 'dbt')(relation, column_dict)) }}
{%- endmacro %}

{% macro default__alter_column_comment(relation, column_dict) -%}
  {{ exceptions.raise_not_implemented('alter_column_comment macro not implemented for adapter ' ~ adapter.type()) }}
{%- endmacro %}

{#- a string literal for a comment: quotes doubled, so any text is safe -#}
{% macro sluice_comment_literal(text) -%}
  '{{ (text or '') | replace("'", "''") }}'
{%- endmacro %}

{#- one statement a documented column; DuckDB and PostgreSQL share the syntax -#}
{% macro sluice_column_comments(relation, column_dict) -%}
  {%- for name, col in column_dict.items() if col.get('description') -%}
    comment on column {{ relation.render() }}.{{ adapter.quote(name) if col.get('quote') else name }} is {{ sluice_comment_literal(col['description']) }};
  {% endfor -%}
{%- endmacro %}

{% macro duckdb__alter_column_comment(relation, column_dict) -%}
  {{ return(sluice_column_comments(relation, column_dict)) }}
{%- endmacro %}

{% macro postgres__alter_column_comment(relation, column_dict) -%}
  {{ return(sluice_column_comments(relation, column_dict)) }}
{%- endmacro %}

{% macro alter_relation_comment(relation, relation_comment) -%}
  {{ return(adapter.dispatch('alter_relation_comment', 'dbt')(relation, relation_comment)) }}
{%- endmacro %}

{% macro default__alter_relation_comment(relation, relation_comment) -%}
  {{ exceptions.raise_not_implemented('alter_relation_comment macro not implemented for adapter ' ~ adapter.type()) }}
{%- endmacro %}

{% macro sluice_relation_comment(relation, relation_comment) -%}
  {%- set kind = 'materialized view' if relation.is_materialized_view else ('view' if relation.is_view else 'table') -%}
  comment on {{ kind }} {{ relation.render() }} is {{ sluice_comment_literal(relation_comment) }}
{%- endmacro %}

{% macro duckdb__alter_relation_comment(relation, relation_comment) -%}
  {{ return(sluice_relation_comment(relation, relation_comment)) }}
{%- endmacro %}

{% macro postgres__alter_relation_comment(relation, relation_comment) -%}
  {{ return(sluice_relation_comment(relation, relation_comment)) }}
{%- endmacro %}

{% macro persist_docs(relation, model, for_relation=true, for_columns=true) -%}
  {{ return(adapter.dispatch('persist_docs', 'dbt')(relation, model, for_relation, for_columns)) }}
{%- endmacro %}

{#- the documented columns that the relation has (names compared as dbt does: exactly when quoted,
    case-blind otherwise); a warning names the others -#}
{% macro validate_doc_columns(relation, column_dict, existing_column_names) -%}
  {%- set existing_lower = existing_column_names | map('lower') | list -%}
  {%- set kept = {} -%}
  {%- set missing = [] -%}
  {%- for name in column_dict -%}
    {%- set present = (name in existing_column_names) if column_dict[name].get('quote') else (name | lower in existing_lower) -%}
    {%- if present -%}
      {%- do kept.update({name: column_dict[name]}) -%}
    {%- else -%}
      {%- do missing.append(name) -%}
    {%- endif -%}
  {%- endfor -%}
  {%- if missing -%}
    {{ exceptions.warn("In relation " ~ relation.render() ~ ": The following columns are specified in the schema but are not present in the database: " ~ missing | join(", ")) }}
  {%- endif -%}
  {{ return(kept) }}
{%- endmacro %}

{% macro default__persist_docs(relation, model, for_relation, for_columns) -%}
  {%- if for_relation and config.persist_relation_docs() and model.description -%}
    {% do run_query(alter_relation_comment(relation, model.description)) %}
  {%- endif -%}
  {%- if for_columns and config.persist_column_docs() and model.columns -%}
    {%- set existing = adapter.get_columns_in_relation(relation) | map(attribute='name') | list -%}
    {%- set documented = validate_doc_columns(relation, model.columns, existing) -%}
    {%- set comment_sql = alter_column_comment(relation, documented) -%}
    {%- if comment_sql and comment_sql | trim | length > 0 -%}
      {% do run_query(comment_sql) %}
    {%- endif -%}
  {%- endif -%}
{%- endmacro %}

{#- the default of an adapter that has no way to list columns; adapters override it -#}
{% macro default__get_columns_in_relation(relation) -%}
  {{ exceptions.raise_not_implemented('get_columns_in_relation macro not implemented for adapter ' ~ adapter.type()) }}
{%- endmacro %}
