#!/usr/bin/env bash
# on-run-start / on-run-end hooks (with results and schemas), pre- and post-hooks on models,
# run-operation with arguments, run_query and log, and the failure exit codes. Project hooks are
# operation nodes, as dbt 1.9's HookParser and safe_run_hooks make them: in the manifest, each
# with its result in run_results.json (thread "main"), counted as project hooks; after a failed
# on-run-start hook the nodes still run unless flags.skip_nodes_if_on_run_start_fails.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/ho/models" "$WORK/ho/macros" && cd "$WORK/ho"
cat >dbt_project.yml <<'EOS'
name: ho
profile: ho
on-run-start:
  - "create table if not exists audit_log (seq integer, event varchar)"
  - "insert into audit_log values (1, 'start {{ target.name }}')"
on-run-end: "insert into audit_log select 9, 'end ' || {{ results | length }} || ' ' || '{{ schemas | join(',') }}'"
models:
  ho:
    +pre-hook: "insert into audit_log values (2, 'pre {{ this.name }}')"
    +post-hook: "insert into audit_log values (3, 'post {{ this.name }}')"
EOS
echo "select 1 as x" >models/a.sql
cat >macros/ops.sql <<'EOS'
{% macro note(table, note='hi') %}
  {% do run_query("insert into audit_log values (5, '" ~ note ~ " " ~ table ~ "')") %}
  {% set rows = run_query("select count(*) from audit_log") %}
  {{ log("audit rows: " ~ rows.rows[0][0], info=true) }}
{% endmacro %}
{% macro broken() %}{{ exceptions.raise_compiler_error("this operation always fails") }}{% endmacro %}
EOS
run run
expect_rc 0 "a run with hooks"
expect_out "1 of 2 START hook: ho.on-run-start.0"
expect_out "OK hook: ho.on-run-start.1"
expect_out "1 of 1 OK hook: ho.on-run-end.0"
expect_out "Finished running 3 project hooks, 1 view model in" "dbt's get_counts: hooks as project hooks, keys sorted"
expect_out "Done. PASS=4 WARN=0 ERROR=0 SKIP=0 TOTAL=4" "the hooks are among the results"
expect_json target/run_results.json '.results.map(r => r.unique_id + " " + r.status + " " + r.thread_id).join(",")' \
	"operation.ho.ho-on-run-start-0 success main,operation.ho.ho-on-run-start-1 success main,model.ho.a success Thread-1 (worker),operation.ho.ho-on-run-end-0 success main" \
	"run_results.json: the start hooks, the nodes, the end hooks"
expect_json target/run_results.json '.results[0].message' "ho.on-run-start.0 passed"
expect_json target/manifest.json '.nodes["operation.ho.ho-on-run-end-0"].tags' '["on-run-end"]' "a hook is an operation node"
expect_json target/manifest.json '.nodes["operation.ho.ho-on-run-start-1"].original_file_path' "./dbt_project.yml"
expect_json target/manifest.json '.nodes["operation.ho.ho-on-run-start-1"].fqn' '["ho","hooks","ho-on-run-start-1"]'
expect_json target/manifest.json '.nodes["operation.ho.ho-on-run-start-1"].index' 1
expect_json target/manifest.json '.nodes["operation.ho.ho-on-run-start-1"].compiled_code' \
	"insert into audit_log values (1, 'start dev')" "the manifest after the run has the hook's SQL"
run ls
expect_no_out "hooks" "ls does not list hooks"
expect_query "select event from audit_log order by seq" "start dev
pre a
post a
end 1 main" "hooks ran in order, on-run-end saw the results and schemas"

run run-operation note --args '{table: orders, note: yo}'
expect_rc 0 "run-operation succeeds"
expect_out "audit rows: 5" "run_query results and log(info=true)"
expect_query "select event from audit_log where seq = 5" "yo orders" "the operation's SQL was committed"
# run_results.json, as dbt's RunOperationTask writes it: one result for the macro
expect_json target/run_results.json '.results.map(r => [r.unique_id, r.status, r.failures, r.compiled, r.compiled_code, r.thread_id, r.timing.map(t => t.name).join("+"), JSON.stringify(r.adapter_response)].join(" ")).join()' \
	"macro.ho.note success 0 false  MainThread compile+execute {}" "run_results.json names the operation's macro"
