#!/usr/bin/env bash
# compile stops at its first error and exits 2, as dbt's CompileTask (raise_on_first_error):
# "Encountered an error:" and the error, no line a node; docs generate, which compiles first,
# stops there too and writes no catalog (dbt's GenerateTask runs CompileTask.run).
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/cf/models" && cd "$WORK/cf"
printf 'name: cf\nprofile: cf\n' >dbt_project.yml
echo "{% if execute %}{{ exceptions.raise_compiler_error('boom') }}{% endif %}select 1 as id" >models/a_bad.sql
echo "select * from {{ ref('a_bad') }}" >models/c_child.sql
run compile --threads 1
expect_rc 2 "a compile error ends compile with dbt's exit code"
expect_out "Encountered an error:"
expect_out "Compilation Error in model a_bad (models/a_bad.sql)"
expect_out "models/a_bad.sql:1:20: error: boom"
if grep -q "ERROR creating\|SKIP relation" "$OUT"; then not_ok "no line a node" "$(cat "$OUT")"; else ok "no line a node"; fi
run docs generate
expect_rc 2 "docs generate stops at the compile error"
[ -e target/catalog.json ] && not_ok "no catalog is written" || ok "no catalog is written"
echo "select 1 as id" >models/a_bad.sql
run compile
expect_rc 0 "once fixed, compile passes"
done_testing
