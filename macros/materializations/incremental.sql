{#-
  incremental: the first run (or --full-refresh, or a view in the way) builds the table with the
  build-then-swap of the table materialization (sluice_build_and_swap, swap.sql); later runs
  compute the new rows into a temporary table and apply them with the configured strategy, all
  inside one transaction, so a failing run leaves the previous table intact.
    incremental_strategy:   append | delete+insert | merge | <name> with a macro
                            get_incremental_<name>_sql(arg_dict) (default: delete+insert with a
                            unique_key, else append)
    unique_key:             a column or a list of columns
    incremental_predicates: SQL conditions (on DBT_INTERNAL_DEST / DBT_INTERNAL_SOURCE) that
                            narrow the rows of the target that delete+insert and merge touch
    merge_update_columns / merge_exclude_columns: the columns merge updates
    on_schema_change:       ignore | fail | append_new_columns | sync_all_columns
-#}
{% materialization incremental, default %}
  {%- set target_relation = this.incorporate(type='table') -%}
  {%- set existing = adapter.get_relation(database=this.database, schema=this.schema, identifier=this.identifier) -%}
  {%- set unique_key = config.get('unique_key') -%}
  {%- set strategy = config.get('incremental_strategy') or 'default' -%}
  {%- set on_schema_change = incremental_validate_on_schema_change(config.get('on_schema_change'), 'ignore') -%}
  {%- set incremental_predicates = config.get('predicates') or config.get('incremental_predicates') -%}
  {%- if incremental_predicates is string -%}{%- set incremental_predicates = [incremental_predicates] -%}{%- endif -%}
  {#- an unknown strategy fails before anything runs -#}
  {%- set strategy_macro = adapter.get_incremental_strategy_macro(context, strategy) -%}

  {%- if existing is none or should_full_refresh() or existing.is_view -%}
    {% call(intermediate) sluice_build_and_swap(target_relation) -%}
      {{ get_create_table_as_sql(false, intermediate, sql) }}
    {%- endcall %}
  {%- else -%}
    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}
    {%- set temp_relation = sluice_staging_relation(target_relation) -%}
    {{ drop_relation_if_exists(temp_relation) }}
    {% call statement('new_rows') -%}
      {{ sluice_new_rows_table_sql(temp_relation, sql) }}
    {%- endcall %}
    {%- set dest_columns = process_schema_changes(on_schema_change, temp_relation, target_relation) -%}
    {%- set arg_dict = {'target_relation': target_relation, 'temp_relation': temp_relation,
                        'unique_key': unique_key, 'dest_columns': dest_columns,
                        'incremental_predicates': incremental_predicates} -%}
    {% call statement('main') -%}
      {{ strategy_macro(arg_dict) }}
    {%- endcall %}
    {{ adapter.drop_relation(temp_relation) }}
    {% do apply_grants(target_relation, config.get('grants'), should_revoke=should_revoke(existing, full_refresh_mode=false)) %}
    {% do persist_docs(target_relation, model) %}
    {{ run_hooks(post_hooks) }}
    {{ adapter.commit() }}
    {{ run_hooks(post_hooks, inside_transaction=False) }}
  {%- endif -%}
  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}

{% macro incremental_validate_on_schema_change(on_schema_change, default='ignore') %}
  {%- if on_schema_change not in ['ignore', 'fail', 'append_new_columns', 'sync_all_columns'] -%}
    {%- if on_schema_change -%}
      {{ log("on_schema_change '" ~ on_schema_change ~ "' is not one of ignore, fail, append_new_columns, sync_all_columns: using '" ~ default ~ "'", info=true) }}
    {%- endif -%}
    {{ return(default) }}
  {%- endif -%}
  {{ return(on_schema_change) }}
{% endmacro %}

