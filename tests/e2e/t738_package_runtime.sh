#!/usr/bin/env bash
# What packages such as elementary read of dbt's runtime, on DuckDB:
# - builtins.ref.config is the RuntimeConfig (project_name, dependencies[pkg].version, cli_vars,
#   vars.to_dict(), args, quoting), as adapter.config is, and ref and source are still called as
#   functions;
# - graph is a dict that lives for the run: an on-run-start hook adds an entry with setdefault,
#   post-hooks on two threads append to it (relations and datetimes, which outlive the render
#   that made them), and on-run-end reads it;
# - on-run-end's results are RunResult objects: node, timing and the result itself answer
#   to_dict(), and thread_id and adapter_response are there; the node's config answers as dbt's
#   config dataclasses (a field it lacks is None: dbt_artifacts reads config.full_refresh);
# - an agate table's rename(), adapter.check_schema_exists / list_schemas, adapter.commit() after
#   statements run outside a transaction, config.get of a test's fail_calc default;
# - dbt-duckdb's make_temp_relation: no schema, no database (a temporary table), and
#   get_columns_in_relation finds such a table's columns.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/pr/models" "$WORK/pr/tests" "$WORK/pr/macros" "$WORK/pr/dbt_packages/pk/macros" && cd "$WORK/pr"
cat >dbt_project.yml <<'EOS'
name: pr
profile: pr
quoting:
  identifier: false
vars:
  y: yy
on-run-start: "{{ pk.pk_init() }}"
on-run-end: "{{ pk.pk_report() }}"
models:
  +post-hook: "{{ pk.pk_record() }}"
EOS
cat >dbt_packages/pk/dbt_project.yml <<'EOS'
name: pk
version: '2.5.0'
EOS
cat >dbt_packages/pk/macros/pk.sql <<'EOS'
{% macro pk_init() %}
  {% do graph.setdefault('pk', {'rows': [], 'note': none}) %}
  {% do graph.get('pk').update({'note': 'set at start'}) %}
{% endmacro %}

{% macro pk_record() %}
  {% if execute %}
    {% do graph.setdefault('pk', {}).get('rows').append(
        {'id': this.identifier, 'rel': this, 'at': modules.datetime.datetime(2026, 1, 2, 3, 4, 5)}) %}
  {% endif %}
{% endmacro %}

{% macro pk_report() %}
  {% if execute %}
    {% set cache = graph.get('pk') %}
    {% set ids = [] %}
    {% for row in cache['rows'] | sort(attribute='id') %}
      {% do ids.append(row.id ~ '@' ~ (row.rel | string).replace('"', '') ~ '@' ~ row.at.isoformat()) %}
    {% endfor %}
    {% set first = results | sort(attribute='unique_id') | first %}
    {% set res = [first.node.to_dict()['unique_id'], first.to_dict()['status'], first.status,
                  first.timing | map(attribute='name') | join('+'), first.timing[0].to_dict()['name'],
                  first.thread_id.startswith('Thread-'), first.adapter_response is mapping,
                  first.node.config.full_refresh is none, first.node.config['no_such_key'] is none,
                  first.node.config.get('materialized'), first.node.config.get('other', 'dflt')] %}
    {% set t = run_query("select 1 as A, 2 as B") %}
    {% set names = [t.rename({'A': 'a'}).column_names | join(','), t.rename(['x', 'y']).column_names | join(',')] %}
    {% set sql %}
      create or replace table pk_report as
      select '{{ ids | join(";") }}' as cache, '{{ cache.note }}' as note, '{{ res | join("|") }}' as results,
             '{{ names | join("|") }}' as renamed
    {% endset %}
    {% do run_query(sql) %}
    {% do adapter.commit() %}
  {% endif %}
{% endmacro %}
EOS
for i in 1 2 3 4 5 6; do echo "select $i as id" >"models/m$i.sql"; done
cat >models/rc.sql <<'EOS'
{% set c = builtins.ref.config %}
select '{{ c.project_name }}|{{ c.dependencies["pk"].version }}|{{ c.cli_vars.get("x") }}|{{ c.vars.to_dict().get("y") }}|{{ builtins.source.config.project_name }}|{{ c.args.which }}|{{ adapter.config.quoting.identifier }}' as rc,
       (select count(*) from {{ ref('m1') }}) as n
EOS
cat >tests/fail_calc_default.sql <<'EOS'
select 1 as x where '{{ config.get("fail_calc") }}|{{ config.get("warn_if") }}' != 'count(*)|!= 0'
EOS
cat >macros/ops.sql <<'EOS'
{% macro schemas_op() %}
  {% do log('exists=' ~ adapter.check_schema_exists(target.database, target.schema) ~ ' missing=' ~
            adapter.check_schema_exists(target.database, 'no_such_schema') ~ ' listed=' ~
            (target.schema in adapter.list_schemas(target.database)), info=true) %}
{% endmacro %}

{% macro temp_op() %}
  {% set base = api.Relation.create(database=target.database, schema=target.schema, identifier='t') %}
  {% set rel = make_temp_relation(base) %}
  {% do run_query('create temporary table ' ~ rel ~ ' as select 1 as a, 2 as b') %}
  {% do log('temp=' ~ (rel.schema is none) ~ (rel.database is none) ~ rel.identifier.startswith('t__dbt_tmp') ~
            ' cols=' ~ (adapter.get_columns_in_relation(rel) | map(attribute='name') | join(',')), info=true) %}
{% endmacro %}
EOS

run build --threads 2 --vars '{x: 7}'
expect_rc 0 "build with the package's hooks"
expect_query "select rc, n from {{ ref('rc') }}" "pr|2.5.0|7|yy|pr|build|False|1" \
	"builtins.ref.config: project_name, dependencies, cli_vars, vars.to_dict(), args; adapter.config.quoting; ref still a function"
expect_query "select note from pk_report" "set at start" "graph.setdefault in on-run-start, read back later"
expect_query "select cache from pk_report" \
	'm1@pr.main.m1@2026-01-02T03:04:05;m2@pr.main.m2@2026-01-02T03:04:05;m3@pr.main.m3@2026-01-02T03:04:05;m4@pr.main.m4@2026-01-02T03:04:05;m5@pr.main.m5@2026-01-02T03:04:05;m6@pr.main.m6@2026-01-02T03:04:05;rc@pr.main.rc@2026-01-02T03:04:05' \
	"post-hooks on two threads appended relations and datetimes to the graph's entry"
expect_query "select results from pk_report" "model.pr.m1|success|success|compile+execute|compile|True|True|True|True|view|dflt" \
	"results: node.to_dict(), to_dict(), timing objects, thread_id, adapter_response, node.config"
expect_query "select renamed from pk_report" "a,B|x,y" "agate rename() with a dict and with a list"

run run-operation schemas_op
expect_rc 0 "run-operation schemas_op"
expect_out "exists=True missing=False listed=True" "adapter.check_schema_exists and list_schemas"
run run-operation temp_op
expect_rc 0 "run-operation temp_op"
expect_out "temp=TrueTrueTrue cols=a,b" \
	"make_temp_relation names a temporary table; get_columns_in_relation finds its columns"
done_testing
