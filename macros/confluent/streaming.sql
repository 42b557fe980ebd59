{#-
  streaming_source and materialized_table on Confluent Cloud, with the lifecycle of its
  streaming_table (materializations.sql): each statement is named <base>-<hash of its definition>
  (confluent_statement_base), so a run finds what an earlier one deployed, and a changed definition
  fails with a diff unless --full-refresh. target/deployments.json keeps each deployed definition.

  streaming_source  a connector table, as dbt-confluent makes it: the model's SQL is the column
                    list (or, when it is empty, the columns of the properties file with their
                    data_type, watermark and primary_key configs), config connector names the
                    connector ('confluent' is a Kafka topic of the environment), with adds options:
                      CREATE TABLE t (<columns>) [DISTRIBUTED BY ...] WITH ('connector' = .., ..)
                    It is DDL: its statement completes. An unchanged table is left alone; a table
                    that went missing is created again; a changed definition with the table there
                    is refused (a new definition drops the topic and its records: --full-refresh).
  materialized_table  CREATE OR ALTER MATERIALIZED TABLE t [DISTRIBUTED BY ...] [WITH (...)]
                    [START_MODE = ...] AS <query>: Confluent keeps the table current with that
                    statement itself, which runs as long as the table is maintained. Confluent has
                    no FRESHNESS, REFRESH_MODE or PARTITIONED BY (open-source Flink's materialized
                    tables): freshness, freshness_interval, refresh_mode and partition_by are
                    refused. The definition includes what the query reads through views and
                    ephemeral models, as for streaming_table:
                      - a healthy statement of the same hash is left alone;
                      - a dead or missing one is submitted again (CREATE OR ALTER takes the table
                        over; its rows stay);
                      - a changed definition fails with the diff unless --full-refresh (delete the
                        statement, DROP MATERIALIZED TABLE, create it again).
-#}

{#- The statements of this model: [{name, phase, ...}] named <base>-<8 hex>, newest name first -#}
{% macro confluent_model_statements(base) -%}
  {%- set out = [] -%}
  {%- for st in adapter.list_statements() -%}
    {%- if st.name.startswith(base ~ '-') and st.name[base | length + 1:] | length == 8 -%}
      {%- do out.append(st) -%}
    {%- endif -%}
  {%- endfor -%}
  {{ return(out) }}
{%- endmacro %}

{% macro confluent_statement_live(st) -%}
  {{ return(st.phase in ['PENDING', 'RUNNING', 'DEGRADED', 'STOPPING', 'DELETING']) }}
{%- endmacro %}

{#- confluent_job_definition(job_sql): {definition, hash, job_sql, upstream} of a statement that runs
    job_sql: the statement, its properties and what it reads (flink_upstream_definition) -#}
{% macro confluent_job_definition(job_sql) -%}
  {%- set parts = [job_sql ~ ';'] -%}
  {%- set props_text = confluent_properties_text(confluent_statement_properties()) -%}
  {%- if props_text -%}{%- do parts.append(props_text) -%}{%- endif -%}
  {%- set d = flink_upstream_definition(parts) -%}
  {{ return({'definition': d.definition, 'hash': local_md5(d.definition)[:8], 'job_sql': job_sql, 'upstream': d.upstream}) }}
{%- endmacro %}

{#- streaming_source: {definition, hash, job_sql, upstream} -#}
{% macro confluent_source_definition() -%}
  {%- set relation = this.incorporate(type='table') -%}
  {%- set options = confluent_with_options() -%}
  {%- set connector = config.get('connector') or options.get('connector') -%}
  {%- if not connector -%}
    {%- do confluent_fail("a streaming_source needs config connector: 'confluent' for a Kafka topic of the environment, or the connector of a generated or external source (its options go in config with)") -%}
  {%- endif -%}
  {%- set first = {'connector': connector | string} -%}
  {%- do options.pop('connector', none) -%}
  {%- do first.update(options) -%}
  {%- set body = sql | trim -%}
  {%- if not body -%}
    {%- set columns = flink_declared_columns(model, relation) -%}
    {%- if not columns -%}
      {%- do confluent_fail("a streaming_source's SQL is its column list, e.g. `order_id BIGINT, amount DECIMAL(10, 2)`; this one has none, and its properties file declares no columns with a data_type") -%}
    {%- endif -%}
    {%- set parts = [] -%}
    {%- for c in columns -%}{%- do parts.append(flink_column_definition(c)) -%}{%- endfor -%}
    {%- set wm = flink_watermark(config, relation) -%}
    {%- if wm -%}{%- do parts.append('WATERMARK FOR ' ~ adapter.quote(wm.column) ~ ' AS ' ~ wm.strategy) -%}{%- endif -%}
    {%- set keys = flink_as_list(config.get('primary_key')) -%}
    {%- if keys -%}
      {%- set quoted = [] -%}{%- for k in keys -%}{%- do quoted.append(adapter.quote(k)) -%}{%- endfor -%}
      {%- do parts.append('PRIMARY KEY (' ~ quoted | join(', ') ~ ') NOT ENFORCED') -%}
    {%- endif -%}
    {%- set body = parts | join(',\n  ') -%}
  {%- endif -%}
  {%- set ddl = ['CREATE TABLE ' ~ relation ~ ' (\n  ' ~ body ~ '\n)'] -%}
  {%- set dist = confluent_distributed_by() -%}
  {%- if dist -%}{%- do ddl.append(dist) -%}{%- endif -%}
  {%- do ddl.append(confluent_with_clause(first)) -%}
  {%- set job_sql = ddl | join('\n') -%}
  {%- set parts = [job_sql ~ ';'] -%}
  {%- set props_text = confluent_properties_text(confluent_statement_properties()) -%}
  {%- if props_text -%}{%- do parts.append(props_text) -%}{%- endif -%}
  {%- set definition = parts | join('\n\n') -%}
  {{ return({'definition': definition, 'hash': local_md5(definition)[:8], 'job_sql': job_sql, 'upstream': {}}) }}
{%- endmacro %}

{#- materialized_table: {definition, hash, job_sql, upstream} -#}
{% macro confluent_mt_definition() -%}
  {%- set relation = this.incorporate(type='table') -%}
  {%- for key in ['freshness', 'freshness_interval', 'refresh_mode', 'partition_by'] -%}
    {%- if config.get(key) is not none -%}
      {%- do confluent_fail("config " ~ key ~ " is not supported by materialized_table on Confluent Cloud, whose materialized tables have no FRESHNESS, REFRESH_MODE or PARTITIONED BY (they are kept current continuously): remove it; the options are distributed_by, with, start_mode and statement_properties") -%}
    {%- endif -%}
  {%- endfor -%}
  {%- set head = ['CREATE OR ALTER MATERIALIZED TABLE ' ~ relation] -%}
  {%- set dist = confluent_distributed_by() -%}
  {%- if dist -%}{%- do head.append(dist) -%}{%- endif -%}
  {%- set w = confluent_with_clause(confluent_with_options()) -%}
  {%- if w -%}{%- do head.append(w) -%}{%- endif -%}
  {%- set mode = confluent_start_mode(true) -%}
  {%- if mode -%}{%- do head.append('START_MODE = ' ~ mode) -%}{%- endif -%}
  {%- do head.append('AS') -%}
  {%- set job_sql = head | join('\n') ~ '\n' ~ sql -%}
  {{ return(confluent_job_definition(job_sql)) }}
{%- endmacro %}

{#- The error of a changed definition: what was deployed (old_name), the diff when known -#}
{% macro confluent_changed_error(kind, old_name, old_hash, previous, def, advice) -%}
  {%- set known = previous is not none and previous.get('hash') == old_hash and previous.get('definition') -%}
  {%- set changed = flink_changed_upstream(previous.get('upstream') if known else none, def.upstream) -%}
  {%- do exceptions.raise_database_error(
        "the definition of " ~ kind ~ " " ~ this ~ " (" ~ model.original_file_path ~ ") changed since statement " ~ old_name
        ~ " deployed it (hash " ~ old_hash ~ " -> " ~ def.hash ~ ")"
        ~ ("; what it reads changed: " ~ changed | join(', ') if changed else '')
        ~ (":\n" ~ adapter.diff_text(previous.definition, def.definition) if known
           else "; target/deployments.json has no record of the deployed definition, so what changed cannot be shown")
        ~ "\nrun with --full-refresh to " ~ advice) -%}
{%- endmacro %}

{% materialization streaming_source, adapter='confluent' %}
  {%- do flink_refuse_contract() -%}
  {%- do confluent_start_mode(false) -%}
  {%- set target_relation = this.incorporate(type='table') -%}
  {%- set props = confluent_statement_properties() -%}
  {%- set pool = confluent_compute_pool() -%}
  {%- set def = confluent_source_definition() -%}
  {%- set base = confluent_statement_base() -%}
  {%- set name = base ~ '-' ~ def.hash -%}
  {%- set ours = confluent_model_statements(base) -%}
  {%- set existing = adapter.get_relation(database=this.database, schema=this.schema, identifier=this.identifier) -%}
  {%- set previous = adapter.get_deployment(model.unique_id) -%}
  {%- set ns = namespace(same=false, other=none) -%}
  {%- for st in ours -%}
    {%- if st.name == name and st.phase != 'FAILED' -%}{%- set ns.same = true -%}
    {%- elif st.name != name and ns.other is none -%}{%- set ns.other = st.name -%}{%- endif -%}
  {%- endfor -%}
  {%- if previous is not none and previous.get('hash') == def.hash -%}{%- set ns.same = true -%}{%- endif -%}
  {{ run_hooks(pre_hooks) }}
  {%- if existing is not none and not flags.FULL_REFRESH -%}
    {%- if ns.same -%}
      {{ run_hooks(post_hooks) }}
      {{ return({'relations': [target_relation], 'message': 'UNCHANGED ' ~ name}) }}
    {%- endif -%}
    {%- set old = ns.other or (previous.get('statement') if previous is not none else none) -%}
    {%- if old is none -%}
      {%- do exceptions.raise_database_error("streaming_source " ~ this ~ " (" ~ model.original_file_path ~ ") exists, but no statement of this project created it (none is named " ~ base ~ "-<hash>) and target/deployments.json has no record of it, so whether it matches the model cannot be told; run with --full-refresh to drop it (its topic and records go with it) and create it from the model") -%}
    {%- endif -%}
    {%- do confluent_changed_error('streaming_source', old, old[base | length + 1:], previous, def,
                                   "drop the table (its topic and records go with it) and create it again") -%}
  {%- endif -%}
  {%- set note = '' -%}
  {%- if existing is none and ours -%}{%- set note = ' (created again: the table was missing)' -%}{%- endif -%}
  {%- if existing is not none -%}{%- set note = ' (full refresh)' -%}{%- endif -%}
  {%- for st in ours -%}{%- do adapter.delete_statement(st.name) -%}{%- endfor -%}
  {% if existing is not none %}{{ adapter.drop_relation(existing) }}{% endif %}
  {%- do write(def.job_sql) -%}
  {%- set st = adapter.submit_statement(name, def.job_sql, model.package_name ~ '.' ~ model.name, props, pool) -%}
  {%- do adapter.set_deployment(model.unique_id, {'kind': 'streaming_source', 'statement': name, 'hash': def.hash,
                                                  'definition': def.definition, 'upstream': {}}) -%}
  {{ run_hooks(post_hooks) }}
  {{ return({'relations': [target_relation], 'message': st.phase ~ ' ' ~ name ~ note}) }}
{% endmaterialization %}

{% materialization materialized_table, adapter='confluent' %}
  {%- do flink_refuse_contract() -%}
  {%- set target_relation = this.incorporate(type='table') -%}
  {%- set props = confluent_statement_properties() -%}
  {%- set pool = confluent_compute_pool() -%}
  {%- set def = confluent_mt_definition() -%}
  {%- set base = confluent_statement_base() -%}
  {%- set name = base ~ '-' ~ def.hash -%}
  {%- set ours = confluent_model_statements(base) -%}
  {%- set ns = namespace(live=none, other=none) -%}
  {%- for st in ours -%}
    {%- if confluent_statement_live(st) and ns.live is none -%}{%- set ns.live = st -%}{%- endif -%}
    {%- if st.name != name and ns.other is none -%}{%- set ns.other = st.name -%}{%- endif -%}
  {%- endfor -%}
  {%- set live = ns.live -%}
  {%- set existing = adapter.get_relation(database=this.database, schema=this.schema, identifier=this.identifier) -%}
  {%- set previous = adapter.get_deployment(model.unique_id) -%}
  {{ run_hooks(pre_hooks) }}
  {%- if live is not none and live.name == name and not flags.FULL_REFRESH -%}
    {{ run_hooks(post_hooks) }}
    {{ return({'relations': [target_relation], 'message': live.phase ~ ' ' ~ live.name}) }}
  {%- endif -%}
  {%- if not flags.FULL_REFRESH -%}
    {#- what runs, else what last ran, else what the record says was deployed -#}
    {%- set old = live.name if live is not none else ns.other -%}
    {%- if old is none and existing is not none and previous is not none and previous.get('hash') != def.hash -%}
      {%- set old = previous.get('statement') -%}
    {%- endif -%}
    {%- if old is not none and old != name and (live is not none or existing is not none) -%}
      {%- do confluent_changed_error('materialized_table', old, old[base | length + 1:], previous, def,
                                     "delete the statement, drop the materialized table and create it again from scratch") -%}
    {%- endif -%}
    {%- if existing is not none and not ours and previous is none -%}
      {%- do exceptions.raise_database_error("materialized_table " ~ this ~ " (" ~ model.original_file_path ~ ") exists, but no statement of this project maintains it (none is named " ~ base ~ "-<hash>) and target/deployments.json has no record of it; run with --full-refresh to drop it and create it from the model") -%}
    {%- endif -%}
  {%- endif -%}
  {%- set note = '' -%}
  {%- if live is not none -%}
    {%- set note = ' (full refresh: deleted ' ~ live.name ~ ')' -%}
  {%- elif ours -%}
    {%- set note = ' (resubmitted: ' ~ ours[0].name ~ ' was ' ~ ours[0].phase ~ ')' -%}
  {%- endif -%}
  {%- for st in ours -%}{%- do adapter.delete_statement(st.name) -%}{%- endfor -%}
  {%- if flags.FULL_REFRESH and existing is not none -%}
    {#- DROP TABLE leaves a materialized table in place on Confluent: it needs its own statement -#}
    {%- if previous is not none and previous.get('kind') == 'materialized_table' -%}
      {%- do adapter.run_statement('DROP MATERIALIZED TABLE IF EXISTS ' ~ target_relation, {}, pool) -%}
    {%- else -%}
      {{ adapter.drop_relation(existing) }}
    {%- endif -%}
    {%- if note == '' -%}{%- set note = ' (full refresh)' -%}{%- endif -%}
  {%- endif -%}
  {%- do write(def.job_sql) -%}
  {%- set st = adapter.submit_statement(name, def.job_sql, model.package_name ~ '.' ~ model.name, props, pool) -%}
  {%- do adapter.set_deployment(model.unique_id, {'kind': 'materialized_table', 'statement': name, 'hash': def.hash,
                                                  'definition': def.definition, 'upstream': def.upstream}) -%}
  {{ run_hooks(post_hooks) }}
  {{ return({'relations': [target_relation], 'message': st.phase ~ ' ' ~ name ~ note}) }}
{% endmaterialization %}
