{#-
  The steps of dbt's snapshot materialization, for a strategy dict (see snapshot_strategies.sql):
  build_snapshot_table (the first run's select), snapshot_staging_table (the changes of a later
  run: rows to insert, versions to close), build_snapshot_staging_table (that select as a
  temporary table), snapshot_merge_sql (applying it), create_columns (new source columns) and
  post_snapshot (after the merge).
-#}

{% macro create_columns(relation, columns) -%}
  {{ adapter.dispatch('create_columns', 'dbt')(relation, columns) }}
{%- endmacro %}

{% macro default__create_columns(relation, columns) -%}
  {%- for column in columns -%}
    {% call statement() -%}
      alter table {{ relation.render() }} add column {{ adapter.quote(column.name) }} {{ column.expanded_data_type }};
    {%- endcall %}
  {%- endfor -%}
{%- endmacro %}

{% macro post_snapshot(staging_relation) -%}
  {{ adapter.dispatch('post_snapshot', 'dbt')(staging_relation) }}
{%- endmacro %}

{#- nothing to do after the merge by default -#}
{% macro default__post_snapshot(staging_relation) -%}
{%- endmacro %}

{#- the first run: the query's rows, each a current version -#}
{% macro build_snapshot_table(strategy, sql) -%}
  {{ adapter.dispatch('build_snapshot_table', 'dbt')(strategy, sql) }}
{%- endmacro %}

{% macro default__build_snapshot_table(strategy, sql) -%}
  {%- set names = config.get('snapshot_table_column_names') or get_snapshot_table_column_names() -%}
  select *,
      {{ strategy.scd_id }} as {{ names.dbt_scd_id }},
      {{ strategy.updated_at }} as {{ names.dbt_updated_at }},
      {{ strategy.updated_at }} as {{ names.dbt_valid_from }},
      {{ get_dbt_valid_to_current(strategy, names) }}
      {%- if strategy.hard_deletes == 'new_record' %},
      'False' as {{ names.dbt_is_deleted }}
      {%- endif %}
  from (
      {{ sql }}
  ) sbq
{%- endmacro %}

{#- the current versions of the snapshot, as a condition on its dbt_valid_to -#}
{% macro _sluice_snapshot_is_current(names, prefix='') -%}
  {%- set current_to = config.get('dbt_valid_to_current') -%}
  {%- if current_to -%}
    ({{ prefix }}{{ names.dbt_valid_to }} = {{ current_to }} or {{ prefix }}{{ names.dbt_valid_to }} is null)
  {%- else -%}
    {{ prefix }}{{ names.dbt_valid_to }} is null
  {%- endif -%}
{%- endmacro %}

{#- A later run's changes, one row each with dbt_change_type:
    insert: a new key, or a new version of a changed key (or of a key that came back),
    update: the current version of a changed key, closed at the new version's updated_at,
    delete: (hard_deletes invalidate/new_record) the current version of a vanished key, closed now,
    and with new_record an insert of a version marked dbt_is_deleted = 'True' -#}
{% macro snapshot_staging_table(strategy, source_sql, target_relation) -%}
  {{ adapter.dispatch('snapshot_staging_table', 'dbt')(strategy, source_sql, target_relation) }}
{%- endmacro %}

{% macro default__snapshot_staging_table(strategy, source_sql, target_relation) -%}
  {%- set names = config.get('snapshot_table_column_names') or get_snapshot_table_column_names() -%}
  {%- set key = strategy.unique_key -%}
  {%- set tracks_deletes = strategy.hard_deletes in ['invalidate', 'new_record'] -%}
  {%- set new_record = strategy.hard_deletes == 'new_record' -%}
  {%- set changed -%}{{ strategy.row_changed }}{% if new_record %} or snapshotted_data.{{ names.dbt_is_deleted }} = 'True'{% endif %}{%- endset -%}
  {%- set now = snapshot_get_time() -%}
  with snapshot_query as (
      {{ source_sql }}
  ),
  snapshotted_data as (
      select *, {{ unique_key_fields(key) }}
      from {{ target_relation }}
      where {{ _sluice_snapshot_is_current(names) }}
  ),
  insertions_source_data as (
      select *, {{ unique_key_fields(key) }},
          {{ strategy.updated_at }} as {{ names.dbt_updated_at }},
          {{ strategy.updated_at }} as {{ names.dbt_valid_from }},
          {{ get_dbt_valid_to_current(strategy, names) }},
          {{ strategy.scd_id }} as {{ names.dbt_scd_id }}
      from snapshot_query
  ),
  updates_source_data as (
      select *, {{ unique_key_fields(key) }},
          {{ strategy.updated_at }} as {{ names.dbt_updated_at }},
          {{ strategy.updated_at }} as {{ names.dbt_valid_from }},
          {{ strategy.updated_at }} as {{ names.dbt_valid_to }}
      from snapshot_query
  ),
  {%- if tracks_deletes %}
  deletes_source_data as (
      select *, {{ unique_key_fields(key) }}
      from snapshot_query
  ),
  {%- endif %}
  insertions as (
      select 'insert' as dbt_change_type, source_data.*
          {%- if new_record %}, 'False' as {{ names.dbt_is_deleted }}{% endif %}
      from insertions_source_data as source_data
      left outer join snapshotted_data
        on {{ unique_key_join_on(key, 'snapshotted_data', 'source_data') }}
      where {{ unique_key_is_null(key, 'snapshotted_data') }}
         or ({{ unique_key_is_not_null(key, 'snapshotted_data') }} and ({{ changed }}))
  ),
  updates as (
      select 'update' as dbt_change_type, source_data.*,
          snapshotted_data.{{ names.dbt_scd_id }}
          {%- if new_record %}, snapshotted_data.{{ names.dbt_is_deleted }}{% endif %}
      from updates_source_data as source_data
      join snapshotted_data
        on {{ unique_key_join_on(key, 'snapshotted_data', 'source_data') }}
      where ({{ changed }})
  )
  {%- if tracks_deletes %},
  deletes as (
      select 'delete' as dbt_change_type, source_data.*,
          {{ now }} as {{ names.dbt_valid_from }},
          {{ now }} as {{ names.dbt_updated_at }},
          {{ now }} as {{ names.dbt_valid_to }},
          snapshotted_data.{{ names.dbt_scd_id }}
          {%- if new_record %}, snapshotted_data.{{ names.dbt_is_deleted }}{% endif %}
      from snapshotted_data
      left join deletes_source_data as source_data
        on {{ unique_key_join_on(key, 'snapshotted_data', 'source_data') }}
      where {{ unique_key_is_null(key, 'source_data') }}
      {%- if new_record %}
        {# a key already marked deleted stays as it is #}
        and not (snapshotted_data.{{ names.dbt_is_deleted }} = 'True' and {{ _sluice_snapshot_is_current(names, 'snapshotted_data.') }})
      {%- endif %}
  )
  {%- endif %}
  {%- if new_record %}
  {%- set snapshot_cols = get_list_of_column_names(get_columns_in_relation(target_relation)) -%}
  {%- set query_cols = get_columns_in_query(source_sql) -%}
  ,
  deletion_records as (
      select 'insert' as dbt_change_type,
          {%- for col in query_cols %}
          {{ 'snapshotted_data' if col in snapshot_cols else 'source_data' }}.{{ adapter.quote(col) }},
          {%- endfor %}
          {%- if _sluice_is_key_list(key) %}
          {%- for k in key %}
          snapshotted_data.{{ k }} as dbt_unique_key_{{ loop.index }},
          {%- endfor %}
          {%- else %}
          snapshotted_data.dbt_unique_key as dbt_unique_key,
          {%- endif %}
          {{ now }} as {{ names.dbt_valid_from }},
          {{ now }} as {{ names.dbt_updated_at }},
          snapshotted_data.{{ names.dbt_valid_to }} as {{ names.dbt_valid_to }},
          {{ snapshot_hash_arguments([names.dbt_scd_id, now]) }} as {{ names.dbt_scd_id }},
          'True' as {{ names.dbt_is_deleted }}
      from snapshotted_data
      left join deletes_source_data as source_data
        on {{ unique_key_join_on(key, 'snapshotted_data', 'source_data') }}
      where {{ unique_key_is_null(key, 'source_data') }}
        and not (snapshotted_data.{{ names.dbt_is_deleted }} = 'True' and {{ _sluice_snapshot_is_current(names, 'snapshotted_data.') }})
  )
  {%- endif %}
  select * from insertions
  union all
  select * from updates
  {%- if tracks_deletes %}
  union all
  select * from deletes
  {%- endif %}
  {%- if new_record %}
  union all
  select * from deletion_records
  {%- endif %}
{%- endmacro %}

{#- the staging select as a table beside the target (a plain table, so that its columns can be
    read back on every engine; the materialization drops it after the merge), returned -#}
{% macro build_snapshot_staging_table(strategy, sql, target_relation) -%}
  {%- set staging = sluice_staging_relation(target_relation) -%}
  {%- set select = snapshot_staging_table(strategy, sql, target_relation) -%}
  {% call statement('build_snapshot_staging_relation') -%}
    {{ create_table_as(False, staging, select) }}
  {%- endcall %}
  {{ return(staging) }}
{%- endmacro %}

{#- Applies the staging table to the snapshot: the versions it updates or deletes are closed
    (their dbt_valid_to set), its inserts are added. -#}
{% macro snapshot_merge_sql(target, source, insert_cols) -%}
  {{ adapter.dispatch('snapshot_merge_sql', 'dbt')(target, source, insert_cols) }}
{%- endmacro %}

{% macro default__snapshot_merge_sql(target, source, insert_cols) -%}
  {%- set names = config.get('snapshot_table_column_names') or get_snapshot_table_column_names() -%}
  {%- set cols = insert_cols | join(', ') -%}
  {%- set values = [] -%}
  {%- for c in insert_cols -%}{%- do values.append('DBT_INTERNAL_SOURCE.' ~ c) -%}{%- endfor -%}
  merge into {{ target.render() }} as DBT_INTERNAL_DEST
  using {{ source }} as DBT_INTERNAL_SOURCE
  on DBT_INTERNAL_SOURCE.{{ names.dbt_scd_id }} = DBT_INTERNAL_DEST.{{ names.dbt_scd_id }}
  when matched
    and {{ _sluice_snapshot_is_current(names, 'DBT_INTERNAL_DEST.') }}
    and DBT_INTERNAL_SOURCE.dbt_change_type in ('update', 'delete')
    then update set {{ names.dbt_valid_to }} = DBT_INTERNAL_SOURCE.{{ names.dbt_valid_to }}
  when not matched
    and DBT_INTERNAL_SOURCE.dbt_change_type = 'insert'
    then insert ({{ cols }})
    values ({{ values | join(', ') }})
{%- endmacro %}

{#- The snapshot materialization for a strategy given by its macro (strategy_dispatch): the
    first run creates the table from build_snapshot_table; later runs build the staging table,
    add the columns the query gained, and merge, all in one transaction. -#}
{% macro sluice_snapshot_by_strategy_macro(strategy_macro, unique_key) -%}
  {%- set target_relation = this.incorporate(type='table') -%}
  {%- set existing = adapter.get_relation(database=this.database, schema=this.schema, identifier=this.identifier) -%}
  {%- if existing is not none and not existing.is_table -%}
    {{ exceptions.raise_compiler_error("snapshot '" ~ model.name ~ "': " ~ existing ~ " is a " ~ existing.type ~ ", not a table: drop it, or give the snapshot another alias") }}
  {%- endif -%}
  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  {{ run_hooks(pre_hooks, inside_transaction=True) }}
  {%- set strategy = strategy_macro(model, 'snapshotted_data', 'source_data', model['config'], existing is not none) -%}
  {%- set staging = none -%}
  {%- if existing is none -%}
    {%- set select_sql = build_snapshot_table(strategy, model['compiled_code']) -%}
    {%- set final_sql = create_table_as(False, target_relation, select_sql) -%}
  {%- else -%}
    {%- set select_sql = snapshot_staging_table(strategy, sql, target_relation) -%}
    {%- set staging = build_snapshot_staging_table(strategy, sql, target_relation) -%}
    {%- do adapter.expand_target_column_types(from_relation=staging, to_relation=target_relation) -%}
    {%- set helper_cols = ['dbt_change_type', 'dbt_unique_key'] -%}
    {%- if _sluice_is_key_list(strategy.unique_key) -%}
      {%- for k in strategy.unique_key -%}{%- do helper_cols.append('dbt_unique_key_' ~ loop.index) -%}{%- endfor -%}
    {%- endif -%}
    {%- set added = [] -%}
    {%- for c in adapter.get_missing_columns(staging, target_relation) if c.name | lower not in helper_cols -%}
      {%- do added.append(c) -%}
    {%- endfor -%}
    {%- do create_columns(target_relation, added) -%}
    {%- set insert_cols = [] -%}
    {%- for c in adapter.get_columns_in_relation(staging) if c.name | lower not in helper_cols -%}
      {%- do insert_cols.append(adapter.quote(c.name)) -%}
    {%- endfor -%}
    {%- set final_sql = snapshot_merge_sql(target=target_relation, source=staging, insert_cols=insert_cols) -%}
  {%- endif -%}
  {{ check_time_data_types(select_sql) }}
  {% call statement('main') -%}
    {{ final_sql }}
  {%- endcall %}
  {% do apply_grants(target_relation, config.get('grants'), should_revoke=should_revoke(existing is not none, full_refresh_mode=false)) %}
  {{ run_hooks(post_hooks, inside_transaction=True) }}
  {{ adapter.commit() }}
  {%- if staging is not none -%}
    {%- do post_snapshot(staging) -%}
    {{ drop_relation_if_exists(staging) }}
  {%- endif -%}
  {{ run_hooks(post_hooks, inside_transaction=False) }}
  {{ return({'relations': [target_relation]}) }}
{%- endmacro %}