expect_json target/run_results.json '.args.which + " " + d.args.macro + " " + d.args.args.note + " " + (d.elapsed_time === d.results[0].execution_time)' \
	"run-operation note yo true" "with the command's arguments"

run run-operation broken
expect_rc 1 "a failing operation exits 1"
expect_err "this operation always fails"
expect_json target/run_results.json '.results.map(r => [r.unique_id, r.status, r.failures].join(" ")).join()' \
	"macro.ho.broken error 1" "a failed operation's result is an error"
run run-operation dbt.current_timestamp
expect_rc 0 "a package's macro by package.name"
expect_json target/run_results.json '.results[0].unique_id' "macro.dbt.current_timestamp"
run run-operation nope
expect_rc 2 "an unknown macro exits 2"
expect_err "no macro named 'nope'"
expect_json target/run_results.json '.results[0].unique_id' "macro.dbt.current_timestamp" "and writes no run_results.json"
run run-operation note --args '[1, 2]'
expect_rc 2 "--args must be a mapping"

# before_begin / after_commit hooks run outside the model's transaction: before and after the rest
cat >models/tx.sql <<'EOS'
{{ config(materialized='table',
    pre_hook=["insert into audit_log values (20, 'pre in tx')", before_begin("insert into audit_log values (20, 'pre before begin')")],
    post_hook=[after_commit("insert into audit_log values (20, 'post after commit')"), "insert into audit_log values (20, 'post in tx')"]) }}
select 1 as x
EOS
run run -s tx
expect_rc 0 "a model with transactional and non-transactional hooks"
expect_query "select event from audit_log where seq = 20 order by rowid" "pre before begin
pre in tx
post in tx
post after commit" "hooks run in dbt's order around the transaction"
rm models/tx.sql

# the adapter's relation methods, statement blocks and load_result, from an operation
cat >macros/admin.sql <<'EOS'
{% macro admin(sch) %}
  {% set schema_rel = api.Relation.create(database=target.database, schema=sch) %}
  {% do adapter.create_schema(schema_rel) %}
  {% do run_query("create table " ~ adapter.quote(sch) ~ ".t1 as select 1 as id, 'a' as nm") %}
  {% set rel = adapter.get_relation(database=target.database, schema=sch, identifier='t1') %}
  {{ print("got " ~ rel.identifier ~ " " ~ rel.type) }}
  {{ print("columns " ~ (adapter.get_columns_in_relation(rel) | map(attribute='name') | join(','))) }}
  {% set moved = rel.incorporate(path={"identifier": "t2"}) %}
  {% do adapter.rename_relation(rel, moved) %}
  {{ print("listed " ~ (adapter.list_relations_without_caching(schema_rel) | map(attribute='identifier') | join(','))) }}
  {% call statement('cnt', fetch_result=True) %}select count(*) as n from {{ moved }}{% endcall %}
  {% set res = load_result('cnt') %}
  {{ print("counted " ~ res['data'][0][0] ~ " in column " ~ res['table'].column_names[0]) }}
  {% do adapter.drop_relation(moved) %}
  {{ print("after drop " ~ adapter.get_relation(database=target.database, schema=sch, identifier='t2')) }}
  {{ print("execute " ~ execute ~ ", " ~ flags.WHICH) }}
  {% do exceptions.warn("operations can warn") %}
{% endmacro %}
EOS
run run-operation admin --args '{"sch": "admin_s"}'
expect_rc 0 "an operation with JSON args uses the adapter"
expect_out "got t1 table" "adapter.create_schema, get_relation"
expect_out "columns id,nm" "adapter.get_columns_in_relation"
expect_out "listed t2" "this.incorporate, rename_relation, list_relations_without_caching"
expect_out "counted 1 in column n" "statement blocks and load_result"
expect_out "after drop None" "adapter.drop_relation"
expect_out "execute True, run-operation" "execute and flags.WHICH"
expect_err "warning: operations can warn" "exceptions.warn() in an operation is shown"

