{#-
  incremental: the first run (or --full-refresh, or a view in the way) builds the table like the
  table materialization; later runs compute the new rows into a temporary table and apply them
  with the configured strategy, all inside one transaction, so a failing run leaves the previous
  table intact.
    incremental_strategy: append | delete+insert | merge   (default: delete+insert with a
                          unique_key, else append)
    unique_key:           a column or a list of columns
    on_schema_change:     ignore | fail | append_new_columns | sync_all_columns
-#}
{% materialization incremental, default %}
  {%- set target_relation = this.incorporate(type='table') -%}
  {%- set existing = adapter.get_relation(database=this.database, schema=this.schema, identifier=this.identifier) -%}
  {%- set unique_key = config.get('unique_key') -%}
  {%- set strategy = config.get('incremental_strategy') or ('delete+insert' if unique_key else 'append') -%}
  {%- set on_schema_change = config.get('on_schema_change', 'ignore') or 'ignore' -%}
  {%- if strategy not in ['append', 'delete+insert', 'merge'] -%}
    {{ exceptions.raise_compiler_error("incremental_strategy '" ~ strategy ~ "' is not supported: use append, delete+insert or merge") }}
  {%- endif -%}
  {%- if strategy in ['delete+insert', 'merge'] and not unique_key -%}
    {{ exceptions.raise_compiler_error("incremental_strategy '" ~ strategy ~ "' needs a unique_key") }}
  {%- endif -%}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  {%- if existing is none or should_full_refresh() or existing.is_view -%}
    {%- set intermediate = make_intermediate_relation(target_relation) -%}
    {%- set backup = make_backup_relation(target_relation, existing.type if existing is not none else 'table') -%}
    {{ drop_relation_if_exists(intermediate) }}
    {{ drop_relation_if_exists(backup) }}
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
  {%- else -%}
    {%- set new_rows = make_temp_relation(target_relation) -%}
    {{ drop_relation_if_exists(new_rows) }}
    {% call statement('new_rows') -%}
      {{ get_create_table_as_sql(false, new_rows, sql) }}
    {%- endcall %}
    {%- set dest_columns = sluice_sync_schema(new_rows, target_relation, on_schema_change) -%}
    {% call statement('main') -%}
      {{ get_incremental_sql(strategy, target_relation, new_rows, unique_key, dest_columns) }}
    {%- endcall %}
    {{ adapter.drop_relation(new_rows) }}
    {{ run_hooks(post_hooks) }}
    {{ adapter.commit() }}
    {{ run_hooks(post_hooks, inside_transaction=False) }}
  {%- endif -%}
  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}

{#- Applies on_schema_change; returns the columns to insert (names) -#}
{% macro sluice_sync_schema(new_rows, target, on_schema_change) %}
  {%- set new_cols = adapter.get_columns_in_relation(new_rows) -%}
  {%- set old_cols = adapter.get_columns_in_relation(target) -%}
  {%- set new_names = new_cols | map(attribute='name') | map('lower') | list -%}
  {%- set old_names = old_cols | map(attribute='name') | map('lower') | list -%}
  {%- set added = [] -%}
  {%- for c in new_cols if c.name | lower not in old_names -%}{%- do added.append(c) -%}{%- endfor -%}
  {%- set removed = [] -%}
  {%- for c in old_cols if c.name | lower not in new_names -%}{%- do removed.append(c) -%}{%- endfor -%}
  {%- if (added or removed) and on_schema_change == 'fail' -%}
    {{ exceptions.raise_compiler_error("the columns of " ~ target ~ " changed (added: " ~ (added | map(attribute='name') | join(', ') or 'none') ~ "; removed: " ~ (removed | map(attribute='name') | join(', ') or 'none') ~ ") and on_schema_change is 'fail': run with --full-refresh, or set on_schema_change") }}
  {%- endif -%}
  {%- if on_schema_change in ['append_new_columns', 'sync_all_columns'] -%}
    {%- for c in added -%}
      {% call statement() %}alter table {{ target }} add column {{ adapter.quote(c.name) }} {{ c.data_type }}{% endcall %}
    {%- endfor -%}
    {%- if on_schema_change == 'sync_all_columns' -%}
      {%- for c in removed -%}
        {% call statement() %}alter table {{ target }} drop column {{ adapter.quote(c.name) }}{% endcall %}
      {%- endfor -%}
    {%- endif -%}
    {{ return(new_cols | map(attribute='name') | list if on_schema_change == 'sync_all_columns' else (old_cols | map(attribute='name') | list) + (added | map(attribute='name') | list)) }}
  {%- endif -%}
  {#- ignore: the target's columns that the new rows have -#}
  {%- set keep = [] -%}
  {%- for c in old_cols if c.name | lower in new_names -%}{%- do keep.append(c.name) -%}{%- endfor -%}
  {{ return(keep) }}
{% endmacro %}

{% macro get_incremental_sql(strategy, target, source, unique_key, dest_columns) -%}
  {%- set cols = dest_columns | map('string') | map('tojson') | join(', ') -%}
  {%- set keys = [unique_key] if unique_key is string else unique_key -%}
  {%- if strategy in ['delete+insert', 'merge'] -%}
    delete from {{ target }}
    where ({% for k in keys %}{{ k }}{% if not loop.last %}, {% endif %}{% endfor %}) in (
        select {% for k in keys %}{{ k }}{% if not loop.last %}, {% endif %}{% endfor %} from {{ source }}
    );
  {% endif -%}
    insert into {{ target }} ({{ cols }})
    select {{ cols }} from {{ source }}
{%- endmacro %}
