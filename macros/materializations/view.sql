{#-
  view: created under a temporary name and swapped in within one transaction, as tables are;
  an existing table of the same name is replaced by the view.
-#}
{% materialization view, default %}
  {%- set target_relation = this.incorporate(type='view') -%}
  {%- set existing = adapter.get_relation(database=this.database, schema=this.schema, identifier=this.identifier) -%}
  {%- set intermediate = make_intermediate_relation(target_relation) -%}
  {%- set backup = make_backup_relation(target_relation, existing.type if existing is not none else 'view') -%}

  {{ drop_relation_if_exists(intermediate) }}
  {{ drop_relation_if_exists(backup) }}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  {% call statement('main') -%}
    {{ get_create_view_as_sql(intermediate, sql) }}
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
