{#-
  Snapshot strategies as dbt defines them. A strategy is a macro snapshot_<name>_strategy(node,
  snapshotted_rel, current_rel, model_config, target_exists) returning a dict with the keys
  unique_key, updated_at (an SQL expression), row_changed (an SQL condition comparing the
  snapshotted row with the current one), scd_id (an SQL expression), invalidate_hard_deletes and
  hard_deletes. strategy_dispatch(name) finds it, in the project and packages ('pkg.name' picks
  one package). The snapshot materialization builds timestamp and check itself and takes any
  other strategy through these macros.
-#}

{% macro strategy_dispatch(name) -%}
  {%- set requested = name -%}
  {%- set package_name = none -%}
  {%- if '.' in name -%}
    {%- set parts = name.split('.', 1) -%}
    {%- set package_name, name = parts[0], parts[1] -%}
  {%- endif -%}
  {%- if package_name is none -%}
    {%- set lookup = context -%}
  {%- elif package_name in context -%}
    {%- set lookup = context[package_name] -%}
  {%- else -%}
    {{ exceptions.raise_compiler_error("Could not find package '" ~ package_name ~ "', called with '" ~ requested ~ "'") }}
  {%- endif -%}
  {%- set macro_name = 'snapshot_' ~ name ~ '_strategy' -%}
  {%- if macro_name not in lookup -%}
    {{ exceptions.raise_compiler_error("The specified strategy macro '" ~ name ~ "' was not found in package '" ~ package_name ~ "'") }}
  {%- endif -%}
  {{ return(lookup[macro_name]) }}
{%- endmacro %}

{#- hard_deletes, or the older invalidate_hard_deletes: ignore, invalidate or new_record -#}
{% macro _sluice_hard_deletes_behavior(config) -%}
  {%- set given = config.get('hard_deletes') -%}
  {%- set legacy = config.get('invalidate_hard_deletes') -%}
  {%- if given is not none and legacy is not none -%}
    {{ exceptions.raise_compiler_error("You cannot set both the invalidate_hard_deletes and hard_deletes config properties on the same snapshot.") }}
  {%- endif -%}
  {%- if legacy or given == 'invalidate' -%}{{ return('invalidate') }}{%- endif -%}
  {%- if given == 'new_record' -%}{{ return('new_record') }}{%- endif -%}
  {%- if given is none or given == 'ignore' -%}{{ return('ignore') }}{%- endif -%}
  {{ exceptions.raise_compiler_error("Invalid setting for property hard_deletes: '" ~ given ~ "' (use ignore, invalidate or new_record)") }}
{%- endmacro %}

{#- the arguments of a version's scd_id hash: the key column(s), then updated_at -#}
{% macro _sluice_scd_args(primary_key, updated_at) -%}
  {%- set args = [] -%}
  {%- if primary_key is string -%}{%- do args.append(primary_key) -%}
  {%- else -%}{%- do args.extend(primary_key) -%}{%- endif -%}
  {%- do args.append(updated_at) -%}
  {{ return(args) }}
{%- endmacro %}

{% macro snapshot_timestamp_strategy(node, snapshotted_rel, current_rel, model_config, target_exists) %}
  {#- model_config is kept for the signature; the settings come from config -#}
  {%- set unique_key = config.get('unique_key') -%}
  {%- set updated_at = config.get('updated_at') -%}
  {%- set hard_deletes = adapter.get_hard_deletes_behavior(config) -%}
  {%- set names = config.get('snapshot_table_column_names') or get_snapshot_table_column_names() -%}
  {#- compared with dbt_valid_from, which every version has, rather than the user's updated_at
      column, which versions made by the check strategy may lack -#}
  {%- set row_changed -%}({{ snapshotted_rel }}.{{ names.dbt_valid_from }} < {{ current_rel }}.{{ updated_at }}){%- endset -%}
  {%- set scd_id = snapshot_hash_arguments(api.Relation.scd_args(unique_key, updated_at)) -%}
  {{ return({'unique_key': unique_key, 'updated_at': updated_at, 'row_changed': row_changed,
             'scd_id': scd_id, 'invalidate_hard_deletes': hard_deletes == 'invalidate',
             'hard_deletes': hard_deletes}) }}
{% endmacro %}

{#- For check_cols ('all' or a list): whether the query has a column the snapshot lacks, and the
    quoted columns both have, which are the ones compared -#}
{% macro snapshot_check_all_get_existing_columns(node, target_exists, check_cols_config) -%}
  {%- if not target_exists -%}
    {#- no snapshot yet: nothing to compare -#}
    {{ return((false, [])) }}
  {%- endif -%}
  {%- set target = adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias) -%}
  {%- if check_cols_config == 'all' -%}
    {%- set query_columns = get_columns_in_query(node['compiled_code']) -%}
  {%- elif check_cols_config is iterable and check_cols_config | length > 0 -%}
    {#- asked of the engine, so that the names come back with its casing -#}
    {%- set probe -%}
      select {{ check_cols_config | join(', ') }} from (
        {{ node['compiled_code'] }}
      ) subq
    {%- endset -%}
    {%- set query_columns = get_columns_in_query(probe) -%}
  {%- else -%}
    {{ exceptions.raise_compiler_error("Invalid value for 'check_cols': " ~ check_cols_config) }}
  {%- endif -%}
  {%- set snapshot_columns = adapter.get_columns_in_relation(target) | map(attribute='name') | list -%}
  {%- set ns = namespace(added=false) -%}
  {%- set common = [] -%}
  {%- for name in query_columns -%}
    {%- if name in snapshot_columns -%}
      {%- do common.append(adapter.quote(name)) -%}
    {%- else -%}
      {%- set ns.added = true -%}
    {%- endif -%}
  {%- endfor -%}
  {{ return((ns.added, common)) }}
{%- endmacro %}

{% macro snapshot_check_strategy(node, snapshotted_rel, current_rel, model_config, target_exists) %}
  {%- set check_cols_config = config.get('check_cols') -%}
  {%- set unique_key = config.get('unique_key') -%}
  {%- set hard_deletes = adapter.get_hard_deletes_behavior(config) -%}
  {%- set updated_at = config.get('updated_at') or snapshot_get_time() -%}
  {%- set column_added, check_cols = snapshot_check_all_get_existing_columns(node, target_exists, check_cols_config) -%}
  {#- a column the snapshot lacks changes every row; otherwise a row changed when one of the
      compared columns differs, a null on one side only counting as a difference -#}
  {%- set row_changed -%}
    ({%- if column_added -%}{{ get_true_sql() }}{%- else -%}
      {%- for col in check_cols -%}
        {{ snapshotted_rel }}.{{ col }} != {{ current_rel }}.{{ col }}
        or (({{ snapshotted_rel }}.{{ col }} is null) and not ({{ current_rel }}.{{ col }} is null))
        or ((not {{ snapshotted_rel }}.{{ col }} is null) and ({{ current_rel }}.{{ col }} is null))
        {%- if not loop.last %} or {% endif -%}
      {%- endfor -%}
    {%- endif -%})
  {%- endset -%}
  {%- set scd_id = snapshot_hash_arguments(api.Relation.scd_args(unique_key, updated_at)) -%}
  {{ return({'unique_key': unique_key, 'updated_at': updated_at, 'row_changed': row_changed,
             'scd_id': scd_id, 'invalidate_hard_deletes': hard_deletes == 'invalidate',
             'hard_deletes': hard_deletes}) }}
{% endmacro %}

{#- the type of a query's dbt_updated_at column (any casing), or none -#}
{% macro get_updated_at_column_data_type(snapshot_sql) -%}
  {%- set ns = namespace(found=none) -%}
  {%- for col in get_column_schema_from_query(snapshot_sql) -%}
    {%- if col.name in ['dbt_updated_at', 'DBT_UPDATED_AT'] -%}
      {%- set ns.found = col.data_type -%}
    {%- endif -%}
  {%- endfor -%}
  {{ return(ns.found) }}
{%- endmacro %}

{#- warns when the snapshot's dbt_updated_at and snapshot_get_time() have different types -#}
{% macro check_time_data_types(sql) -%}
  {%- set updated_at_type = get_updated_at_column_data_type(sql) -%}
  {%- set now_type = get_snapshot_get_time_data_type() -%}
  {%- if now_type is not none and updated_at_type is not none and now_type != updated_at_type -%}
    {%- do exceptions.warn("Data type of snapshot table timestamp columns (" ~ now_type ~ ") doesn't match derived column 'updated_at' (" ~ updated_at_type ~ "). Please update snapshot config 'updated_at'.") -%}
  {%- endif -%}
{%- endmacro %}