# query results are agate tables: rows by position or name, columns with values(), print_table()
cat >macros/agate.sql <<'EOS'
{% macro agate() %}
  {% set t = run_query("select 5 as n, 'x' as s union all select 6, null order by 1") %}
  {{ print("values " ~ (t.columns[0].values() | join(',')) ~ " / " ~ (t.columns['s'].values_without_nulls() | join(','))) }}
  {{ print("cells " ~ t.rows[1]['n'] ~ t.rows[0][1] ~ t.rows[0].s ~ t.rows[-1][0]) }}
  {{ print("mapped " ~ (t.rows | map(attribute=0) | join(',')) ~ " " ~ (t.column_names | join(','))) }}
  {{ print("sizes " ~ (t.rows | length) ~ (t.columns | length) ~ " " ~ t.rows[0]) }}
  {% do t.print_table() %}
{% endmacro %}
EOS
run run-operation agate
expect_rc 0 "an operation reading agate tables"
expect_out "values 5,6 / x" "columns by position and name, values() and values_without_nulls()"
expect_out "cells 6xx6" "rows by position, by name, by attribute and from the end"
expect_out "mapped 5,6 n,s" "map(attribute=0) over rows, column_names"
expect_out "sizes 22 <agate.Row: (5, 'x')>"
expect_out "| n | s |" "print_table() prints the table"
expect_out "| 6 |   |"
# print_table as agate's: numbers grouped and to the column's precision (at most max_precision,
# then "…"), right-justified with their header; text cut at max_column_width; columns past
# max_columns and rows past max_rows shown as "..."; line breaks as "↵"
cat >macros/agate_print.sql <<'EOS'
{% macro agate_print() %}
  {% set t = run_query("select i * 1000 as big, i / 4 as quarter, 'a somewhat long text value ' || i as t, i as c4, i as c5, i as c6, i as c7 from range(1, 26) r(i) order by i") %}
  {% do t.print_table(max_rows=3) %}
  {% set u = run_query("select 'two' || chr(10) || 'lines' as s, 1.23456 as x, cast(null as integer) as nothing") %}
  {% do u.print_table() %}
{% endmacro %}
EOS
run run-operation agate_print
expect_rc 0 "print_table's limits"
expect_out "|   big | quarter | t                    | c4 | c5 | c6 | ... |" "a header as agate writes it"
expect_out "| 2,000 |    0.50 | a somewhat long t... |  2 |  2 |  2 | ... |" "a row as agate writes it"
expect_out "|   ... |     ... | ...                  | ... | ... | ... | ... |" "the row that says more rows follow"
expect_out "| two↵lines | 1.235… |         |" "line breaks, precision and nulls"
run show --inline "select 1234567 as big, 'a somewhat long text value 1' as t, 1 as c3, 2 as c4, 3 as c5, 4 as c6, 5 as c7"
expect_out "|       big | t                    | c3 | c4 | c5 | c6 | ... |" "show prints as dbt's ShowTask: agate's print_table"
expect_out "| 1,234,567 | a somewhat long t... |  1 |  2 |  3 |  4 | ... |"

printf 'name: ho\nprofile: ho\non-run-start: ["select * from no_such_table", "select 1"]\n' >dbt_project.yml
run run
expect_rc 1 "a failing on-run-start hook fails the run"
expect_err "on-run-start hook 0 failed"
expect_out "START sql view model" "the nodes run anyway, as dbt's default"
expect_json target/run_results.json '.results.map(r => r.status).join(",")' "error,skipped,success" \
	"the failed hook's error, the next hook skipped"
printf 'flags:\n  skip_nodes_if_on_run_start_fails: true\n' >>dbt_project.yml
run run
expect_rc 1 "with the flag the run fails too"
expect_no_out "START sql view model" "and nothing runs"
expect_out "1 of 1 SKIP relation main.a" "each node has its SKIP line"
expect_json target/run_results.json '.results.map(r => r.status).join(",")' "error,skipped,skipped"
printf 'name: ho\nprofile: ho\non-run-start:\n  - "select 1"\n  - "{{ oops( }}"\n' >dbt_project.yml
run parse
expect_rc 2 "a hook is parsed with the project, as dbt's HookParser parses it"
expect_err "dbt_project.yml (on-run-start hook 1, line 5):1:10: error: unexpected '}', expected ')'" \
	"its error says which hook, and where"

done_testing
