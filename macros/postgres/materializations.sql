{#-
  The materializations that PostgreSQL needs its own way: tests that store their failures
  (PostgreSQL has no CREATE OR REPLACE TABLE) and materialized views.
-#}

{%- materialization test, adapter='postgres' -%}
  {%- set relations = [] -%}
  {%- set limit = config.get('limit') -%}
  {%- set fail_calc = config.get('fail_calc', 'count(*)') -%}
  {%- set warn_if = config.get('warn_if', '!= 0') -%}
  {%- set error_if = config.get('error_if', '!= 0') -%}
  {%- set main_sql = sql -%}

  {%- if should_store_failures() -%}
    {%- set audit = api.Relation.create(database=this.database if this.database else target.database,
                                        schema=target.schema ~ '_' ~ config.get('schema', 'dbt_test__audit'),
                                        identifier=config.get('alias', model.name), type='table') -%}
    {% do adapter.create_schema(audit) %}
    {% call statement('store_failures') -%}
      drop table if exists {{ audit }} cascade;
      create table {{ audit }} as (
        {{ main_sql }}
      )
    {%- endcall %}
    {%- do relations.append(audit) -%}
    {%- set main_sql = 'select * from ' ~ audit -%}
  {%- endif -%}

  {% call statement('main', fetch_result=True) -%}
    {{ get_test_sql(main_sql, fail_calc, warn_if, error_if, limit) }}
  {%- endcall %}

  {{ return({'relations': relations}) }}
{%- endmaterialization -%}

{#-
  materialized_view: created the first time (and on --full-refresh, or when something else has the
  name) under a temporary name and swapped in; on later runs refreshed in place, as dbt does. A
  changed query needs --full-refresh, as in dbt.
-#}
{% materialization materialized_view, adapter='postgres' %}
  {%- set target_relation = this.incorporate(type='materialized_view') -%}
  {%- set existing = adapter.get_relation(database=this.database, schema=this.schema, identifier=this.identifier) -%}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  {%- if existing is not none and existing.type == 'materialized_view' and not should_full_refresh() -%}
    {% call statement('main') -%}
      refresh materialized view {{ target_relation.include(database=false) }}
    {%- endcall %}
    {% do apply_grants(target_relation, config.get('grants'), should_revoke=should_revoke(existing, full_refresh_mode=false)) %}
    {% do persist_docs(target_relation, model) %}
    {{ run_hooks(post_hooks) }}
    {{ adapter.commit() }}
    {{ run_hooks(post_hooks, inside_transaction=False) }}
  {%- else -%}
    {%- set intermediate = make_intermediate_relation(target_relation) -%}
    {%- set backup = make_backup_relation(target_relation, existing.type if existing is not none else 'materialized_view') -%}
    {{ drop_relation_if_exists(intermediate) }}
    {{ drop_relation_if_exists(backup) }}
    {% call statement('main') -%}
      create materialized view {{ intermediate.include(database=false) }} as (
        {{ sql }}
      );
      {%- for index_dict in config.get('indexes', []) or [] %}
      {{ get_create_index_sql(intermediate, index_dict) }};
      {%- endfor %}
    {%- endcall %}
    {% if existing is not none %}
      {{ adapter.rename_relation(existing, backup) }}
    {% endif %}
    {{ adapter.rename_relation(intermediate, target_relation) }}
    {% do apply_grants(target_relation, config.get('grants'), should_revoke=false) %}
    {% do persist_docs(target_relation, model) %}
    {{ run_hooks(post_hooks) }}
    {{ adapter.commit() }}
    {{ run_hooks(post_hooks, inside_transaction=False) }}
    {{ drop_relation_if_exists(backup) }}
  {%- endif -%}
  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
