{#-
  The materializations of the Confluent Cloud adapter where Confluent differs from open-source
  Flink (the others, view among them, are the Flink adapter's: this adapter's parent is flink).
    table  CREATE TABLE ... AS SELECT as a snapshot statement (bounded: it reads its sources as of
           now and ends). Confluent cannot rename a table, so the new definition is built and
           filled under a temporary name first (a broken model leaves the old table), then the old
           table is dropped and built again under its name.
-#}
{% materialization table, adapter='confluent' %}
  {%- set target_relation = this.incorporate(type='table') -%}
  {%- set existing = adapter.get_relation(database=this.database, schema=this.schema, identifier=this.identifier) -%}
  {%- set intermediate = make_intermediate_relation(target_relation) -%}
  {{ drop_relation_if_exists(intermediate) }}
  {{ run_hooks(pre_hooks) }}
  {% call statement('create_intermediate') -%}
    CREATE TABLE {{ intermediate }} AS
    {{ sql }}
  {%- endcall %}
  {{ adapter.drop_relation(intermediate) }}
  {% if existing is not none %}{{ adapter.drop_relation(existing) }}{% endif %}
  {% call statement('main') -%}
    CREATE TABLE {{ target_relation }} AS
    {{ sql }}
  {%- endcall %}
  {{ run_hooks(post_hooks) }}
  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
