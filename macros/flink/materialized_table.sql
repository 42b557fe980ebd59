{#-
  materialized_table (Flink 1.20 and later): CREATE MATERIALIZED TABLE ... FRESHNESS = INTERVAL ...
  [REFRESH_MODE = CONTINUOUS | FULL] AS <query>. Flink keeps the table current itself: in CONTINUOUS
  mode with a streaming job named Materialized_table_`catalog`.`database`.`table`_continuous_refresh_job
  whose checkpoint interval is the freshness; in FULL mode with a periodic batch refresh scheduled by
  the gateway's workflow scheduler.
  Config:
    freshness     how far the table may lag behind its inputs: '<n> second|minute|hour|day[s]'
                  (or an INTERVAL literal); required before Flink 2.2
    refresh_mode  continuous | full; by default Flink derives it from the freshness (below
                  'materialized-table.refresh-mode.freshness-threshold', 30 minutes: continuous)
    connector_properties (+ default_connector_properties), primary_key, partition_by: as for
                  streaming_table; the columns come from the query
  Its identity is the statement plus the compiled SQL of every view and ephemeral model it reads,
  up to the tables (flink_mt_definition), as for a streaming_table's job:
    - an unchanged definition is left alone (a continuous refresh job that died is resumed);
    - a changed one fails with the diff, unless --full-refresh (DROP MATERIALIZED TABLE, which
      cancels its refresh job, and CREATE again).
  Flink keeps no hash of its own on a materialized table, so what was deployed is kept in
  target/deployments.json; a table that exists without a record there counts as changed.
  `sluice jobs` lists its continuous refresh job; `sluice jobs stop` suspends it (ALTER MATERIALIZED
  TABLE ... SUSPEND, with a savepoint in the profile's savepoint_dir) and `sluice jobs start`
  resumes it from there.
-#}

{% macro flink_version_at_least(major, minor) -%}
  {%- set parts = (adapter.flink_version() or '0.0').split('.') -%}
  {%- set ma = parts[0] | int -%}
  {%- set mi = (parts[1] if parts | length > 1 else '0') | int -%}
  {{ return(ma > major or (ma == major and mi >= minor)) }}
{%- endmacro %}

{#- Flink's name of a materialized table's continuous refresh job (MaterializedTableManager) -#}
{% macro flink_mt_job_name(relation) -%}
  {{ return('Materialized_table_`' ~ relation.database ~ '`.`' ~ relation.schema ~ '`.`' ~ relation.identifier ~ '`_continuous_refresh_job') }}
{%- endmacro %}

{#- The FRESHNESS interval of the freshness config, checked as Flink checks it, so that a wrong one
    fails before an old table is dropped: INTERVAL '<n>' SECOND|MINUTE|HOUR|DAY, n a positive
    integer; in FULL mode it must become a cron schedule (IntervalFreshness.convertFreshnessToCron) -#}
{% macro flink_mt_freshness(relation, freshness, refresh_mode) -%}
  {%- set text = (freshness | string).strip() -%}
  {%- set m = modules.re.match("^(?:INTERVAL\\s+'(-?\\d+)'\\s+|(-?\\d+)\\s*)(SECOND|MINUTE|HOUR|DAY)S?$", text, modules.re.IGNORECASE) -%}
  {%- if not m -%}
    {%- do exceptions.raise_compiler_error("freshness of materialized_table " ~ relation ~ " must be '<n> second|minute|hour|day' (e.g. '1 minute') or INTERVAL '<n>' SECOND|MINUTE|HOUR|DAY, not '" ~ text ~ "'") -%}
  {%- endif -%}
  {%- set n = (m.group(1) or m.group(2)) | int -%}
  {%- set unit = m.group(3) | upper -%}
  {%- if n <= 0 -%}
    {%- do exceptions.raise_compiler_error("freshness of materialized_table " ~ relation ~ " must be a positive number of " ~ unit | lower ~ "s, not " ~ n) -%}
  {%- endif -%}
  {%- set ms = n * {'SECOND': 1000, 'MINUTE': 60000, 'HOUR': 3600000, 'DAY': 86400000}[unit] -%}
  {%- set full = refresh_mode == 'full' or (refresh_mode is none and ms >= 1800000) -%}
  {%- if full -%}
    {%- set cap = 24 if unit == 'HOUR' else 60 -%}
    {%- if (unit == 'DAY' and n != 1) or (unit != 'DAY' and (n >= cap or cap % n != 0)) -%}
      {%- do exceptions.raise_compiler_error("freshness of materialized_table " ~ relation ~ " is " ~ n ~ " " ~ unit | lower
            ~ "(s), which a FULL refresh cannot schedule: Flink turns it into a cron schedule, so it must be "
            ~ ("1 day" if unit == 'DAY' else "a divisor of " ~ cap ~ " " ~ unit | lower ~ "s below " ~ cap)) -%}
    {%- endif -%}
  {%- endif -%}
  {{ return("INTERVAL '" ~ n ~ "' " ~ unit) }}
{%- endmacro %}

{#- CREATE MATERIALIZED TABLE of the node in context -#}
{% macro flink_mt_ddl(relation) -%}
  {{ return(adapter.dispatch('flink_mt_ddl', 'dbt')(relation)) }}
{%- endmacro %}

{% macro default__flink_mt_ddl(relation) -%}
  {%- set mode = config.get('refresh_mode') -%}
  {%- set mode = (mode | lower) if mode is not none else none -%}
  {%- if mode not in [none, 'continuous', 'full'] -%}
    {%- do exceptions.raise_compiler_error("refresh_mode of materialized_table " ~ relation ~ " must be 'continuous' or 'full', not '" ~ mode ~ "'") -%}
  {%- endif -%}
  {%- set freshness = config.get('freshness') -%}
  {%- if freshness is none and not flink_version_at_least(2, 2) -%}
    {%- do exceptions.raise_compiler_error("materialized_table " ~ relation ~ " needs a freshness (e.g. freshness: '1 minute'): Flink " ~ adapter.flink_version() ~ " requires FRESHNESS") -%}
  {%- endif -%}
  {%- set options = flink_connector_options(config) -%}
  {%- set pk = flink_as_list(config.get('primary_key')) -%}
  {%- set parts = flink_as_list(config.get('partition_by')) -%}
  {%- set out = ['CREATE MATERIALIZED TABLE ' ~ relation] -%}
  {%- if pk -%}
    {%- set cols = [] -%}{%- for c in pk -%}{%- do cols.append(adapter.quote(c)) -%}{%- endfor -%}
    {%- do out.append('(PRIMARY KEY (' ~ cols | join(', ') ~ ') NOT ENFORCED)') -%}
  {%- endif -%}
  {%- if model.description -%}{%- do out.append('COMMENT ' ~ flink_sql_string(model.description)) -%}{%- endif -%}
  {%- if parts -%}
    {%- set cols = [] -%}{%- for c in parts -%}{%- do cols.append(adapter.quote(c)) -%}{%- endfor -%}
    {%- do out.append('PARTITIONED BY (' ~ cols | join(', ') ~ ')') -%}
  {%- endif -%}
  {%- if options -%}{%- do out.append(flink_with_clause(options) | trim) -%}{%- endif -%}
  {%- if freshness is not none -%}{%- do out.append('FRESHNESS = ' ~ flink_mt_freshness(relation, freshness, mode)) -%}{%- endif -%}
  {%- if mode -%}{%- do out.append('REFRESH_MODE = ' ~ mode | upper) -%}{%- endif -%}
  {%- do out.append('AS\n' ~ sql) -%}
  {{ return(out | join('\n')) }}
{%- endmacro %}

{#- What a materialized table is: {definition, hash, ddl, upstream} (see flink_job_definition) -#}
{% macro flink_mt_definition() -%}
  {%- set ddl = flink_mt_ddl(this.incorporate(type='table')) -%}
  {%- set parts = [ddl ~ ';'] -%}
  {%- set d = flink_upstream_definition(parts) -%}
  {{ return({'definition': d.definition, 'hash': local_md5(d.definition)[:16], 'ddl': ddl, 'upstream': d.upstream}) }}
{%- endmacro %}

{#- The newest live job of that name, or none -#}
{% macro flink_live_job_named(name) -%}
  {%- set ns = namespace(live=none) -%}
  {%- for job in adapter.list_jobs() | sort(attribute='start_time', reverse=true) -%}
    {%- if ns.live is none and job.name == name and flink_job_is_live(job.status) -%}{%- set ns.live = job -%}{%- endif -%}
  {%- endfor -%}
  {{ return(ns.live) }}
{%- endmacro %}

{% materialization materialized_table, adapter='flink' %}
  {#- what cannot work fails before anything is touched -#}
  {%- if not flink_version_at_least(1, 20) -%}
    {%- do exceptions.raise_database_error("materialized_table " ~ this ~ " needs Flink 1.20 or later (CREATE MATERIALIZED TABLE came with 1.20); the SQL Gateway runs Flink " ~ adapter.flink_version() ~ ": materialize it as streaming_table instead") -%}
  {%- endif -%}
  {%- if adapter.session_scoped() -%}
    {%- do exceptions.raise_database_error("materialized_table " ~ this ~ " needs a catalog that keeps its tables (e.g. paimon, hive or jdbc, under catalogs: in profiles.yml): catalog " ~ this.database ~ " forgets its tables when the session ends, while the refresh job would run on") -%}
  {%- endif -%}
  {%- set target_relation = this.incorporate(type='table') -%}
  {%- set def = flink_mt_definition() -%}
  {%- set job_name = flink_mt_job_name(target_relation) -%}
  {%- set previous = adapter.get_deployment(model.unique_id) -%}
  {%- set previous = previous if previous is not none and previous.get('kind') == 'materialized_table' else none -%}
  {%- set existing = adapter.get_relation(database=this.database, schema=this.schema, identifier=this.identifier) -%}

  {{ run_hooks(pre_hooks) }}

  {%- if existing is not none and previous is not none and previous.hash == def.hash and not flags.FULL_REFRESH -%}
    {#- unchanged: left alone; a continuous refresh job that died (not one suspended) is resumed -#}
    {%- set live = flink_live_job_named(job_name) -%}
    {%- set ns = namespace(message='UNCHANGED', job_id=previous.get('job_id')) -%}
    {%- if live is not none -%}
      {%- set ns.message = 'RUNNING ' ~ live.job_id -%}
      {%- set ns.job_id = live.job_id -%}
    {%- elif previous.get('suspended') -%}
      {%- set ns.message = 'SUSPENDED (sluice jobs start resumes it)' -%}
    {%- elif previous.get('refresh_mode') == 'continuous' -%}
      {% call statement('resume') -%}ALTER MATERIALIZED TABLE {{ target_relation }} RESUME{%- endcall %}
      {%- set live = flink_live_job_named(job_name) -%}
      {%- set ns.job_id = live.job_id if live is not none else none -%}
      {%- set ns.message = 'RESUMED ' ~ (ns.job_id or '') -%}
    {%- endif -%}
    {%- if ns.job_id != previous.get('job_id') -%}
      {%- do previous.update({'job_id': ns.job_id}) -%}
      {%- do adapter.set_deployment(model.unique_id, previous) -%}
    {%- endif -%}
    {{ run_hooks(post_hooks) }}
    {{ return({'relations': [target_relation], 'message': ns.message}) }}
  {%- endif -%}

  {%- if existing is not none and not flags.FULL_REFRESH -%}
    {%- set changed = flink_changed_upstream(previous.get('upstream') if previous is not none else none, def.upstream) -%}
    {%- do exceptions.raise_database_error(
          "the definition of materialized_table " ~ this ~ " changed since it was created"
          ~ (" (hash " ~ previous.hash ~ " -> " ~ def.hash ~ ")" if previous is not none else "")
          ~ ("; what it reads changed: " ~ changed | join(', ') if changed else '')
          ~ (":\n" ~ adapter.diff_text(previous.definition, def.definition) if previous is not none
             else ": target/deployments.json has no record of the definition it was created with, so what changed cannot be shown")
          ~ "\nrun with --full-refresh to drop the materialized table (which cancels its refresh job) and create it again") -%}
  {%- endif -%}

  {#- the query is planned before the old table goes -#}
  {%- call statement('validate', auto_begin=false) -%}
    EXPLAIN {{ sql }}
  {%- endcall -%}
  {#- Flink has no statement that drops either kind, and DROP TABLE does not see a materialized
      table: what target/deployments.json says this was decides -#}
  {%- if existing is not none and previous is not none -%}
    {% call statement('drop_materialized_table') -%}DROP MATERIALIZED TABLE IF EXISTS {{ target_relation }}{%- endcall %}
  {%- elif existing is not none -%}
    {{ adapter.drop_relation(existing) }}
  {%- endif -%}
  {% call statement('main') -%}{{ def.ddl }}{%- endcall %}
  {#- a continuous refresh job runs now; a full refresh has none between its scheduled runs -#}
  {%- set live = flink_live_job_named(job_name) -%}
  {%- set job_id = live.job_id if live is not none else none -%}
  {%- do adapter.set_deployment(model.unique_id, {'kind': 'materialized_table', 'hash': def.hash, 'job_id': job_id,
                                                  'job_name': job_name, 'definition': def.definition,
                                                  'upstream': def.upstream,
                                                  'refresh_mode': 'continuous' if job_id else 'full'}) -%}
  {{ run_hooks(post_hooks) }}
  {{ return({'relations': [target_relation], 'message': ('JOB ' ~ job_id if job_id else 'CREATED')
                                                        ~ (' (full refresh)' if flags.FULL_REFRESH and existing is not none else '')}) }}
{% endmaterialization %}
