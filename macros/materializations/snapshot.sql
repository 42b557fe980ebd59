{#-
  snapshot: type-2 history of a query's rows. The first run copies the rows with
  dbt_scd_id, dbt_updated_at, dbt_valid_from and dbt_valid_to (null: current). Later runs, in one
  transaction:
    - close the current version of every key whose row changed (timestamp strategy: updated_at
      moved forward; check strategy: a check_cols column differs) by setting dbt_valid_to,
    - insert the new versions of changed keys and the rows of new keys,
    - with hard_deletes 'invalidate' (or invalidate_hard_deletes), close keys that disappeared;
      with 'new_record', also add a version marked dbt_is_deleted = 'True' (a key that comes back
      gets a new version again).
-#}
{% materialization snapshot, default %}
  {%- set target_relation = this.incorporate(type='table') -%}
  {%- set strategy = config.get('strategy') -%}
  {%- set unique_key = config.get('unique_key') -%}
  {%- if strategy not in ['timestamp', 'check'] -%}
    {{ exceptions.raise_compiler_error("snapshot '" ~ model.name ~ "' needs strategy: timestamp or check") }}
  {%- endif -%}
  {%- if not unique_key -%}
    {{ exceptions.raise_compiler_error("snapshot '" ~ model.name ~ "' needs a unique_key") }}
  {%- endif -%}
  {%- if strategy == 'timestamp' and not config.get('updated_at') -%}
    {{ exceptions.raise_compiler_error("snapshot '" ~ model.name ~ "' uses the timestamp strategy and needs updated_at") }}
  {%- endif -%}
  {%- set keys = [unique_key] if unique_key is string else unique_key -%}
  {%- set hard_deletes = config.get('hard_deletes') or ('invalidate' if config.get('invalidate_hard_deletes') else 'ignore') -%}
  {%- set existing = adapter.get_relation(database=this.database, schema=this.schema, identifier=this.identifier) -%}
  {#- one instant for the whole run, so the rows it closes and opens can be found again -#}
  {%- set now = "timestamp '" ~ run_started_at.strftime('%Y-%m-%d %H:%M:%S.%f') ~ "'" -%}
  {%- set new_record = hard_deletes == 'new_record' -%}
  {%- set key_expr -%}{% for k in keys %}coalesce(cast(src.{{ k }} as varchar), ''){% if not loop.last %} || '|' || {% endif %}{% endfor %}{%- endset -%}
  {%- if strategy == 'timestamp' -%}
    {%- set version_ts = 'cast(src.' ~ config.get('updated_at') ~ ' as timestamp)' -%}
  {%- else -%}
    {%- set version_ts = now -%}
  {%- endif -%}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  {%- if existing is none -%}
    {% call statement('main') -%}
      create table {{ target_relation }} as
      select src.*,
          md5({{ key_expr }} || '|' || cast({{ version_ts }} as varchar)) as dbt_scd_id,
          {{ version_ts }} as dbt_updated_at,
          {{ version_ts }} as dbt_valid_from,
          cast(null as timestamp) as dbt_valid_to{% if new_record %},
          'False' as dbt_is_deleted{% endif %}
      from ({{ sql }}) src
    {%- endcall %}
  {%- else -%}
    {%- set staging = make_temp_relation(target_relation) -%}
    {{ drop_relation_if_exists(staging) }}
    {% call statement('snapshot_source') -%}
      create table {{ staging }} as select * from ({{ sql }}) src
    {%- endcall %}
    {%- set join_on -%}{% for k in keys %}snap.{{ k }} = src.{{ k }}{% if not loop.last %} and {% endif %}{% endfor %}{%- endset -%}
    {%- if strategy == 'timestamp' -%}
      {%- set changed = version_ts ~ ' > snap.dbt_updated_at' -%}
      {%- if new_record -%}{%- set changed = '(' ~ changed ~ " or snap.dbt_is_deleted = 'True')" -%}{%- endif -%}
    {%- else -%}
      {%- set cols = config.get('check_cols') -%}
      {%- if cols == 'all' or cols is none -%}
        {%- set cols = adapter.get_columns_in_relation(staging) | map(attribute='name') | list -%}
      {%- endif -%}
      {%- set changed -%}({% for c in cols %}snap.{{ c }} is distinct from src.{{ c }}{% if not loop.last %} or {% endif %}{% endfor %}{% if new_record %} or snap.dbt_is_deleted = 'True'{% endif %}){%- endset -%}
    {%- endif -%}
    {% call statement('main') -%}
      update {{ target_relation }} as snap
      set dbt_valid_to = {{ version_ts }}
      from {{ staging }} as src
      where {{ join_on }} and snap.dbt_valid_to is null and {{ changed }};

      insert into {{ target_relation }}
      select src.*,
          md5({{ key_expr }} || '|' || cast({{ version_ts }} as varchar)) as dbt_scd_id,
          {{ version_ts }} as dbt_updated_at,
          {{ version_ts }} as dbt_valid_from,
          cast(null as timestamp) as dbt_valid_to{% if new_record %},
          'False' as dbt_is_deleted{% endif %}
      from {{ staging }} as src
      where not exists (
          select 1 from {{ target_relation }} as snap
          where {{ join_on }} and snap.dbt_valid_to is null
      )
    {%- endcall %}
    {%- if new_record -%}
      {#- a vanished key gets a closing version marked dbt_is_deleted = 'True' -#}
      {% call statement('hard_deletes') -%}
        insert into {{ target_relation }}
        select * exclude (dbt_scd_id, dbt_updated_at, dbt_valid_from, dbt_valid_to, dbt_is_deleted),
            md5({{ key_expr | replace('src.', 'snap.') }} || '|' || cast({{ now }} as varchar) || '|deleted') as dbt_scd_id,
            {{ now }} as dbt_updated_at,
            {{ now }} as dbt_valid_from,
            cast(null as timestamp) as dbt_valid_to,
            'True' as dbt_is_deleted
        from {{ target_relation }} as snap
        where snap.dbt_valid_to is null and snap.dbt_is_deleted = 'False'
          and not exists (select 1 from {{ staging }} as src where {{ join_on }});

        update {{ target_relation }} as snap
        set dbt_valid_to = {{ now }}
        where snap.dbt_valid_to is null and snap.dbt_is_deleted = 'False'
          and not exists (select 1 from {{ staging }} as src where {{ join_on }})
      {%- endcall %}
    {%- elif hard_deletes == 'invalidate' -%}
      {% call statement('hard_deletes') -%}
        update {{ target_relation }} as snap
        set dbt_valid_to = {{ now }}
        where snap.dbt_valid_to is null
          and not exists (select 1 from {{ staging }} as src where {{ join_on }})
      {%- endcall %}
    {%- endif -%}
    {{ adapter.drop_relation(staging) }}
  {%- endif -%}

  {{ run_hooks(post_hooks) }}
  {{ adapter.commit() }}

  {{ run_hooks(post_hooks, inside_transaction=False) }}
  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
