#!/usr/bin/env bash
# dbt 1.9's `time_spine:` model property reaches the manifest and the graph (packages such as
# dbt-project-evaluator leave time spines out of their checks by it), and a source's config in the
# graph carries its freshness, as dbt 1.10's does.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/p/models"
cd "$WORK/p" || exit 2
printf 'name: p\n' >dbt_project.yml
echo "select cast('2020-01-01' as date) as date_day" >models/all_days.sql
cat >models/read_graph.sql <<'SQL'
{% set spines = [] %}{% set warn = [] %}
{% if execute %}
  {% set spines = graph.nodes.values() | selectattr("resource_type", "equalto", "model")
                  | rejectattr("time_spine", "none") | map(attribute="name") | list %}
  {% for s in graph.sources.values() %}{% do warn.append(s.config.freshness.warn_after.count) %}{% endfor %}
{% endif %}
select '{{ spines | join(",") }}' as spines, '{{ warn | join(",") }}' as warn_counts
SQL
cat >models/props.yml <<'YML'
models:
  - name: all_days
    time_spine:
      standard_granularity_column: date_day
    columns:
      - name: date_day
        granularity: day
sources:
  - name: raw
    freshness: {warn_after: {count: 12, period: hour}}
    tables:
      - name: events
YML
run parse
expect_rc 0 "parse"
expect_json target/manifest.json '.nodes["model.p.all_days"].time_spine.standard_granularity_column' date_day \
	"the manifest has the model's time_spine"
expect_json target/manifest.json '.nodes["model.p.read_graph"].time_spine' null "and none for other models"
run run
expect_rc 0 "run"
expect_query "select spines, warn_counts from {{ ref('read_graph') }}" "all_days|12" \
	"the graph has time_spine, and each source's config.freshness"

done_testing