{#- The columns the new rows have and the target lacks (added), the other way round (removed),
    and the ones both have with different types (changed) -#}
{% macro check_for_schema_changes(source_relation, target_relation) %}
  {%- set new_cols = adapter.get_columns_in_relation(source_relation) -%}
  {%- set old_cols = adapter.get_columns_in_relation(target_relation) -%}
  {%- set new_by_name = {} -%}
  {%- for c in new_cols -%}{%- do new_by_name.update({c.name | lower: c}) -%}{%- endfor -%}
  {%- set old_names = old_cols | map(attribute='name') | map('lower') | list -%}
  {%- set added = [] -%}
  {%- for c in new_cols if c.name | lower not in old_names -%}{%- do added.append(c) -%}{%- endfor -%}
  {%- set removed = [] -%}
  {%- set changed = [] -%}
  {%- for c in old_cols -%}
    {%- set n = new_by_name.get(c.name | lower) -%}
    {%- if n is none -%}{%- do removed.append(c) -%}
    {%- elif n.data_type | lower != c.data_type | lower -%}{%- do changed.append(n) -%}
    {%- endif -%}
  {%- endfor -%}
  {{ return({'schema_changed': (added or removed or changed) | length > 0, 'source_columns': new_cols,
             'target_columns': old_cols, 'source_not_in_target': added, 'target_not_in_source': removed,
             'new_target_types': changed}) }}
{% endmacro %}

{#- Applies on_schema_change to the target; returns the columns (Column objects) to insert -#}
{% macro process_schema_changes(on_schema_change, source_relation, target_relation) %}
  {%- set ch = check_for_schema_changes(source_relation, target_relation) -%}
  {%- if ch.schema_changed and on_schema_change == 'fail' -%}
    {{ exceptions.raise_compiler_error("the columns of " ~ target_relation ~ " changed (added: " ~ (ch.source_not_in_target | map(attribute='name') | join(', ') or 'none') ~ "; removed: " ~ (ch.target_not_in_source | map(attribute='name') | join(', ') or 'none') ~ "; retyped: " ~ (ch.new_target_types | map(attribute='name') | join(', ') or 'none') ~ ") and on_schema_change is 'fail': run with --full-refresh, or set on_schema_change") }}
  {%- endif -%}
  {%- if ch.schema_changed and on_schema_change in ['append_new_columns', 'sync_all_columns'] -%}
    {%- do sync_column_schemas(on_schema_change, target_relation, ch) -%}
  {%- endif -%}
  {#- the target's columns now, the ones the new rows have -#}
  {%- set new_names = ch.source_columns | map(attribute='name') | map('lower') | list -%}
  {%- set keep = [] -%}
  {%- for c in adapter.get_columns_in_relation(target_relation) if c.name | lower in new_names -%}{%- do keep.append(c) -%}{%- endfor -%}
  {{ return(keep) }}
{% endmacro %}

{#- Brings the target's columns in line with the new rows': append_new_columns adds the columns
    it lacks; sync_all_columns also drops the ones the rows no longer have and retypes the ones
    whose type changed -#}
{% macro sync_column_schemas(on_schema_change, target_relation, schema_changes_dict) %}
  {{ return(adapter.dispatch('sync_column_schemas', 'dbt')(on_schema_change, target_relation, schema_changes_dict)) }}
{% endmacro %}

{% macro default__sync_column_schemas(on_schema_change, target_relation, schema_changes_dict) %}
  {%- set added = schema_changes_dict['source_not_in_target'] -%}
  {%- set removed = schema_changes_dict['target_not_in_source'] if on_schema_change == 'sync_all_columns' else [] -%}
  {%- set retyped = schema_changes_dict['new_target_types'] if on_schema_change == 'sync_all_columns' else [] -%}
  {%- for c in added -%}
    {% call statement() %}alter table {{ target_relation }} add column {{ adapter.quote(c.name) }} {{ c.data_type }}{% endcall %}
  {%- endfor -%}
  {%- for c in removed -%}
    {% call statement() %}alter table {{ target_relation }} drop column {{ adapter.quote(c.name) }}{% endcall %}
  {%- endfor -%}
  {%- for c in retyped -%}
    {% call statement() %}alter table {{ target_relation }} alter column {{ adapter.quote(c.name) }} type {{ c.data_type }}{% endcall %}
  {%- endfor -%}
  {{ log("on_schema_change " ~ on_schema_change ~ " on " ~ target_relation ~ ": added " ~ (added | map(attribute='name') | join(', ') or 'none') ~ "; removed " ~ (removed | map(attribute='name') | join(', ') or 'none') ~ "; retyped " ~ (retyped | map(attribute='name') | join(', ') or 'none')) }}
{% endmacro %}

{% macro get_quoted_csv(column_names) -%}
  {%- set quoted = [] -%}
  {%- for c in column_names -%}{%- do quoted.append(adapter.quote(c)) -%}{%- endfor -%}
  {{ return(quoted | join(', ')) }}
{%- endmacro %}

{#- The strategies, as dbt names them: each takes the arg_dict of the materialization -#}
{% macro get_incremental_append_sql(arg_dict) %}
  {{ return(adapter.dispatch('get_incremental_append_sql', 'dbt')(arg_dict)) }}
{% endmacro %}
{% macro default__get_incremental_append_sql(arg_dict) %}
  {{ return(get_insert_into_sql(arg_dict['target_relation'], arg_dict['temp_relation'], arg_dict['dest_columns'])) }}
{% endmacro %}

{% macro get_incremental_delete_insert_sql(arg_dict) %}
  {{ return(adapter.dispatch('get_incremental_delete_insert_sql', 'dbt')(arg_dict)) }}
{% endmacro %}
{% macro default__get_incremental_delete_insert_sql(arg_dict) %}
  {{ return(get_delete_insert_merge_sql(arg_dict['target_relation'], arg_dict['temp_relation'], arg_dict['unique_key'], arg_dict['dest_columns'], arg_dict['incremental_predicates'])) }}
{% endmacro %}

{% macro get_incremental_merge_sql(arg_dict) %}
  {{ return(adapter.dispatch('get_incremental_merge_sql', 'dbt')(arg_dict)) }}
{% endmacro %}
{% macro default__get_incremental_merge_sql(arg_dict) %}
  {{ return(get_merge_sql(arg_dict['target_relation'], arg_dict['temp_relation'], arg_dict['unique_key'], arg_dict['dest_columns'], arg_dict['incremental_predicates'])) }}
{% endmacro %}

{% macro get_incremental_default_sql(arg_dict) %}
  {{ return(adapter.dispatch('get_incremental_default_sql', 'dbt')(arg_dict)) }}
{% endmacro %}
{% macro default__get_incremental_default_sql(arg_dict) %}
  {%- if arg_dict['unique_key'] -%}
    {{ return(get_incremental_delete_insert_sql(arg_dict)) }}
  {%- endif -%}
  {{ return(get_incremental_append_sql(arg_dict)) }}
{% endmacro %}

{% macro get_insert_into_sql(target_relation, temp_relation, dest_columns) -%}
  {%- set cols = get_quoted_csv(dest_columns | map(attribute='name')) -%}
  insert into {{ target_relation }} ({{ cols }})
  select {{ cols }} from {{ temp_relation }}
{%- endmacro %}

{% macro get_delete_insert_merge_sql(target, source, unique_key, dest_columns, incremental_predicates=none) %}
  {{ return(adapter.dispatch('get_delete_insert_merge_sql', 'dbt')(target, source, unique_key, dest_columns, incremental_predicates)) }}
{% endmacro %}
{% macro default__get_delete_insert_merge_sql(target, source, unique_key, dest_columns, incremental_predicates) -%}
  {%- set cols = get_quoted_csv(dest_columns | map(attribute='name')) -%}
  {%- set keys = [] if not unique_key else ([unique_key] if unique_key is string else unique_key) -%}
  {%- if keys -%}
    delete from {{ target }} as DBT_INTERNAL_DEST
    where ({% for k in keys %}DBT_INTERNAL_DEST.{{ k }}{% if not loop.last %}, {% endif %}{% endfor %}) in (
        select {% for k in keys %}DBT_INTERNAL_SOURCE.{{ k }}{% if not loop.last %}, {% endif %}{% endfor %}
        from {{ source }} as DBT_INTERNAL_SOURCE
    )
    {%- for p in incremental_predicates or [] %}
      and ({{ p }})
    {%- endfor %};
  {% endif -%}
    insert into {{ target }} ({{ cols }})
    select {{ cols }} from {{ source }}
{%- endmacro %}

{% macro get_merge_sql(target, source, unique_key, dest_columns, incremental_predicates=none) %}
  {{ return(adapter.dispatch('get_merge_sql', 'dbt')(target, source, unique_key, dest_columns, incremental_predicates)) }}
{% endmacro %}
{#- MERGE INTO (DuckDB 1.4 and later): matched keys are updated, the rest inserted -#}
{% macro default__get_merge_sql(target, source, unique_key, dest_columns, incremental_predicates) -%}
  {%- set keys = [] if not unique_key else ([unique_key] if unique_key is string else unique_key) -%}
  {%- set update_cols = config.get('merge_update_columns') -%}
  {%- set exclude_cols = (config.get('merge_exclude_columns') or []) | map('lower') | list -%}
  {%- if update_cols is none -%}
    {%- set update_cols = [] -%}
    {%- for c in dest_columns if c.name | lower not in exclude_cols -%}{%- do update_cols.append(c.name) -%}{%- endfor -%}
  {%- endif -%}
  {%- set names = dest_columns | map(attribute='name') | list -%}
  merge into {{ target }} as DBT_INTERNAL_DEST
  using {{ source }} as DBT_INTERNAL_SOURCE
  on {% if keys -%}
    {%- for k in keys %}DBT_INTERNAL_SOURCE.{{ k }} = DBT_INTERNAL_DEST.{{ k }}{% if not loop.last %} and {% endif %}{% endfor -%}
  {%- else %}false{% endif -%}
  {%- for p in incremental_predicates or [] %} and ({{ p }}){% endfor %}
  {%- if keys and update_cols %}
  when matched then update set
    {% for c in update_cols %}{{ adapter.quote(c) }} = DBT_INTERNAL_SOURCE.{{ adapter.quote(c) }}{% if not loop.last %}, {% endif %}{% endfor %}
  {%- endif %}
  when not matched then insert ({{ get_quoted_csv(names) }})
  values ({% for c in names %}DBT_INTERNAL_SOURCE.{{ adapter.quote(c) }}{% if not loop.last %}, {% endif %}{% endfor %})
{%- endmacro %}

{#- The table of an incremental run's new rows: checked against the model's contract, but created
    without its constraints, which belong to the target table (and whose names, on PostgreSQL,
    would collide with the target's) -#}
{% macro sluice_new_rows_table_sql(relation, sql) -%}
  {%- if (config.get('contract') or {}).get('enforced') -%}
    {{ get_assert_columns_equivalent(sql) }}
  {%- endif %}
  {%- set sql_header = config.get('sql_header', none) %}
  {{ sql_header if sql_header is not none }}
  create table {{ relation }} as (
    {{ sql }}
  )
{%- endmacro %}

{#- insert_overwrite: the target's rows (those the predicates select, or all) are replaced by the
    new rows, in one MERGE that matches nothing, deletes what the source lacks and inserts the
    source's rows -#}
{% macro get_incremental_insert_overwrite_sql(arg_dict) %}
  {{ return(adapter.dispatch('get_incremental_insert_overwrite_sql', 'dbt')(arg_dict)) }}
{% endmacro %}
{% macro default__get_incremental_insert_overwrite_sql(arg_dict) %}
  {{ return(get_insert_overwrite_merge_sql(arg_dict['target_relation'], arg_dict['temp_relation'], arg_dict['dest_columns'], arg_dict['incremental_predicates'])) }}
{% endmacro %}

{% macro get_insert_overwrite_merge_sql(target, source, dest_columns, predicates, include_sql_header=false) -%}
  {{ adapter.dispatch('get_insert_overwrite_merge_sql', 'dbt')(target, source, dest_columns, predicates, include_sql_header) }}
{%- endmacro %}
{% macro default__get_insert_overwrite_merge_sql(target, source, dest_columns, predicates, include_sql_header) -%}
  {%- set predicates = (predicates or []) | list -%}
  {%- set cols = get_quoted_csv(dest_columns | map(attribute='name')) -%}
  {%- set sql_header = config.get('sql_header', none) -%}
  {%- if include_sql_header and sql_header is not none %}{{ sql_header }}{% endif %}
  merge into {{ target }} as DBT_INTERNAL_DEST
  using {{ source }} as DBT_INTERNAL_SOURCE
  on false
  when not matched by source{% if predicates %} and {{ predicates | join(' and ') }}{% endif %}
    then delete
  when not matched then insert ({{ cols }})
  values ({% for c in dest_columns %}DBT_INTERNAL_SOURCE.{{ adapter.quote(c.name) }}{% if not loop.last %}, {% endif %}{% endfor %})
{%- endmacro %}

{#- dbt's is_incremental() and should_full_refresh() are macros of the global project, which a
    project that overrides them calls as dbt.is_incremental(); Sluice does the work natively:
    is_incremental() is true while executing an incremental model whose table exists (not a
    view) and that no full refresh asks to rebuild -#}
{% macro is_incremental() %}
  {{ return(__sluice_is_incremental()) }}
{% endmacro %}

{% macro should_full_refresh() %}
  {{ return(__sluice_should_full_refresh()) }}
{% endmacro %}

{#- microbatch: dbt's default is for adapters to provide it -#}
{% macro get_incremental_microbatch_sql(arg_dict) %}
  {{ return(adapter.dispatch('get_incremental_microbatch_sql', 'dbt')(arg_dict)) }}
{% endmacro %}
{% macro default__get_incremental_microbatch_sql(arg_dict) %}
  {{ exceptions.raise_not_implemented('microbatch materialization strategy not implemented for adapter ' ~ adapter.type()) }}
{% endmacro %}

{#- On DuckDB, as dbt-duckdb: the rows of the batch's event_time window are deleted from the target
    and the new rows of that window inserted. The window is model.batch's (the runner runs a
    microbatch model batch by batch); called without a batch, it spans the new rows' event_time. -#}
{% macro duckdb__get_incremental_microbatch_sql(arg_dict) %}
  {%- set event_time = config.get('event_time') -%}
  {%- if not event_time -%}
    {{ exceptions.raise_compiler_error("the microbatch incremental strategy needs the model config event_time") }}
  {%- endif -%}
  {%- if config.get('unique_key') -%}
    {{ exceptions.raise_compiler_error("the microbatch incremental strategy replaces the rows of an event_time window and takes no unique_key: remove unique_key, or use incremental_strategy merge") }}
  {%- endif -%}
  {%- set target, source = arg_dict['target_relation'], arg_dict['temp_relation'] -%}
  {%- set cols = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
  {%- set batch = model.get('batch') if model.get is defined else none -%}
  {%- if batch and batch.get('event_time_start') and batch.get('event_time_end') -%}
    {%- set window -%}{{ event_time }} >= '{{ batch.event_time_start }}' and {{ event_time }} < '{{ batch.event_time_end }}'{%- endset -%}
    {%- set keep = window -%}
  {%- else -%}
    {%- set window -%}{{ event_time }} between (select min({{ event_time }}) from {{ source }}) and (select max({{ event_time }}) from {{ source }}){%- endset -%}
    {%- set keep = 'true' -%}
  {%- endif -%}
  {%- set build_sql -%}
    delete from {{ target }}
    where {{ window }}
    {%- for p in arg_dict.get('incremental_predicates') or [] %}
      and ({{ p }})
    {%- endfor %};
    insert into {{ target }} ({{ cols }})
    select {{ cols }} from {{ source }}
    where {{ keep }}
  {%- endset -%}
  {{ return(build_sql) }}
{% endmacro %}
