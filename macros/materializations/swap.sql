{#-
  The build-then-swap that table and view share: the new relation is created under a temporary
  name (the caller's block gives the SQL that creates it), then renamed into place with the old one
  kept aside as a backup, all inside one transaction; the backup is dropped after the commit. A
  model that fails leaves the previous relation untouched.
-#}
{% macro sluice_build_and_swap(target_relation) %}
  {%- set existing = adapter.get_relation(database=target_relation.database, schema=target_relation.schema,
                                          identifier=target_relation.identifier) -%}
  {%- set intermediate = make_intermediate_relation(target_relation) -%}
  {%- set backup = make_backup_relation(target_relation, existing.type if existing is not none else target_relation.type) -%}

  {{ drop_relation_if_exists(intermediate) }}
  {{ drop_relation_if_exists(backup) }}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  {%- set create_sql = caller(intermediate) -%}
  {% call statement('main') -%}
    {{ create_sql }}
  {%- endcall %}

  {% if existing is not none %}
    {{ adapter.rename_relation(existing, backup) }}
  {% endif %}
  {{ adapter.rename_relation(intermediate, target_relation) }}
  {% do apply_grants(target_relation, config.get('grants'), should_revoke=should_revoke(existing, full_refresh_mode=true)) %}
  {% do persist_docs(target_relation, model) %}

  {{ run_hooks(post_hooks) }}
  {{ adapter.commit() }}

  {{ run_hooks(post_hooks, inside_transaction=False) }}

  {{ drop_relation_if_exists(backup) }}
{% endmacro %}
