{#-
  clone (sluice clone --state DIR): the node's relation made from the one the --state run built
  (defer_relation), as dbt's clone materialization makes it. Nothing is done when the state has no
  relation for the node, or when the node's relation exists already and this is no
  --full-refresh. A table is cloned where the adapter can clone tables (can_clone_table; DuckDB
  and PostgreSQL cannot); anything else becomes a view that selects from the state's relation,
  built by the view materialization with that select as its SQL.
-#}
{% materialization clone, default %}
  {%- if not defer_relation -%}
    {{ log("No relation found in state manifest for " ~ model.unique_id, info=True) }}
    {{ return({'relations': []}) }}
  {%- endif -%}
  {%- set existing = load_cached_relation(this) -%}
  {%- if existing and not flags.FULL_REFRESH -%}
    {{ log("Relation " ~ existing ~ " already exists", info=True) }}
    {{ return({'relations': []}) }}
  {%- endif -%}
  {%- set from_state = load_cached_relation(defer_relation) -%}
  {%- if from_state and from_state.type == 'table' and can_clone_table() -%}
    {%- set target_relation = this.incorporate(type='table') -%}
    {%- if existing is not none and not existing.is_table -%}
      {{ drop_relation_if_exists(existing) }}
    {%- endif -%}
    {%- if target_relation.render() != defer_relation.render() -%}
      {% call statement('main') -%}
        {{ create_or_replace_clone(target_relation, defer_relation) }}
      {%- endcall %}
    {%- endif -%}
    {% do apply_grants(target_relation, config.get('grants'), should_revoke=should_revoke(existing, full_refresh_mode=True)) %}
    {% do persist_docs(target_relation, model) %}
    {{ return({'relations': [target_relation]}) }}
  {%- endif -%}
  {%- set view_materialization = 'materialization_view_' ~ adapter.type() -%}
  {%- if view_materialization not in context -%}
    {%- set view_materialization = 'materialization_view_default' -%}
  {%- endif -%}
  {{ return(context[view_materialization]()) }}
{% endmaterialization %}
