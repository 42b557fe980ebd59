#!/usr/bin/env bash
# `graph` is a copy of the manifest's nodes, as dbt's flat_graph (to_dict copies): a template that
# changes a node's config through it (re_data's metrics_in_db updates its config dict) changes the
# graph for the rest of the run, never the node or manifest.json, and what it stored outlives its
# render (a model run later reads it back; the sanitizer run would catch a dangling value).
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/gc/models" && cd "$WORK/gc"
cat >dbt_project.yml <<'EOS'
name: gc
profile: gc
models:
  gc:
    a:
      +my_cfg: {column: {x: [min]}}
EOS
echo "select 1 as id" >models/a.sql
cat >models/b.sql <<'EOS'
-- depends_on: {{ ref('a') }}
{% if execute %}
{% set cfg = graph.nodes['model.gc.a'].config.get('my_cfg') %}
{% set fresh = {} %}
{% for i in range(200) %}{% do fresh.update({('col_' ~ i) | upper: ['m' ~ i]}) %}{% endfor %}
{% do cfg.update({'column': fresh}) %}
{% endif %}
select 2 as id
EOS
cat >models/c.sql <<'EOS'
-- depends_on: {{ ref('b') }}
select {{ graph.nodes['model.gc.a'].config.my_cfg.column | length if execute else 0 }} as n,
  '{{ (graph.nodes['model.gc.a'].config.my_cfg.column.COL_199 | first) if execute else '' }}' as last
EOS
run run --threads 1
expect_rc 0
expect_query "select n, last from {{ ref('c') }}" "200|m199" "a later model reads what was stored in graph"
expect_json target/manifest.json '.nodes["model.gc.a"].config.my_cfg.column.x[0]' "min" \
	"the node and manifest.json are untouched"
done_testing
