#!/usr/bin/env bash
# Failures on DuckDB: a model with a SQL error fails with the database's message and the path of
# its SQL, its descendants are skipped, independent models still run, the exit code is 1; a model
# that fails on its second run leaves the first run's table intact.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/fail/models" && cd "$WORK/fail"
printf 'name: fail\nprofile: fail\n' >dbt_project.yml
echo "select 1 as id, 'one' as label" >models/good.sql
echo "{{ config(materialized='table') }} select * from {{ ref('good') }}" >models/good_child.sql
echo "{{ config(materialized='table') }} select id, no_such_column from {{ ref('good') }}" >models/bad.sql
echo "{{ config(materialized='table') }} select * from {{ ref('bad') }}" >models/bad_child.sql
echo "{{ config(materialized='table') }} select * from {{ ref('bad_child') }}" >models/bad_grandchild.sql

run run
expect_rc 1 "a failed model exits 1"
expect_out "ERROR creating sql table model main.bad" "the failure is reported in line"
expect_out "SKIP relation main.bad_child" "its child is skipped"
expect_out "SKIP relation main.bad_grandchild" "its grandchild is skipped"
expect_out "OK created sql table model main.good_child" "independent models still run"
expect_out "Database Error in model bad (models/bad.sql)" "the summary names the model and its file"
expect_out "no_such_column" "with the database's message"
expect_out "compiled code at target/run/fail/models/bad.sql" "and the path of the SQL that ran"
expect_out "Done. PASS=2 WARN=0 ERROR=1 SKIP=2 TOTAL=5"
expect_json target/run_results.json '.results.find(r => r.unique_id === "model.fail.bad").status' error
expect_json target/run_results.json '.results.find(r => r.unique_id === "model.fail.bad_child").status' skipped
expect_json target/run_results.json '.results.find(r => r.unique_id === "model.fail.good").status' success
expect_query "select count(*) from information_schema.tables where table_name like '%dbt_tmp%' or table_name like '%dbt_backup%'" "0" "no temporary relation is left behind"

# fail-fast: nothing new starts after the first failure
run run --fail-fast --threads 1
expect_rc 1 "fail-fast exits 1"

# the second run of a table fails: the first run's table must survive
mkdir -p "$WORK/keep/models" && cd "$WORK/keep"
printf 'name: keep\nprofile: keep\nmodels:\n  keep:\n    +materialized: table\n' >dbt_project.yml
echo "select 42 as answer" >models/t.sql
echo "select 7 as v" >models/v.sql
run run
expect_rc 0 "the first run succeeds"
expect_query "select answer from {{ ref('t') }}" "42" "the first run built the table"
echo "select answer from nowhere_at_all" >models/t.sql
printf '{{ config(materialized="view") }}\nselect broken syntax here (\n' >models/v.sql
run run
expect_rc 1 "the second run fails"
expect_query "select answer from {{ ref('t') }}" "42" "the first run's table is intact"
expect_query "select v from {{ ref('v') }}" "7" "the first run's relation survives a failing view too"
expect_query "select count(*) from information_schema.tables where table_name like '%dbt_tmp%' or table_name like '%dbt_backup%'" "0" "no temporary relation is left behind"

# a model whose Jinja fails at run time is a compilation error, exit 1
mkdir -p "$WORK/comp/models" && cd "$WORK/comp"
printf 'name: comp\nprofile: comp\n' >dbt_project.yml
echo "select 1 as x" >models/ok.sql
printf 'select 1 as x\n{%% if execute %%}{{ exceptions.raise_compiler_error("stop here") }}{%% endif %%}\n' >models/boom.sql
run run
expect_rc 1 "a compilation error during the run exits 1"
expect_out "Compilation Error in model boom (models/boom.sql)"
expect_out "stop here"
expect_out "models/boom.sql:2:" "with the line of the error"

done_testing
