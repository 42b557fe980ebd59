{#-
  The DDL of Flink's connector tables, shared by streaming_source, streaming_table and table and by
  the declarations a new session needs (restore.sql). A table is described by:
    - its columns: the node's columns from the properties file, in order, each with data_type and
      an optional column_type: physical (default), metadata (`expression` names the metadata key,
      and `virtual: true` keeps it out of writes) or computed (`expression` is the SQL);
    - config watermark: {column, strategy}, e.g. {column: ts, strategy: "ts - INTERVAL '5' SECOND"};
    - config primary_key: a column or a list (PRIMARY KEY ... NOT ENFORCED);
    - config connector_properties (the WITH options), merged over default_connector_properties,
      which a project sets once for a folder in dbt_project.yml;
    - config partition_by (a column or a list) and the node's description as COMMENT.
  Every macro dispatches, so a project can replace the SQL.
-#}

{#- The WITH options of a node: project-level defaults under the node's own -#}
{% macro flink_connector_options(node_config=none) -%}
  {{ return(adapter.dispatch('flink_connector_options', 'dbt')(node_config)) }}
{%- endmacro %}

{% macro default__flink_connector_options(node_config) -%}
  {%- set cfg = node_config if node_config is not none else config -%}
  {%- set options = {} -%}
  {%- do options.update(cfg.get('default_connector_properties') or {}) -%}
  {%- do options.update(cfg.get('connector_properties') or {}) -%}
  {{ return(options) }}
{%- endmacro %}

{% macro flink_sql_string(text) -%}
  '{{ (text | string).replace("'", "''") }}'
{%- endmacro %}

{#- WITH ('k' = 'v', ...) -#}
{% macro flink_with_clause(options) -%}
  WITH (
  {%- for key in options %}
    {{ flink_sql_string(key) }} = {{ flink_sql_string(options[key] | lower if options[key] is sameas true or options[key] is sameas false else options[key]) }}{{ ',' if not loop.last }}
  {%- endfor %}
  )
{%- endmacro %}

{% macro flink_as_list(value) -%}
  {%- if value is none -%}{{ return([]) }}
  {%- elif value is string -%}{{ return([value]) }}
  {%- else -%}{{ return(value | list) }}
  {%- endif -%}
{%- endmacro %}

{#- One column of a CREATE TABLE -#}
{% macro flink_column_definition(column) -%}
  {%- set kind = (column.get('column_type') or 'physical') | lower -%}
  {%- if kind == 'computed' -%}
    {{ adapter.quote(column.name) }} AS {{ column.expression }}
  {%- elif kind == 'metadata' -%}
    {{ adapter.quote(column.name) }} {{ column.data_type }} METADATA{% if column.get('expression') %} FROM {{ flink_sql_string(column.expression) }}{% endif %}{% if column.get('virtual') %} VIRTUAL{% endif %}
  {%- else -%}
    {{ adapter.quote(column.name) }} {{ column.data_type }}
  {%- endif -%}
  {%- if column.get('description') and kind != 'metadata' %} COMMENT {{ flink_sql_string(column.description) }}{% endif -%}
{%- endmacro %}

{#- The columns of a node that declare a type, and an error naming those that do not -#}
{% macro flink_declared_columns(node, relation) -%}
  {%- set out = [] -%}
  {%- for name, column in (node.columns or {}).items() -%}
    {%- if (column.get('column_type') or 'physical') | lower != 'computed' and not column.get('data_type') -%}
      {%- do exceptions.raise_compiler_error("column '" ~ name ~ "' of " ~ relation ~ " has no data_type: give every column of a Flink connector table its type (e.g. data_type: BIGINT), or mark it column_type: computed with an expression") -%}
    {%- endif -%}
    {%- do out.append(column) -%}
  {%- endfor -%}
  {{ return(out) }}
{%- endmacro %}

{#-
  CREATE [TEMPORARY] TABLE [IF NOT EXISTS] relation (columns, watermark, primary key)
  [COMMENT] [PARTITIONED BY] WITH (options) [AS query].
  `columns` are dicts {name, data_type, column_type, expression, description}.
-#}
{% macro flink_create_table(relation, columns, options, watermark=none, primary_key=none, comment=none,
                            partition_by=none, temporary=false, if_not_exists=false, as_query=none) -%}
  {{ return(adapter.dispatch('flink_create_table', 'dbt')(relation, columns, options, watermark, primary_key, comment,
                                                          partition_by, temporary, if_not_exists, as_query)) }}
{%- endmacro %}

{% macro default__flink_create_table(relation, columns, options, watermark, primary_key, comment, partition_by,
                                     temporary, if_not_exists, as_query) -%}
  {%- set keys = flink_as_list(primary_key) -%}
  {%- set parts = flink_as_list(partition_by) -%}
  {%- set body = [] -%}
  {%- for column in columns -%}{%- do body.append(flink_column_definition(column)) -%}{%- endfor -%}
  {%- if watermark -%}
    {%- do body.append('WATERMARK FOR ' ~ adapter.quote(watermark.column) ~ ' AS ' ~ watermark.strategy) -%}
  {%- endif -%}
  {%- if keys -%}
    {%- set quoted = [] -%}{%- for k in keys -%}{%- do quoted.append(adapter.quote(k)) -%}{%- endfor -%}
    {%- do body.append('PRIMARY KEY (' ~ quoted | join(', ') ~ ') NOT ENFORCED') -%}
  {%- endif -%}
CREATE {{ 'TEMPORARY ' if temporary }}TABLE {{ 'IF NOT EXISTS ' if if_not_exists }}{{ relation }}
{%- if body %} (
  {{ body | join(',\n  ') }}
){% endif %}
{%- if comment %}
COMMENT {{ flink_sql_string(comment) }}{% endif %}
{%- if parts %}
PARTITIONED BY ({% for p in parts %}{{ adapter.quote(p) }}{{ ', ' if not loop.last }}{% endfor %}){% endif %}
{{ flink_with_clause(options) }}
{%- if as_query is not none %}
AS {{ as_query }}{% endif %}
{%- endmacro %}

{#- The watermark config, checked -#}
{% macro flink_watermark(node_config=none, relation=none) -%}
  {%- set cfg = node_config if node_config is not none else config -%}
  {%- set wm = cfg.get('watermark') -%}
  {%- if wm and (wm is not mapping or not wm.get('column') or not wm.get('strategy')) -%}
    {%- do exceptions.raise_compiler_error("the watermark of " ~ relation ~ " must be a mapping {column: <event time column>, strategy: \"<column> - INTERVAL '5' SECOND\"}") -%}
  {%- endif -%}
  {{ return(wm or none) }}
{%- endmacro %}

{#-
  The options a data test reads a table with: its scans must end, so that the test sees a consistent
  snapshot and finishes. Kafka tables are read from the earliest to the latest offset at the start
  of the test; a filesystem table stops watching for new files. A node's test_connector_properties
  are merged last.
-#}
{% macro flink_bounded_options(options, node_config=none) -%}
  {{ return(adapter.dispatch('flink_bounded_options', 'dbt')(options, node_config)) }}
{%- endmacro %}

{% macro default__flink_bounded_options(options, node_config) -%}
  {%- set cfg = node_config if node_config is not none else config -%}
  {%- set out = {} -%}
  {%- do out.update(options) -%}
  {%- set connector = options.get('connector', '') -%}
  {#- Flink 1.16's Kafka connectors have no bounded mode (it came with 1.17): such a table stays
      unbounded, and a test that reads it says so -#}
  {%- set version = (adapter.flink_version() or '2.0').split('.') -%}
  {%- set bounded_kafka = version | length < 2 or version[0] | int > 1 or version[1] | int >= 17 -%}
  {%- if connector in ['kafka', 'upsert-kafka'] and not bounded_kafka -%}
    {%- do out.pop('scan.bounded.mode', none) -%}
  {%- elif connector == 'kafka' -%}
    {%- do out.update({'scan.startup.mode': 'earliest-offset', 'scan.bounded.mode': 'latest-offset'}) -%}
    {%- do out.pop('scan.startup.specific-offsets', none) -%}
    {%- do out.pop('scan.startup.timestamp-millis', none) -%}
  {%- elif connector == 'upsert-kafka' -%}
    {%- do out.update({'scan.bounded.mode': 'latest-offset'}) -%}
  {%- elif connector == 'filesystem' -%}
    {%- do out.pop('source.monitor-interval', none) -%}
  {%- endif -%}
  {%- do out.update(cfg.get('test_connector_properties') or {}) -%}
  {{ return(out) }}
{%- endmacro %}

{#- The columns of a sink for a query: the node's declared columns when every one has a data_type,
    else what Flink infers for the query, with the declared types where the node gives them -#}
{% macro flink_sink_columns(node, relation, sql) -%}
  {%- set declared = node.columns or {} -%}
  {%- set ns = namespace(complete=declared | length > 0) -%}
  {%- for name, column in declared.items() -%}
    {%- if not column.get('data_type') and (column.get('column_type') or 'physical') | lower != 'computed' -%}
      {%- set ns.complete = false -%}
    {%- endif -%}
  {%- endfor -%}
  {%- if ns.complete -%}{{ return(declared.values() | list) }}{%- endif -%}
  {%- set out = [] -%}
  {%- for c in adapter.query_columns(sql) -%}
    {%- set given = declared.get(c.name) or {} -%}
    {%- do out.append({'name': c.name, 'data_type': given.get('data_type') or c.data_type,
                       'description': given.get('description')}) -%}
  {%- endfor -%}
  {{ return(out) }}
{%- endmacro %}
