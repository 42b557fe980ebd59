{#-
  The materializations of the Confluent Cloud adapter where Confluent differs from open-source
  Flink (the others, view among them, are the Flink adapter's: this adapter's parent is flink).
    table  CREATE TABLE ... AS SELECT as a snapshot statement (bounded: it reads its sources as of
           now and ends). Confluent cannot rename a table, so the new definition is built and
           filled under a temporary name first (a broken model leaves the old table), then the old
           table is dropped and built again under its name. The model's table options (with,
           distributed_by) and statement_properties apply (options.sql).
-#}
{% materialization table, adapter='confluent' %}
  {%- set target_relation = this.incorporate(type='table') -%}
  {#- the config is checked before anything is sent -#}
  {%- do confluent_start_mode(false) -%}
  {%- set props = confluent_statement_properties() -%}
  {%- set pool = confluent_compute_pool() -%}
  {%- set main_sql = confluent_ctas_head(target_relation) ~ '\n' ~ sql -%}
  {%- set existing = adapter.get_relation(database=this.database, schema=this.schema, identifier=this.identifier) -%}
  {%- set intermediate = make_intermediate_relation(target_relation) -%}
  {{ drop_relation_if_exists(intermediate) }}
  {{ run_hooks(pre_hooks) }}
  {%- do adapter.run_statement(confluent_ctas_head(intermediate) ~ '\n' ~ sql, props, pool) -%}
  {{ adapter.drop_relation(intermediate) }}
  {% if existing is not none %}{{ adapter.drop_relation(existing) }}{% endif %}
  {%- do write(main_sql) -%}
  {%- do adapter.run_statement(main_sql, props, pool) -%}
  {{ run_hooks(post_hooks) }}
  {{ return({'relations': [target_relation], 'message': 'COMPLETED'}) }}
{% endmaterialization %}

{#-
  streaming_table on Confluent Cloud: CREATE TABLE ... AS SELECT as a long-running statement
  (the table is the Kafka topic it writes), named deterministically after the project, the model
  and the hash of its definition (the CTAS and the compiled SQL of every view and ephemeral model
  it reads, transitively), so a run finds what it deployed:
    - a healthy statement (PENDING, RUNNING, DEGRADED, STOPPING, DELETING) of the same hash is left
      alone;
    - one that ended (COMPLETED, STOPPED, FAILED) or is missing is submitted again (after its name
      and table are freed);
    - a changed definition fails with a diff, unless --full-refresh (delete the statement, drop the
      table, start again).
-#}
{% macro confluent_statement_base(node=none) -%}
  {%- set n = node if node is not none else model -%}
  {%- set prefix = target.get('statement_name_prefix', 'dbt-') -%}
  {%- set raw = (prefix ~ n.package_name ~ '-' ~ n.name) | lower -%}
  {%- if node is none and config.get('statement_name') -%}
    {%- set raw = config.get('statement_name') | string | lower -%}
  {%- endif -%}
  {%- set ns = namespace(out='', changed=false) -%}
  {%- for ch in raw -%}
    {%- if ch in 'abcdefghijklmnopqrstuvwxyz0123456789-' -%}{%- set ns.out = ns.out ~ ch -%}
    {%- else -%}{%- set ns.out = ns.out ~ '-' -%}{%- set ns.changed = true -%}{%- endif -%}
  {%- endfor -%}
  {%- set base = ns.out.lstrip('-') -%}
  {%- if ns.changed or base | length > 80 -%}
    {%- set base = base[:73].rstrip('-') ~ '-' ~ local_md5(raw)[:6] -%}
  {%- endif -%}
  {{ return(base) }}
{%- endmacro %}

{% macro confluent_statement_definition() -%}
  {%- set kind = config.get('materialized') -%}
  {%- if kind == 'materialized_table' -%}{{ return(confluent_mt_definition()) }}{%- endif -%}
  {%- if kind == 'streaming_source' -%}{{ return(confluent_source_definition()) }}{%- endif -%}
  {%- set target_relation = this.incorporate(type='table') -%}
  {#- the key first: CREATE TABLE t (PRIMARY KEY ...) [DISTRIBUTED BY ...] [WITH (...)] AS -#}
  {%- set job_sql = confluent_ctas_head(target_relation, confluent_ctas_key()) ~ '\n' ~ sql -%}
  {{ return(confluent_job_definition(job_sql)) }}
{%- endmacro %}

{% materialization streaming_table, adapter='confluent' %}
  {%- set target_relation = this.incorporate(type='table') -%}
  {%- do confluent_start_mode(false) -%}
  {%- set props = confluent_statement_properties() -%}
  {%- set pool = confluent_compute_pool() -%}
  {%- set def = confluent_statement_definition() -%}
  {%- set base = confluent_statement_base() -%}
  {%- set name = base ~ '-' ~ def.hash -%}
  {%- set ns = namespace(live=none, dead=[]) -%}
  {%- for st in adapter.list_statements() -%}
    {%- if st.name.startswith(base ~ '-') and st.name[base | length + 1:] | length == 8 -%}
      {%- if st.phase in ['PENDING', 'RUNNING', 'DEGRADED', 'STOPPING', 'DELETING'] and ns.live is none -%}
        {%- set ns.live = st -%}
      {%- else -%}
        {%- do ns.dead.append(st) -%}
      {%- endif -%}
    {%- endif -%}
  {%- endfor -%}
  {%- set live = ns.live -%}
  {%- set previous = adapter.get_deployment(model.unique_id) -%}
  {{ run_hooks(pre_hooks) }}
  {%- if live is not none and live.name == name and not flags.FULL_REFRESH -%}
    {{ run_hooks(post_hooks) }}
    {{ return({'relations': [target_relation], 'message': live.phase ~ ' ' ~ live.name}) }}
  {%- endif -%}
  {%- if live is not none and not flags.FULL_REFRESH -%}
    {%- set known = previous is not none and previous.get('statement') == live.name -%}
    {%- set changed = flink_changed_upstream(previous.get('upstream') if known else none, def.upstream) -%}
    {%- do exceptions.raise_database_error(
          "the definition of streaming_table " ~ this ~ " changed since its running statement " ~ live.name
          ~ " was deployed (hash " ~ live.name[base | length + 1:] ~ " -> " ~ def.hash ~ ")"
          ~ ("; what it reads changed: " ~ changed | join(', ') if changed else '')
          ~ (":\n" ~ adapter.diff_text(previous.definition, def.definition) if known
             else "; target/deployments.json has no record of the deployed definition, so what changed cannot be shown")
          ~ "\nrun with --full-refresh to delete the statement, drop the table and start again from scratch") -%}
  {%- endif -%}
  {#- make way: the old statements (which free their names), then the table -#}
  {%- set note = '' -%}
  {%- if live is not none -%}
    {%- do adapter.delete_statement(live.name) -%}
    {%- set note = ' (full refresh: deleted ' ~ live.name ~ ')' -%}
  {%- elif ns.dead -%}
    {%- set note = ' (resubmitted: ' ~ ns.dead[0].name ~ ' was ' ~ ns.dead[0].phase ~ ')' -%}
  {%- endif -%}
  {%- for st in ns.dead -%}{%- do adapter.delete_statement(st.name) -%}{%- endfor -%}
  {%- set existing = adapter.get_relation(database=this.database, schema=this.schema, identifier=this.identifier) -%}
  {% if existing is not none %}{{ adapter.drop_relation(existing) }}{% endif %}
  {%- do write(def.job_sql) -%}
  {%- set st = adapter.submit_statement(name, def.job_sql, model.package_name ~ '.' ~ model.name, props, pool) -%}
  {%- do adapter.set_deployment(model.unique_id, {'statement': name, 'hash': def.hash, 'definition': def.definition,
                                                  'upstream': def.upstream}) -%}
  {{ run_hooks(post_hooks) }}
  {{ return({'relations': [target_relation], 'message': st.phase ~ ' ' ~ name ~ note}) }}
{% endmaterialization %}

{#- confluent_job_staleness(job_hash): for `sluice jobs`, whether a deployed statement (of hash
    job_hash) still runs what the project defines: {stale, hash, what} -#}
{% macro confluent_job_staleness(job_hash) -%}
  {%- set def = confluent_statement_definition() -%}
  {%- if def.hash == job_hash -%}
    {{ return({'stale': false, 'hash': def.hash, 'what': ''}) }}
  {%- endif -%}
  {%- set previous = adapter.get_deployment(model.unique_id) -%}
  {%- set known = previous is not none and previous.get('hash') == job_hash -%}
  {%- set what = flink_changed_upstream((previous.get('upstream') or {}) if known else none, def.upstream) -%}
  {%- if known and not what -%}{%- do what.append('its SQL') -%}{%- endif -%}
  {{ return({'stale': true, 'hash': def.hash, 'what': what | join(', ')}) }}
{%- endmacro %}
