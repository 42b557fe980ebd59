{#- Flink's spelling of the relation macros: DROP has no CASCADE, schemas are databases, a view is
    a query without parentheses, and tests compare with <> -#}

{% macro flink__drop_relation(relation) -%}
  {%- call statement('drop_relation', auto_begin=false) -%}
    DROP {{ 'VIEW' if relation.type == 'view' else 'TABLE' }} IF EXISTS {{ relation }}
  {%- endcall -%}
{%- endmacro %}

{% macro flink__create_schema(relation) -%}
  {%- call statement('create_schema') -%}
    CREATE DATABASE IF NOT EXISTS {{ relation.include(identifier=false) }}
  {%- endcall -%}
{%- endmacro %}

{% macro flink__rename_relation(from_relation, to_relation) -%}
  {%- call statement('rename_relation') -%}
    ALTER {{ 'VIEW' if from_relation.type == 'view' else 'TABLE' }} {{ from_relation }} RENAME TO {{ adapter.quote(to_relation.identifier) }}
  {%- endcall -%}
{%- endmacro %}

{% macro flink__create_view_as(relation, sql) -%}
CREATE VIEW {{ relation }} AS
{{ sql }}
{%- endmacro %}

{% macro flink__create_table_as(temporary, relation, sql) -%}
  {%- do exceptions.raise_compiler_error("a Flink table needs a connector: materialize " ~ relation ~ " as table or streaming_table with connector_properties") -%}
{%- endmacro %}

{% macro flink__get_test_sql(main_sql, fail_calc, warn_if, error_if, limit) -%}
select
    {{ fail_calc }} as failures,
    {{ fail_calc }} {{ warn_if | replace('!=', '<>') }} as should_warn,
    {{ fail_calc }} {{ error_if | replace('!=', '<>') }} as should_error
from (
    {{ main_sql }}
    {{ 'limit ' ~ limit if limit is not none }}
) dbt_internal_test
{%- endmacro %}

{#- Healthy states of a Flink job, and the name a model's job carries: "<project>.<model> [<hash>]" -#}
{% macro flink_job_is_live(status) -%}
  {{ return(status in ['RUNNING', 'CREATED', 'INITIALIZING', 'RESTARTING', 'RECONCILING']) }}
{%- endmacro %}

{% macro flink_pipeline_name(node=none) -%}
  {%- set n = node if node is not none else model -%}
  {{ return(n.package_name ~ '.' ~ n.name) }}
{%- endmacro %}

{#- The jobs of a pipeline, newest first, each with the hash its name carries -#}
{% macro flink_jobs_of(pipeline) -%}
  {%- set found = [] -%}
  {%- for job in adapter.list_jobs() -%}
    {%- set name = job.name or '' -%}
    {%- if name == pipeline or name.startswith(pipeline ~ ' [') -%}
      {%- set h = name[pipeline | length + 2:-1] if name.endswith(']') and name != pipeline else none -%}
      {%- do found.append({'job_id': job.job_id, 'name': name, 'status': job.status,
                           'start_time': job.start_time | string, 'hash': h}) -%}
    {%- endif -%}
  {%- endfor -%}
  {{ return(found | sort(attribute='start_time', reverse=true)) }}
{%- endmacro %}

{#- EXPLAIN plans a statement without running it: Flink checks the connector and its options only
    when a table is planned, so this is where a wrong option shows up at build time -#}
{% macro flink_validate(statement_sql) -%}
  {%- call statement('validate', auto_begin=false) -%}
    EXPLAIN {{ statement_sql }}
  {%- endcall -%}
{%- endmacro %}
