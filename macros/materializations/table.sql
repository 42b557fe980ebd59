{#-
  table: the new table is built under a temporary name, then swapped in for the old one inside
  one transaction, so a model that fails leaves the previous table untouched.
-#}
{% materialization table, default %}
  {%- set target_relation = this.incorporate(type='table') -%}
  {%- set existing = adapter.get_relation(database=this.database, schema=this.schema, identifier=this.identifier) -%}
  {%- set intermediate = make_intermediate_relation(target_relation) -%}
  {%- set backup = make_backup_relation(target_relation, existing.type if existing is not none else 'table') -%}

  {{ drop_relation_if_exists(intermediate) }}
  {{ drop_relation_if_exists(backup) }}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  {% call statement('main') -%}
    {{ get_create_table_as_sql(false, intermediate, sql) }}
  {%- endcall %}

  {% if existing is not none %}
    {{ adapter.rename_relation(existing, backup) }}
  {% endif %}
  {{ adapter.rename_relation(intermediate, target_relation) }}

  {{ run_hooks(post_hooks) }}
  {{ adapter.commit() }}

  {{ run_hooks(post_hooks, inside_transaction=False) }}

  {{ drop_relation_if_exists(backup) }}
  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
