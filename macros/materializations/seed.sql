{#-
  seed: the CSV file is loaded into a new table under a temporary name (types inferred, or taken
  from column_types), then swapped in for the old table inside one transaction, so a seed that
  fails to load leaves the previous table untouched.
-#}
{% materialization seed, default %}
  {%- set target_relation = this.incorporate(type='table') -%}
  {%- set existing = adapter.get_relation(database=this.database, schema=this.schema, identifier=this.identifier) -%}
  {%- set intermediate = make_intermediate_relation(target_relation) -%}
  {%- set backup = make_backup_relation(target_relation, existing.type if existing is not none else 'table') -%}
  {%- set options = {
        'delimiter': config.get('delimiter', ','),
        'column_types': config.get('column_types', {}),
        'quote_columns': config.get('quote_columns', false)} -%}

  {{ drop_relation_if_exists(intermediate) }}
  {{ drop_relation_if_exists(backup) }}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  {%- set rows = adapter.load_csv(intermediate, model.root_path ~ '/' ~ model.original_file_path, options) -%}
  {%- do write('-- loaded ' ~ rows ~ ' rows from ' ~ model.original_file_path ~ ' into ' ~ target_relation) -%}

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
  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
