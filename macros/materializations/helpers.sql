{#- Helpers of dbt's materializations that packages and custom materializations call: snapshot
    keys and hashes, merge columns, replacing relations in steps, and seed batches. -#}

{% macro snapshot_hash_arguments(args) -%}
  {{ adapter.dispatch('snapshot_hash_arguments', 'dbt')(args) }}
{%- endmacro %}

{% macro default__snapshot_hash_arguments(args) -%}
  md5({%- for arg in args -%}coalesce(cast({{ arg }} as varchar), ''){% if not loop.last %} || '|' || {% endif %}{%- endfor -%})
{%- endmacro %}

{#- the names of a snapshot's meta columns, which snapshot_table_column_names may rename -#}
{% macro get_snapshot_table_column_names() -%}
  {{ return({'dbt_valid_to': 'dbt_valid_to', 'dbt_valid_from': 'dbt_valid_from', 'dbt_scd_id': 'dbt_scd_id',
             'dbt_updated_at': 'dbt_updated_at', 'dbt_is_deleted': 'dbt_is_deleted'}) }}
{%- endmacro %}

{% macro get_dbt_valid_to_current(strategy, columns) -%}
  {%- set current = config.get('dbt_valid_to_current') or 'null' -%}
  coalesce(nullif({{ strategy.updated_at }}, {{ strategy.updated_at }}), {{ current }}) as {{ columns.dbt_valid_to }}
{%- endmacro %}

{#- a snapshot's unique key, one column or several -#}
{% macro _sluice_is_key_list(unique_key) -%}
  {{ return(unique_key is sequence and unique_key is not string and unique_key is not mapping) }}
{%- endmacro %}

{% macro unique_key_fields(unique_key) -%}
  {%- if _sluice_is_key_list(unique_key) -%}
    {%- for key in unique_key %}{{ key }} as dbt_unique_key_{{ loop.index }}{{ ", " if not loop.last }}{% endfor -%}
  {%- else -%}
    {{ unique_key }} as dbt_unique_key
  {%- endif -%}
{%- endmacro %}

{% macro unique_key_join_on(unique_key, identifier, from_identifier) -%}
  {%- if _sluice_is_key_list(unique_key) -%}
    {%- for key in unique_key %}{{ identifier }}.dbt_unique_key_{{ loop.index }} = {{ from_identifier }}.dbt_unique_key_{{ loop.index }}{{ " and " if not loop.last }}{% endfor -%}
  {%- else -%}
    {{ identifier }}.dbt_unique_key = {{ from_identifier }}.dbt_unique_key
  {%- endif -%}
{%- endmacro %}

{% macro unique_key_is_null(unique_key, identifier) -%}
  {{ identifier }}.dbt_unique_key{{ '_1' if _sluice_is_key_list(unique_key) }} is null
{%- endmacro %}

{% macro unique_key_is_not_null(unique_key, identifier) -%}
  {{ identifier }}.dbt_unique_key{{ '_1' if _sluice_is_key_list(unique_key) }} is not null
{%- endmacro %}

{#- the columns a merge updates: merge_update_columns, or all but merge_exclude_columns -#}
{% macro get_merge_update_columns(merge_update_columns, merge_exclude_columns, dest_columns) -%}
  {{ return(adapter.dispatch('get_merge_update_columns', 'dbt')(merge_update_columns, merge_exclude_columns, dest_columns)) }}
{%- endmacro %}

{% macro default__get_merge_update_columns(merge_update_columns, merge_exclude_columns, dest_columns) -%}
  {%- if merge_update_columns and merge_exclude_columns -%}
    {{ exceptions.raise_compiler_error('Model cannot specify merge_update_columns and merge_exclude_columns. Please update model to use only one config') }}
  {%- elif merge_update_columns -%}
    {{ return(merge_update_columns) }}
  {%- elif merge_exclude_columns -%}
    {%- set excluded = merge_exclude_columns | map('lower') | list -%}
    {%- set kept = [] -%}
    {%- for column in dest_columns if column.column | lower not in excluded -%}
      {%- do kept.append(column.quoted) -%}
    {%- endfor -%}
    {{ return(kept) }}
  {%- else -%}
    {{ return(dest_columns | map(attribute='quoted') | list) }}
  {%- endif -%}
{%- endmacro %}

{#- the name of a relation a model builds, for adapters that version their names -#}
{% macro resolve_model_name(input_model_name) -%}
  {{ return(adapter.dispatch('resolve_model_name', 'dbt')(input_model_name)) }}
{%- endmacro %}

{% macro default__resolve_model_name(input_model_name) -%}
  {{ input_model_name | string | replace('"', '\"') }}
{%- endmacro %}

{#- replacing a relation in steps: build an intermediate, back the old one up, swap, drop -#}
{% macro get_create_intermediate_sql(relation, sql) -%}
  {{ return(adapter.dispatch('get_create_intermediate_sql', 'dbt')(relation, sql)) }}
{%- endmacro %}

{% macro default__get_create_intermediate_sql(relation, sql) -%}
  {%- set intermediate = make_intermediate_relation(relation) -%}
  {{ get_drop_sql(intermediate) }};
  {{ get_create_sql(intermediate, sql) }}
{%- endmacro %}

{% macro get_rename_intermediate_sql(relation) -%}
  {{ return(adapter.dispatch('get_rename_intermediate_sql', 'dbt')(relation)) }}
{%- endmacro %}

{% macro default__get_rename_intermediate_sql(relation) -%}
  {{ get_rename_sql(make_intermediate_relation(relation), relation.identifier) }}
{%- endmacro %}

{% macro get_create_backup_sql(relation) -%}
  {{ return(adapter.dispatch('get_create_backup_sql', 'dbt')(relation)) }}
{%- endmacro %}

{% macro default__get_create_backup_sql(relation) -%}
  {%- set backup = make_backup_relation(relation, relation.type) -%}
  {{ get_drop_sql(backup) }};
  {{ get_rename_sql(relation, backup.identifier) }}
{%- endmacro %}

{% macro get_drop_backup_sql(relation) -%}
  {{ return(adapter.dispatch('get_drop_backup_sql', 'dbt')(relation)) }}
{%- endmacro %}

{% macro default__get_drop_backup_sql(relation) -%}
  {{ get_drop_sql(make_backup_relation(relation, relation.type)) }}
{%- endmacro %}

{% macro get_replace_sql(existing_relation, target_relation, sql) -%}
  {{ return(adapter.dispatch('get_replace_sql', 'dbt')(existing_relation, target_relation, sql)) }}
{%- endmacro %}

{% macro default__get_replace_sql(existing_relation, target_relation, sql) -%}
  {%- if existing_relation is none -%}
    {{ get_create_sql(target_relation, sql) }}
  {%- else -%}
    {{ get_create_intermediate_sql(target_relation, sql) }};
    {{ get_create_backup_sql(existing_relation) }};
    {{ get_rename_intermediate_sql(target_relation) }};
    {{ get_drop_backup_sql(existing_relation) }}
  {%- endif -%}
{%- endmacro %}

{% macro get_replace_table_sql(relation, sql) -%}
  {{ return(adapter.dispatch('get_replace_table_sql', 'dbt')(relation, sql)) }}
{%- endmacro %}

{% macro default__get_replace_table_sql(relation, sql) -%}
  create or replace table {{ relation.render() }} as (
    {{ sql }}
  )
{%- endmacro %}

{% macro get_replace_view_sql(relation, sql) -%}
  {{ return(adapter.dispatch('get_replace_view_sql', 'dbt')(relation, sql)) }}
{%- endmacro %}

{% macro default__get_replace_view_sql(relation, sql) -%}
  create or replace view {{ relation.render() }} as (
    {{ sql }}
  )
{%- endmacro %}

{#- seeds: how many rows an insert takes, and its placeholder -#}
{% macro get_batch_size() -%}
  {{ return(adapter.dispatch('get_batch_size', 'dbt')()) }}
{%- endmacro %}

{% macro default__get_batch_size() -%}
  {{ return(10000) }}
{%- endmacro %}

{% macro get_binding_char() -%}
  {{ return(adapter.dispatch('get_binding_char', 'dbt')()) }}
{%- endmacro %}

{% macro default__get_binding_char() -%}
  {{ return('%s') }}
{%- endmacro %}

{% macro get_seed_column_quoted_csv(model, column_names) -%}
  {%- set quote_seed_column = model['config'].get('quote_columns', none) -%}
  {%- set quoted = [] -%}
  {%- for col in column_names -%}
    {%- do quoted.append(adapter.quote_seed_column(col, quote_seed_column)) -%}
  {%- endfor -%}
  {{ return(quoted | join(', ')) }}
{%- endmacro %}

{#- an existing relation in the way of a model: dropped -#}
{% macro handle_existing_table(full_refresh, old_relation) -%}
  {{ adapter.dispatch('handle_existing_table', 'dbt')(full_refresh, old_relation) }}
{%- endmacro %}

{% macro default__handle_existing_table(full_refresh, old_relation) -%}
  {{ log("Dropping relation " ~ old_relation.render() ~ " because it is of type " ~ old_relation.type) }}
  {{ adapter.drop_relation(old_relation) }}
{%- endmacro %}

{#- zero-copy clones (dbt clone): not something DuckDB offers -#}
{% macro can_clone_table() -%}
  {{ return(adapter.dispatch('can_clone_table', 'dbt')()) }}
{%- endmacro %}

{% macro default__can_clone_table() -%}
  {{ return(false) }}
{%- endmacro %}

{#- dbt clone's copy of a relation from the deferred state. The default is the zero-copy clone of
    warehouses that have one; DuckDB has none and refuses this SQL when it runs, as with
    dbt-duckdb. -#}
{% macro create_or_replace_clone(this_relation, defer_relation) -%}
  {{ return(adapter.dispatch('create_or_replace_clone', 'dbt')(this_relation, defer_relation)) }}
{%- endmacro %}

{% macro default__create_or_replace_clone(this_relation, defer_relation) -%}
  create or replace table {{ this_relation.render() }} clone {{ defer_relation.render() }}
{%- endmacro %}

{#- indexes (the indexes config): adapters without indexes build no SQL -#}
{% macro get_create_index_sql(relation, index_dict) -%}
  {{ return(adapter.dispatch('get_create_index_sql', 'dbt')(relation, index_dict)) }}
{%- endmacro %}

{% macro default__get_create_index_sql(relation, index_dict) -%}
  {{ return(none) }}
{%- endmacro %}

{% macro create_indexes(relation) -%}
  {{ adapter.dispatch('create_indexes', 'dbt')(relation) }}
{%- endmacro %}

{% macro default__create_indexes(relation) -%}
  {%- for index_dict in config.get('indexes', default=[]) -%}
    {%- set create_index_sql = get_create_index_sql(relation, index_dict) -%}
    {%- if create_index_sql -%}
      {% do run_query(create_index_sql) %}
    {%- endif -%}
  {%- endfor -%}
{%- endmacro %}

{#- listing and dropping a relation's indexes: for adapters that manage them (not DuckDB's, as in
    dbt-duckdb) -#}
{% macro get_drop_index_sql(relation, index_name) -%}
  {{ adapter.dispatch('get_drop_index_sql', 'dbt')(relation, index_name) }}
{%- endmacro %}

{% macro default__get_drop_index_sql(relation, index_name) -%}
  {{ exceptions.raise_compiler_error("`get_drop_index_sql has not been implemented for this adapter.") }}
{%- endmacro %}

{% macro get_show_indexes_sql(relation) -%}
  {{ adapter.dispatch('get_show_indexes_sql', 'dbt')(relation) }}
{%- endmacro %}

{% macro default__get_show_indexes_sql(relation) -%}
  {{ exceptions.raise_compiler_error("`get_show_indexes_sql has not been implemented for this adapter.") }}
{%- endmacro %}

{#- the number of datepart intervals between two dates (a date_spine helper) -#}
{% macro get_intervals_between(start_date, end_date, datepart) -%}
  {{ return(adapter.dispatch('get_intervals_between', 'dbt')(start_date, end_date, datepart)) }}
{%- endmacro %}

{% macro default__get_intervals_between(start_date, end_date, datepart) -%}
  {%- call statement('get_intervals_between', fetch_result=true) -%}
    select {{ dbt.datediff(start_date, end_date, datepart) }}
  {%- endcall -%}
  {%- set value_list = load_result('get_intervals_between') -%}
  {%- if value_list and value_list['data'] -%}
    {{ return(value_list['data'][0][0] | int) }}
  {%- else -%}
    {{ return(1) }}
  {%- endif -%}
{%- endmacro %}
