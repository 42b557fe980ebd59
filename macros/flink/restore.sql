{#-
  restore_relation: declares a node's relation in a session that lacks it, without running any
  job. The runner calls it for each node the session needs, in dependency order, in the node's own
  context (this, config, model, sql):
    - in the run's session when the catalog lives in the session (Flink's default in-memory
      catalog forgets everything when a session ends), for what the selected nodes read;
    - in the session of a data test, with bounded = true: every connector table is declared as a
      TEMPORARY table read from its first to its last offset (flink_bounded_options), shadowing
      the permanent one, so the test's query ends and sees a consistent snapshot. Flink reads a
      table whose source produces updates (upsert-kafka, a CDC format) only in streaming mode:
      adapter.bounded_source() tells the session about each table, and its queries over such
      tables run in streaming mode and are folded into their final rows.
  Sources with connector_properties are declared as streaming_source models are.
-#}
{% macro restore_relation(bounded=false) -%}
  {{ return(adapter.dispatch('restore_relation', 'dbt')(bounded)) }}
{%- endmacro %}

{% macro default__restore_relation(bounded) -%}
{%- endmacro %}

{% macro flink__restore_relation(bounded) -%}
  {%- set kind = model.resource_type -%}
  {%- set mat = 'streaming_source' if kind == 'source' else config.get('materialized') -%}
  {%- if kind == 'source' and not flink_connector_options(config).get('connector') -%}
    {{ return('') }}  {#- a source declared outside the project -#}
  {%- endif -%}
  {%- if not bounded and kind != 'source' and not adapter.session_scoped() -%}
    {{ return('') }}  {#- a persistent catalog remembers the project's relations -#}
  {%- endif -%}
  {%- set relation = this -%}
  {%- set ddl = none -%}
  {%- if mat == 'streaming_source' -%}
    {%- set ddl = flink_source_ddl(relation, model, config, temporary=bounded, if_not_exists=not bounded, bounded=bounded) -%}
  {%- elif mat in ['streaming_table', 'table', 'materialized_table'] -%}
    {#- a materialized table is read as the table it is (its refresh job is not redeclared) -#}
    {%- set ddl = flink_sink_ddl(relation, model, config, sql, temporary=bounded, if_not_exists=not bounded, bounded=bounded) -%}
  {%- elif mat == 'view' -%}
    {%- set ddl = 'CREATE ' ~ ('TEMPORARY ' if bounded) ~ 'VIEW IF NOT EXISTS ' ~ relation ~ ' AS\n' ~ sql -%}
  {%- endif -%}
  {%- if ddl is not none -%}
    {% call statement('restore', auto_begin=false) -%}{{ ddl }}{%- endcall %}
    {%- if bounded and mat != 'view' -%}
      {#- tells the test session which tables produce updates (its queries then run in streaming
          mode and are folded) and which cannot be read to an end -#}
      {%- do adapter.bounded_source('' ~ relation, flink_bounded_options(flink_connector_options(config), config)) -%}
    {%- endif -%}
  {%- endif -%}
{%- endmacro %}
