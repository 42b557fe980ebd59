{#-
  snapshot: type-2 history of a query's rows. The first run copies the rows with
  dbt_scd_id, dbt_updated_at, dbt_valid_from and dbt_valid_to (null, or dbt_valid_to_current,
  for the current version). Later runs, in one transaction:
    - add to the snapshot the columns the query gained,
    - close the current version of every key whose row changed (timestamp strategy: updated_at
      moved forward; check strategy: a check_cols column differs) by setting dbt_valid_to,
    - insert the new versions of changed keys and the rows of new keys,
    - with hard_deletes 'invalidate' (or invalidate_hard_deletes), close keys that disappeared;
      with 'new_record', also add a version marked dbt_is_deleted = 'True' (a key that comes back
      gets a new version again).
  snapshot_meta_column_names renames the dbt_ columns, as in dbt 1.9.
-#}
{% macro snapshot_meta_names() %}
  {%- set given = config.get('snapshot_meta_column_names') or {} -%}
  {%- set names = {} -%}
  {%- for k in ['dbt_scd_id', 'dbt_updated_at', 'dbt_valid_from', 'dbt_valid_to', 'dbt_is_deleted'] -%}
    {%- do names.update({k: given.get(k) or k}) -%}
  {%- endfor -%}
  {{ return(names) }}
{% endmacro %}

{% materialization snapshot, default %}
  {%- set target_relation = this.incorporate(type='table') -%}
  {%- set strategy = config.get('strategy') -%}
  {%- set unique_key = config.get('unique_key') -%}
  {%- if not strategy -%}
    {{ exceptions.raise_compiler_error("snapshot '" ~ model.name ~ "' needs strategy: timestamp or check (or <name> for a macro snapshot_<name>_strategy)") }}
  {%- endif -%}
  {%- if not unique_key -%}
    {{ exceptions.raise_compiler_error("snapshot '" ~ model.name ~ "' needs a unique_key") }}
  {%- endif -%}
  {%- if strategy not in ['timestamp', 'check'] -%}
    {#- a strategy of the project's or a package's: dbt's steps, through its strategy macro -#}
    {%- set strategy_macro = strategy_dispatch(strategy) -%}
    {{ return(sluice_snapshot_by_strategy_macro(strategy_macro, unique_key)) }}
  {%- endif -%}
  {%- if strategy == 'timestamp' and not config.get('updated_at') -%}
    {{ exceptions.raise_compiler_error("snapshot '" ~ model.name ~ "' uses the timestamp strategy and needs updated_at") }}
  {%- endif -%}
  {%- set keys = [unique_key] if unique_key is string else unique_key -%}
  {%- set hard_deletes = config.get('hard_deletes') or ('invalidate' if config.get('invalidate_hard_deletes') else 'ignore') -%}
  {%- if hard_deletes not in ['ignore', 'invalidate', 'new_record'] -%}
    {{ exceptions.raise_compiler_error("snapshot '" ~ model.name ~ "': hard_deletes must be ignore, invalidate or new_record, not '" ~ hard_deletes ~ "'") }}
  {%- endif -%}
  {%- set existing = adapter.get_relation(database=this.database, schema=this.schema, identifier=this.identifier) -%}
  {%- set m = snapshot_meta_names() -%}
  {%- set scd_id, updated_at_col, valid_from, valid_to, is_deleted = m.dbt_scd_id, m.dbt_updated_at, m.dbt_valid_from, m.dbt_valid_to, m.dbt_is_deleted -%}
  {#- the value of dbt_valid_to in current versions -#}
  {%- set current_to = config.get('dbt_valid_to_current') -%}
  {%- set open_to = ('cast(' ~ current_to ~ ' as timestamp)') if current_to else 'cast(null as timestamp)' -%}
  {%- set is_current -%}(snap.{{ valid_to }} is null{% if current_to %} or snap.{{ valid_to }} = {{ open_to }}{% endif %}){%- endset -%}
  {#- one instant for the whole run, so the rows it closes and opens can be found again -#}
  {%- set now = "timestamp '" ~ run_started_at.strftime('%Y-%m-%d %H:%M:%S.%f') ~ "'" -%}
  {%- set new_record = hard_deletes == 'new_record' -%}
  {%- set key_expr -%}{% for k in keys %}coalesce(cast(src.{{ k }} as varchar), ''){% if not loop.last %} || '|' || {% endif %}{% endfor %}{%- endset -%}
  {%- if strategy == 'timestamp' -%}
    {%- set version_ts = 'cast(src.' ~ config.get('updated_at') ~ ' as timestamp)' -%}
  {%- else -%}
    {%- set version_ts = now -%}
  {%- endif -%}
  {%- set meta_cols -%}
          md5({{ key_expr }} || '|' || cast({{ version_ts }} as varchar)) as {{ scd_id }},
          {{ version_ts }} as {{ updated_at_col }},
          {{ version_ts }} as {{ valid_from }},
          {{ open_to }} as {{ valid_to }}{% if new_record %},
          'False' as {{ is_deleted }}{% endif %}
  {%- endset -%}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  {%- if existing is none -%}
    {% call statement('main') -%}
      create table {{ target_relation }} as
      select src.*,
          {{ meta_cols }}
      from ({{ sql }}) src
    {%- endcall %}
  {%- else -%}
    {%- set staging = sluice_staging_relation(target_relation) -%}
    {{ drop_relation_if_exists(staging) }}
    {% call statement('snapshot_source') -%}
      create table {{ staging }} as select * from ({{ sql }}) src
    {%- endcall %}
    {#- columns the query gained are added to the snapshot (older versions hold null) -#}
    {%- for c in adapter.get_missing_columns(staging, target_relation) -%}
      {% call statement() %}alter table {{ target_relation }} add column {{ adapter.quote(c.name) }} {{ c.data_type }}{% endcall %}
    {%- endfor -%}
    {%- if new_record and is_deleted | lower not in (adapter.get_columns_in_relation(target_relation) | map(attribute='name') | map('lower') | list) -%}
      {% call statement() %}alter table {{ target_relation }} add column {{ is_deleted }} varchar default 'False'{% endcall %}
    {%- endif -%}
    {#- columns are named, not matched by position or name magic, so any engine takes the inserts -#}
    {%- set src_cols = adapter.get_columns_in_relation(staging) | map(attribute='name') | list -%}
    {%- set src_list = get_quoted_csv(src_cols) -%}
    {%- set src_select -%}{% for c in src_cols %}src.{{ adapter.quote(c) }}{% if not loop.last %}, {% endif %}{% endfor %}{%- endset -%}
    {%- set meta_list -%}{{ scd_id }}, {{ updated_at_col }}, {{ valid_from }}, {{ valid_to }}{% if new_record %}, {{ is_deleted }}{% endif %}{%- endset -%}
    {%- set meta_names = [scd_id, updated_at_col, valid_from, valid_to, is_deleted] | map('lower') | list -%}
    {%- set data_cols = [] -%}
    {%- for c in adapter.get_columns_in_relation(target_relation) if c.name | lower not in meta_names -%}{%- do data_cols.append(c.name) -%}{%- endfor -%}
    {%- set data_list = get_quoted_csv(data_cols) -%}
    {%- set data_select -%}{% for c in data_cols %}snap.{{ adapter.quote(c) }}{% if not loop.last %}, {% endif %}{% endfor %}{%- endset -%}
    {%- set join_on -%}{% for k in keys %}snap.{{ k }} = src.{{ k }}{% if not loop.last %} and {% endif %}{% endfor %}{%- endset -%}
    {%- if strategy == 'timestamp' -%}
      {%- set changed = version_ts ~ ' > snap.' ~ updated_at_col -%}
      {%- if new_record -%}{%- set changed = '(' ~ changed ~ " or snap." ~ is_deleted ~ " = 'True')" -%}{%- endif -%}
    {%- else -%}
      {%- set cols = config.get('check_cols') -%}
      {%- if cols == 'all' or cols is none -%}
        {%- set cols = adapter.get_columns_in_relation(staging) | map(attribute='name') | list -%}
      {%- elif cols is string -%}
        {%- set cols = [cols] -%}
      {%- endif -%}
      {%- set changed -%}({% for c in cols %}snap.{{ c }} is distinct from src.{{ c }}{% if not loop.last %} or {% endif %}{% endfor %}{% if new_record %} or snap.{{ is_deleted }} = 'True'{% endif %}){%- endset -%}
    {%- endif -%}
    {% call statement('main') -%}
      update {{ target_relation }} as snap
      set {{ valid_to }} = {{ version_ts }}
      from {{ staging }} as src
      where {{ join_on }} and {{ is_current }} and {{ changed }};

      insert into {{ target_relation }} ({{ src_list }}, {{ meta_list }})
      select {{ src_select }},
          {{ meta_cols }}
      from {{ staging }} as src
      where not exists (
          select 1 from {{ target_relation }} as snap
          where {{ join_on }} and {{ is_current }}
      )
    {%- endcall %}
    {%- if new_record -%}
      {#- a vanished key gets a closing version marked dbt_is_deleted = 'True' -#}
      {% call statement('hard_deletes') -%}
        insert into {{ target_relation }} ({{ data_list }}, {{ scd_id }}, {{ updated_at_col }}, {{ valid_from }}, {{ valid_to }}, {{ is_deleted }})
        select {{ data_select }},
            md5({{ key_expr | replace('src.', 'snap.') }} || '|' || cast({{ now }} as varchar) || '|deleted') as {{ scd_id }},
            {{ now }} as {{ updated_at_col }},
            {{ now }} as {{ valid_from }},
            {{ open_to }} as {{ valid_to }},
            'True' as {{ is_deleted }}
        from {{ target_relation }} as snap
        where {{ is_current }} and snap.{{ is_deleted }} = 'False'
          and not exists (select 1 from {{ staging }} as src where {{ join_on }});

        update {{ target_relation }} as snap
        set {{ valid_to }} = {{ now }}
        where {{ is_current }} and snap.{{ is_deleted }} = 'False'
          and not exists (select 1 from {{ staging }} as src where {{ join_on }})
      {%- endcall %}
    {%- elif hard_deletes == 'invalidate' -%}
      {% call statement('hard_deletes') -%}
        update {{ target_relation }} as snap
        set {{ valid_to }} = {{ now }}
        where {{ is_current }}
          and not exists (select 1 from {{ staging }} as src where {{ join_on }})
      {%- endcall %}
    {%- endif -%}
    {{ adapter.drop_relation(staging) }}
  {%- endif -%}

  {% do persist_docs(target_relation, model) %}
  {{ run_hooks(post_hooks) }}
  {{ adapter.commit() }}

  {{ run_hooks(post_hooks, inside_transaction=False) }}
  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
