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

  {% if existing is not none and existing.type == 'table' and not should_full_refresh()
        and sluice_seed_keeps_table(existing, intermediate) %}
    {#- the same columns: the rows are replaced in the table itself, as dbt's seeds do (truncate,
        then load), so the views built on it stay (a swap drops them with the old table on
        PostgreSQL); still one transaction -#}
    {% call statement('seed_truncate') -%}
      truncate table {{ target_relation }}
    {%- endcall %}
    {% call statement('seed_insert') -%}
      insert into {{ target_relation }} select * from {{ intermediate }}
    {%- endcall %}
    {{ drop_relation_if_exists(intermediate) }}
  {% else %}
    {% if existing is not none %}
      {{ adapter.rename_relation(existing, backup) }}
    {% endif %}
    {{ adapter.rename_relation(intermediate, target_relation) }}
  {% endif %}
  {% do apply_grants(target_relation, config.get('grants'), should_revoke=should_revoke(existing, full_refresh_mode=true)) %}
  {% do persist_docs(target_relation, model) %}

  {{ run_hooks(post_hooks) }}
  {{ adapter.commit() }}

  {{ run_hooks(post_hooks, inside_transaction=False) }}

  {{ drop_relation_if_exists(backup) }}
  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}

{#- Whether a seed loaded again keeps its table (its rows replaced) rather than swapping a new one
    in: where dropping the old table would take the views on it along (PostgreSQL), when the new
    load has the same columns; DuckDB binds a view's tables by name, and swaps -#}
{% macro sluice_seed_keeps_table(existing, loaded) -%}
  {{ return(adapter.dispatch('sluice_seed_keeps_table', 'dbt')(existing, loaded)) }}
{%- endmacro %}

{% macro default__sluice_seed_keeps_table(existing, loaded) -%}
  {{ return(false) }}
{%- endmacro %}

{% macro postgres__sluice_seed_keeps_table(existing, loaded) -%}
  {%- set old = [] -%}{%- set new = [] -%}
  {%- for c in adapter.get_columns_in_relation(existing) -%}{%- do old.append(c.name ~ ' ' ~ c.data_type) -%}{%- endfor -%}
  {%- for c in adapter.get_columns_in_relation(loaded) -%}{%- do new.append(c.name ~ ' ' ~ c.data_type) -%}{%- endfor -%}
  {{ return(old | length > 0 and old == new) }}
{%- endmacro %}
