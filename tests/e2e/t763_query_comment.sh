#!/usr/bin/env bash
# Every statement a node sends, and every project hook, carries dbt's query comment, as
# dbt-adapters' MacroQueryStringSetter adds it: by default a JSON object naming the app, the dbt
# version, the profile, the target and the node (or, without a node, the connection: "master" for
# hooks, "macro_NAME" for an operation); dbt_project.yml's query-comment: is its Jinja, with
# append: true after the SQL; null turns it off; a comment holding "*/" is refused. DuckDB's
# current_query() shows what the engine received; the artifacts keep the SQL without it.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/qc/models" "$WORK/qc/macros" && cd "$WORK/qc"
cat >dbt_project.yml <<'EOS'
name: qc
profile: qc
on-run-end: "create or replace table hook_q as select current_query() as q"
EOS
echo "{{ config(materialized='table') }} select current_query() as q" >models/m.sql
cat >macros/op.sql <<'EOS'
{% macro op() %}{% do run_query("create or replace table op_q as select current_query() as q") %}{% endmacro %}
EOS
run run
expect_rc 0 "a run"
expect_query "select (q like '/* {\"app\": \"dbt\", \"dbt_version\": \"1.9.8\", \"profile_name\": \"qc\", \"target_name\": \"dev\", \"node_id\": \"model.qc.m\"} */%') as ok from m" \
	"true" "the model's statement starts with dbt's default comment"
expect_query "select (q like '/* {\"app\": \"dbt\", %\"connection_name\": \"master\"} */%') as ok from hook_q" "true" \
	"a hook's names the master connection"
expect_no_out "app" "the comment is not printed"
if grep -q "dbt_version" target/run/qc/models/m.sql; then not_ok "target/run keeps the SQL as compiled"
else ok "target/run keeps the SQL as compiled"; fi
run run-operation op
expect_query "select (q like '%\"connection_name\": \"macro_op\"} */%') as ok from op_q" "true" "an operation's names its macro"

cat >>dbt_project.yml <<'EOS'
query-comment:
  comment: "{{ return('by ' ~ target.name ~ ' for ' ~ (node.unique_id if node else connection_name)) }}"
  append: true
EOS
run run
expect_rc 0 "a run with the project's comment"
expect_query "select regexp_replace(q, '\\s+', ' ', 'g') like '%) /* by dev for model.qc.m */' from m" "true" \
	"after the SQL, rendered with node and target"
expect_query "select q like 'create or replace table hook_q as select current_query() as q
/* by dev for master */' from hook_q" "true" "a hook's too"

sed -i '/^query-comment:/,$d' dbt_project.yml
echo "query-comment: null" >>dbt_project.yml
run run
expect_query "select q not like '%/*%' from m" "true" "query-comment: null sends the SQL alone"

sed -i '/^query-comment:/,$d' dbt_project.yml
echo 'query-comment: "a */ b"' >>dbt_project.yml
run run
expect_rc 1 "a comment holding */"
expect_err 'query comment contains illegal value "*/": a */ b'
done_testing
