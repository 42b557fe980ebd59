{#-
  streaming_table: a sink table (CREATE TABLE ... WITH (connector options)) kept current by a
  continuously running job (INSERT INTO ... SELECT, or CREATE TABLE ... AS SELECT with ctas: true).

  Every job is named "<project>.<model> [<hash>]" (pipeline.name), the hash covering everything
  that shapes its plan (flink_job_definition): the compiled SQL, the sink's DDL, the
  execution_config and the compiled SQL of every view and ephemeral model it reads, transitively up
  to the tables (Flink inlines views when it plans the job), so the jobs of a project can be found
  and compared on every run:
    - a healthy job with the same hash is left alone;
    - a job that died (FAILED, CANCELED, FINISHED) is submitted again;
    - a changed definition fails with what changed, unless --full-refresh (stop the job, drop the
      table, start again) or upgrade: savepoint (stop the job with a savepoint, start the new one
      from it, and report the savepoint's path).
  The new definition is created and planned (EXPLAIN) under a temporary name before the old job is
  touched, so a broken model never stops a running one. What was deployed is kept in
  target/deployments.json, to show what changed.
  Config: connector_properties (+ default_connector_properties), primary_key, watermark,
  partition_by, ctas, upgrade (fail | savepoint), execution_config (options of the job alone).
-#}
{% materialization streaming_table, adapter='flink' %}
  {%- do flink_refuse_contract() -%}
  {#- a target whose jobs cannot be listed and stopped (Flink 1.16 without jobmanager_url) fails
      before anything is created or submitted -#}
  {%- set no_jobs = adapter.job_management() -%}
  {%- if no_jobs -%}
    {%- do exceptions.raise_database_error("streaming_table " ~ this ~ " cannot be deployed: " ~ no_jobs) -%}
  {%- endif -%}
  {%- set target_relation = this.incorporate(type='table') -%}
  {%- set use_ctas = config.get('ctas', false) -%}
  {%- set upgrade = config.get('upgrade', 'fail') -%}
  {%- if upgrade not in ['fail', 'savepoint'] -%}
    {%- do exceptions.raise_compiler_error("upgrade of streaming_table " ~ this ~ " must be 'fail' or 'savepoint', not '" ~ upgrade ~ "'") -%}
  {%- endif -%}
  {%- set exec_config = config.get('execution_config') or {} -%}

  {#- the definition and its hash -#}
  {%- set def = flink_job_definition() -%}
  {%- set sink_ddl = def.sink_ddl -%}
  {%- set job_sql = def.job_sql -%}
  {%- set definition = def.definition -%}
  {%- set hash = def.hash -%}
  {%- set pipeline = flink_pipeline_name() -%}
  {%- set job_config = {'pipeline.name': pipeline ~ ' [' ~ hash ~ ']'} -%}
  {%- do job_config.update(exec_config) -%}

  {#- what runs now -#}
  {%- set jobs = flink_jobs_of(pipeline) -%}
  {%- set ns = namespace(live=none) -%}
  {%- for job in jobs -%}
    {%- if ns.live is none and flink_job_is_live(job.status) -%}{%- set ns.live = job -%}{%- endif -%}
  {%- endfor -%}
  {%- set live = ns.live -%}
  {%- set previous = adapter.get_deployment(model.unique_id) -%}
  {%- set existing = adapter.get_relation(database=this.database, schema=this.schema, identifier=this.identifier) -%}

  {{ run_hooks(pre_hooks) }}

  {%- if live is not none and live.hash == hash and not flags.FULL_REFRESH -%}
    {#- unchanged and healthy: left alone; a session that lacks the sink table gets it declared -#}
    {%- if existing is none -%}
      {% call statement('main') -%}{{ sink_ddl }}{%- endcall %}
    {%- endif -%}
    {%- if previous is none or previous.get('job_id') != live.job_id -%}
      {%- do adapter.set_deployment(model.unique_id, {'hash': hash, 'job_id': live.job_id, 'job_name': live.name,
                                                      'definition': definition, 'sink_ddl': sink_ddl,
                                                      'upstream': def.upstream}) -%}
    {%- endif -%}
    {{ run_hooks(post_hooks) }}
    {{ return({'relations': [target_relation], 'message': 'RUNNING ' ~ live.job_id}) }}
  {%- endif -%}

  {%- if live is not none and not flags.FULL_REFRESH and upgrade != 'savepoint' -%}
    {%- set known = previous is not none and previous.get('hash') == live.hash -%}
    {%- set changed = flink_changed_upstream(previous.get('upstream') if known else none, def.upstream) -%}
    {%- do exceptions.raise_database_error(
          "the definition of streaming_table " ~ this ~ " changed since its running job " ~ live.job_id
          ~ " was deployed (hash " ~ (live.hash or 'none') ~ " -> " ~ hash ~ ")"
          ~ ("; what it reads changed: " ~ changed | join(', ') if changed else '')
          ~ (":\n" ~ adapter.diff_text(previous.definition, definition) if known
             else "; target/deployments.json has no record of the deployed definition, so what changed cannot be shown")
          ~ "\nrun with --full-refresh to stop the job, drop the table and start again from scratch, or set"
          ~ " upgrade: savepoint to stop the job with a savepoint and start the new one from it") -%}
  {%- endif -%}

  {#- the new definition, built and planned under a temporary name first -#}
  {%- set intermediate = make_intermediate_relation(target_relation) -%}
  {{ drop_relation_if_exists(intermediate) }}
  {% call statement('create_intermediate') -%}
    {{ flink_sink_ddl(intermediate, model, config, sql) }}
  {%- endcall %}
  {%- do flink_validate('INSERT INTO ' ~ intermediate ~ '\n' ~ sql) -%}
  {{ adapter.drop_relation(intermediate) }}

  {#- the running job makes way -#}
  {%- set ns2 = namespace(note='', restore_from=none) -%}
  {%- if live is not none and flags.FULL_REFRESH -%}
    {%- do adapter.stop_job(live.job_id) -%}
    {%- set ns2.note = ' (full refresh: stopped ' ~ live.job_id ~ ')' -%}
  {%- elif live is not none -%}
    {%- set ns2.restore_from = adapter.stop_job(live.job_id, savepoint=true) -%}
    {%- if not ns2.restore_from -%}
      {%- do exceptions.raise_database_error("Flink stopped job " ~ live.job_id ~ " of " ~ this ~ " but returned no savepoint path") -%}
    {%- endif -%}
    {%- set ns2.note = ' from savepoint ' ~ ns2.restore_from ~ ' of ' ~ live.job_id -%}
  {%- elif jobs -%}
    {%- set ns2.note = ' (resubmitted: ' ~ jobs[0].job_id ~ ' was ' ~ jobs[0].status ~ ')' -%}
    {#- a job stopped with a savepoint (sluice jobs stop --savepoint) resumes from it -#}
    {%- if previous is not none and previous.get('hash') == hash and previous.get('stopped_savepoint')
          and previous.get('job_id') == jobs[0].job_id -%}
      {%- set ns2.restore_from = previous.stopped_savepoint -%}
      {%- set ns2.note = ' from savepoint ' ~ ns2.restore_from ~ ' of ' ~ jobs[0].job_id -%}
    {%- endif -%}
  {%- endif -%}

  {#- the sink table: replaced when its definition changed, on a full refresh, or for CTAS -#}
  {%- if existing is not none and (use_ctas or flags.FULL_REFRESH or previous is none
                                   or previous.get('sink_ddl') != sink_ddl) -%}
    {{ adapter.drop_relation(existing) }}
    {%- set existing = none -%}
  {%- endif -%}
  {%- if existing is none and not use_ctas -%}
    {% call statement('create_sink') -%}{{ sink_ddl }}{%- endcall %}
  {%- endif -%}

  {%- if ns2.restore_from -%}
    {%- do job_config.update({'execution.savepoint.path': ns2.restore_from,
                              'execution.state-recovery.path': ns2.restore_from}) -%}
  {%- endif -%}
  {%- do write(job_sql) -%}
  {%- set job_id = adapter.submit(job_sql, job_config) -%}
  {%- if not job_id -%}
    {%- do exceptions.raise_database_error("Flink returned no job id for " ~ this) -%}
  {%- endif -%}
  {%- do adapter.set_deployment(model.unique_id, {'hash': hash, 'job_id': job_id, 'job_name': job_config['pipeline.name'],
                                                  'definition': definition, 'sink_ddl': sink_ddl,
                                                  'upstream': def.upstream, 'restored_from': ns2.restore_from}) -%}
  {{ run_hooks(post_hooks) }}
  {{ return({'relations': [target_relation], 'message': 'JOB ' ~ job_id ~ ns2.note}) }}
{% endmaterialization %}

{#-
  flink_job_definition(): what a streaming_table's job is, in the node's context: {definition,
  hash, sink_ddl, job_sql, upstream}. The definition is the sink's DDL, the job's statement, the
  execution_config and the compiled SQL of each view and ephemeral model the job reads
  (upstream_definitions(), transitively up to the tables); upstream maps each of those models to
  the hash of its SQL, so that a change can be traced to the model that changed. `sluice jobs`
  calls it to tell which running jobs are stale.
-#}
{% macro flink_job_definition() -%}
  {%- set target_relation = this.incorporate(type='table') -%}
  {%- set exec_config = config.get('execution_config') or {} -%}
  {%- set sink_ddl = flink_sink_ddl(target_relation, model, config, sql) -%}
  {%- set job_sql = flink_sink_ddl(target_relation, model, config, sql, as_query=sql) if config.get('ctas', false)
                    else 'INSERT INTO ' ~ target_relation ~ '\n' ~ sql -%}
  {%- set parts = [sink_ddl ~ ';\n\n' ~ job_sql ~ ';\n\n-- execution_config: ' ~ tojson(exec_config, sort_keys=true)] -%}
  {%- set d = flink_upstream_definition(parts) -%}
  {#- a job that reads no view keeps the hash it had before views counted -#}
  {{ return({'definition': d.definition, 'hash': local_md5(d.definition)[:16], 'sink_ddl': sink_ddl,
             'job_sql': job_sql, 'upstream': d.upstream}) }}
{%- endmacro %}

{#- flink_upstream_definition(parts): a job's definition text, its own parts followed by the
    compiled SQL of each view and ephemeral model it reads (upstream_definitions()), joined by
    blank lines: {definition, upstream}, upstream mapping each of those models to the hash of its
    SQL. Deployed statement names carry the hash of this text: it must not change. -#}
{% macro flink_upstream_definition(parts) -%}
  {%- set parts = parts | list -%}
  {%- set upstream = {} -%}
  {%- for u in upstream_definitions() -%}
    {%- do parts.append('-- reads ' ~ u.materialized ~ ' model ' ~ u.name ~ ':\n' ~ u.sql ~ ';') -%}
    {%- do upstream.update({u.name: local_md5(u.materialized ~ '\n' ~ u.sql)[:16]}) -%}
  {%- endfor -%}
  {%- set definition = parts | join('\n\n') -%}
  {{ return({'definition': definition, 'upstream': upstream}) }}
{%- endmacro %}

{#- The upstream models whose definitions differ between two upstream maps (name -> hash), or the
    names of all of new when old is unknown -#}
{% macro flink_changed_upstream(old, new) -%}
  {%- set out = [] -%}
  {%- if old is none -%}{{ return(out) }}{%- endif -%}
  {%- for name, h in new.items() -%}
    {%- if name not in old -%}{%- do out.append('now reads ' ~ name) -%}
    {%- elif old[name] != h -%}{%- do out.append('model ' ~ name) -%}{%- endif -%}
  {%- endfor -%}
  {%- for name in old -%}
    {%- if name not in new -%}{%- do out.append('no longer reads ' ~ name) -%}{%- endif -%}
  {%- endfor -%}
  {{ return(out) }}
{%- endmacro %}

{#- flink_job_staleness(job_hash): whether a deployed job (of hash job_hash) still runs what the
    project defines: {stale, hash, what}, what naming the change when target/deployments.json
    knows the deployed definition (the upstream models that changed, the sink, or the model's
    own SQL and execution_config) -#}
{% macro flink_job_staleness(job_hash) -%}
  {%- if config.get('materialized') == 'materialized_table' -%}
    {{ return(flink_mt_staleness()) }}
  {%- endif -%}
  {%- set def = flink_job_definition() -%}
  {%- if def.hash == job_hash -%}
    {{ return({'stale': false, 'hash': def.hash, 'what': ''}) }}
  {%- endif -%}
  {%- set previous = adapter.get_deployment(model.unique_id) -%}
  {%- set known = previous is not none and previous.get('hash') == job_hash -%}
  {%- set what = flink_changed_upstream((previous.get('upstream') or {}) if known else none, def.upstream) -%}
  {%- if known and previous.get('sink_ddl') != def.sink_ddl -%}{%- do what.append('the sink') -%}{%- endif -%}
  {%- if known and not what -%}{%- do what.append('its SQL or execution_config') -%}{%- endif -%}
  {{ return({'stale': true, 'hash': def.hash, 'what': what | join(', ')}) }}
{%- endmacro %}

{#- flink_mt_staleness(): the same for a materialized table, whose deployed hash only
    target/deployments.json knows ({stale, hash, deployed, what}) -#}
{% macro flink_mt_staleness() -%}
  {%- set def = flink_mt_definition() -%}
  {%- set previous = adapter.get_deployment(model.unique_id) -%}
  {%- if previous is none or previous.get('kind') != 'materialized_table' -%}
    {{ return({'stale': true, 'hash': def.hash, 'deployed': '', 'what': 'target/deployments.json has no record of it'}) }}
  {%- endif -%}
  {%- if previous.hash == def.hash -%}
    {{ return({'stale': false, 'hash': def.hash, 'deployed': previous.hash, 'what': ''}) }}
  {%- endif -%}
  {%- set what = flink_changed_upstream(previous.get('upstream') or {}, def.upstream) -%}
  {%- if not what -%}{%- do what.append('its SQL or config') -%}{%- endif -%}
  {{ return({'stale': true, 'hash': def.hash, 'deployed': previous.hash, 'what': what | join(', ')}) }}
{%- endmacro %}
