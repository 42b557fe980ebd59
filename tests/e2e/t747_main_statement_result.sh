#!/usr/bin/env bash
# A node's result is its 'main' statement's, as dbt's _build_run_model_result reads
# load_result('main'): a materialization that reports through noop_statement (AutomateDV's
# period and rank loads do) shows that message and row count, not the status of whatever ran last.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/ms/models" "$WORK/ms/macros" && cd "$WORK/ms"
printf 'name: ms\nprofile: ms\n' >dbt_project.yml
cat >macros/mat.sql <<'EOS'
{% materialization noopmat, default %}
  {% call noop_statement('main', 'INSERT 3', code='INSERT', rows_affected=3) %}{{ sql }}{% endcall %}
  {% do run_query('select 1') %}
  {{ return({'relations': []}) }}
{% endmaterialization %}
EOS
echo "{{ config(materialized='noopmat') }} select 1 as x" >models/m.sql
echo "select 1 as y" >models/v.sql
run run
expect_rc 0
expect_out_re "OK created sql noopmat model main.m \.+ \[INSERT 3 in" "the progress line shows the main statement's message"
expect_json target/run_results.json '.results.find(r => r.unique_id == "model.ms.m").message' "INSERT 3"
expect_json target/run_results.json '.results.find(r => r.unique_id == "model.ms.m").adapter_response.rows_affected' "3" \
	"and its rows_affected"
done_testing
