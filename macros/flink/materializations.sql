{#-
  The materializations of the Flink adapter. Each builds the new definition first and replaces the
  old one only when that worked, so a failing model leaves the previous relation (and job) in place.
    streaming_source  a connector table (Kafka, filesystem, ...) from config and the properties file
    view              CREATE VIEW
    table             a bounded job in batch mode, waited for until it finishes
    streaming_table   a sink table kept current by a continuously running job (streaming_table.sql)
    ephemeral         CTEs, as on every adapter
-#}

{#- Model contracts are not enforced on Flink: its CREATE TABLE AS takes no declared column types
    or constraints, and a streaming job cannot be checked against a contract before it runs -#}
{% macro flink_refuse_contract() -%}
  {%- if (config.get('contract') or {}).get('enforced') -%}
    {%- do exceptions.raise_compiler_error("model " ~ this ~ " has an enforced contract, which the Flink adapter does not support: Flink cannot check a query's columns against a contract nor create a table with its constraints. Set contract: {enforced: false} for this model on Flink targets, and declare the columns of a streaming_source with data_type instead") -%}
  {%- endif -%}
{%- endmacro %}

{% macro flink_require_connector(options, relation, kind) -%}
  {%- if not options.get('connector') -%}
    {%- do exceptions.raise_compiler_error(kind ~ " " ~ relation ~ " needs a connector: set connector_properties (e.g. {connector: kafka, topic: orders, format: json, 'properties.bootstrap.servers': 'broker:9092'}), or default_connector_properties for a whole folder in dbt_project.yml") -%}
  {%- endif -%}
{%- endmacro %}

{#- The DDL of a streaming_source node (also what restore.sql declares) -#}
{% macro flink_source_ddl(relation, node, node_config, temporary=false, if_not_exists=false, bounded=false) -%}
  {%- set options = flink_connector_options(node_config) -%}
  {%- do flink_require_connector(options, relation, 'streaming_source') -%}
  {%- set columns = flink_declared_columns(node, relation) -%}
  {%- if not columns -%}
    {%- do exceptions.raise_compiler_error("streaming_source " ~ relation ~ " has no columns: list them with their data_type under the model (or source table) in a properties file") -%}
  {%- endif -%}
  {{ return(flink_create_table(relation, columns, flink_bounded_options(options, node_config) if bounded else options,
                               flink_watermark(node_config, relation), node_config.get('primary_key'),
                               node.description or none, node_config.get('partition_by'), temporary, if_not_exists)) }}
{%- endmacro %}

{% materialization streaming_source, adapter='flink' %}
  {%- do flink_refuse_contract() -%}
  {%- set target_relation = this.incorporate(type='table') -%}
  {%- set existing = adapter.get_relation(database=this.database, schema=this.schema, identifier=this.identifier) -%}
  {%- set intermediate = make_intermediate_relation(target_relation) -%}
  {{ drop_relation_if_exists(intermediate) }}
  {{ run_hooks(pre_hooks) }}
  {% call statement('main') -%}
    {{ flink_source_ddl(intermediate, model, config) }}
  {%- endcall %}
  {#- the connector and its options are checked when the table is planned -#}
  {%- do flink_validate('SELECT * FROM ' ~ intermediate) -%}
  {% if existing is not none %}{{ adapter.drop_relation(existing) }}{% endif %}
  {{ adapter.rename_relation(intermediate, target_relation) }}
  {{ run_hooks(post_hooks) }}
  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}

{% materialization view, adapter='flink' %}
  {%- do flink_refuse_contract() -%}
  {%- set target_relation = this.incorporate(type='view') -%}
  {%- set existing = adapter.get_relation(database=this.database, schema=this.schema, identifier=this.identifier) -%}
  {%- set intermediate = make_intermediate_relation(target_relation) -%}
  {{ drop_relation_if_exists(intermediate) }}
  {{ run_hooks(pre_hooks) }}
  {% call statement('main') -%}
    {{ get_create_view_as_sql(intermediate, sql) }}
  {%- endcall %}
  {% if existing is not none %}{{ adapter.drop_relation(existing) }}{% endif %}
  {{ adapter.rename_relation(intermediate, target_relation) }}
  {{ run_hooks(post_hooks) }}
  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}

{#- The DDL of a table or streaming_table sink; with CTAS the columns come from the query -#}
{% macro flink_sink_ddl(relation, node, node_config, sql, temporary=false, if_not_exists=false, bounded=false, as_query=none) -%}
  {%- set options = flink_connector_options(node_config) -%}
  {%- do flink_require_connector(options, relation, node_config.get('materialized')) -%}
  {%- set columns = [] if as_query is not none else flink_sink_columns(node, relation, sql) -%}
  {{ return(flink_create_table(relation, columns, flink_bounded_options(options, node_config) if bounded else options,
                               flink_watermark(node_config, relation), node_config.get('primary_key'),
                               node.description or none, node_config.get('partition_by'), temporary, if_not_exists,
                               as_query)) }}
{%- endmacro %}

{#-
  table: a bounded job in batch mode, waited for (table.dml-sync) until it finished. The runner
  gives it a batch session of its own where what it reads is declared bounded (restore.sql), so it
  reads a snapshot of its sources. A filesystem
  table is rewritten with INSERT OVERWRITE, which Flink commits only when the job succeeded, so a
  failed run leaves the previous files; other connectors get a new table that replaces the old one
  after its job finished.
-#}
{% materialization table, adapter='flink' %}
  {%- do flink_refuse_contract() -%}
  {%- set target_relation = this.incorporate(type='table') -%}
  {%- set existing = adapter.get_relation(database=this.database, schema=this.schema, identifier=this.identifier) -%}
  {%- set options = flink_connector_options() -%}
  {%- do flink_require_connector(options, target_relation, 'table') -%}
  {#- Flink reads an updating table (upsert-kafka, CDC) only in streaming mode: over the same
      bounded tables the job still ends -#}
  {%- set job_config = {'execution.runtime-mode': 'streaming' if adapter.reads_changelog() else 'batch',
                        'table.dml-sync': 'true',
                        'pipeline.name': flink_pipeline_name()} -%}
  {%- do job_config.update(config.get('execution_config') or {}) -%}
  {{ run_hooks(pre_hooks) }}
  {%- if options.get('connector') == 'filesystem' -%}
    {%- set ddl = flink_sink_ddl(target_relation, model, config, sql) -%}
    {%- set previous = adapter.get_deployment(model.unique_id) -%}
    {%- if existing is not none and (flags.FULL_REFRESH or previous is none or previous.get('ddl') != ddl) -%}
      {{ adapter.drop_relation(existing) }}
      {%- set existing = none -%}
    {%- endif -%}
    {%- if existing is none -%}
      {% call statement('create_table') -%}{{ ddl }}{%- endcall %}
    {%- endif -%}
    {%- set insert_sql = 'INSERT OVERWRITE ' ~ target_relation ~ '\n' ~ sql -%}
    {%- do write(insert_sql) -%}
    {%- set job_id = adapter.submit(insert_sql, job_config) -%}
  {%- else -%}
    {%- set intermediate = make_intermediate_relation(target_relation) -%}
    {{ drop_relation_if_exists(intermediate) }}
    {%- set ddl = flink_sink_ddl(intermediate, model, config, sql) -%}
    {% call statement('create_table') -%}{{ ddl }}{%- endcall %}
    {%- set insert_sql = 'INSERT INTO ' ~ intermediate ~ '\n' ~ sql -%}
    {%- do write(insert_sql) -%}
    {%- set job_id = adapter.submit(insert_sql, job_config) -%}
    {% if existing is not none %}{{ adapter.drop_relation(existing) }}{% endif %}
    {{ adapter.rename_relation(intermediate, target_relation) }}
  {%- endif -%}
  {%- do adapter.set_deployment(model.unique_id, {'ddl': ddl, 'job_id': job_id}) -%}
  {{ run_hooks(post_hooks) }}
  {{ return({'relations': [target_relation], 'message': 'JOB ' ~ job_id ~ ' FINISHED'}) }}
{% endmaterialization %}

{#- Data tests: the runner gives each a batch session of its own with bounded scans; store_failures
    would need a connector table for the failures, which Flink cannot create on its own -#}
{%- materialization test, adapter='flink' -%}
  {%- if should_store_failures() -%}
    {%- do exceptions.raise_compiler_error("store_failures is not supported on Flink: the failing rows would need a connector table of their own") -%}
  {%- endif -%}
  {% call statement('main', fetch_result=True) -%}
    {{ get_test_sql(sql, config.get('fail_calc', 'count(*)'), config.get('warn_if', '!= 0'),
                    config.get('error_if', '!= 0'), config.get('limit')) }}
  {%- endcall %}
  {{ return({'relations': []}) }}
{%- endmaterialization -%}

{#- What Flink has no use for, said plainly instead of failing on SQL it cannot run -#}
{% materialization incremental, adapter='flink' %}
  {%- do exceptions.raise_compiler_error("model " ~ this ~ " is incremental, which Flink does not need: a streaming_table's job keeps its table current continuously (materialized='streaming_table'), and table rebuilds it with a bounded batch job") -%}
{% endmaterialization %}

{% materialization snapshot, adapter='flink' %}
  {%- do exceptions.raise_compiler_error("snapshot " ~ this ~ " cannot run on Flink: snapshots need updates in place, which Flink's connector tables do not take; build it on a warehouse target") -%}
{% endmaterialization %}

{% materialization seed, adapter='flink' %}
  {%- do exceptions.raise_compiler_error("seed " ~ this ~ " cannot be loaded on Flink: Flink has no table of its own to load a CSV file into; declare the data as a streaming_source (a filesystem table over the CSV file works: connector_properties: {connector: filesystem, path: ..., format: csv})") -%}
{% endmaterialization %}
