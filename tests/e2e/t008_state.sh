#!/usr/bin/env bash
# --state: state:new/old/modified (body, configs, relation, persisted_descriptions, macros,
# contract)/unmodified and result: against an earlier run's artifacts, as dbt's slim CI uses them.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/st/models" "$WORK/st/macros" "$WORK/st/seeds" && cd "$WORK/st"
printf 'name: st\nprofile: st\n' >dbt_project.yml
echo "select 1 as id" >models/a.sql
echo "{{ config(materialized='table') }} select * from {{ ref('a') }}" >models/b.sql
echo "select {{ shout('x') }} as v" >models/c.sql
echo "select 2 as id" >models/untouched.sql
echo "{{ config(materialized='table') }} select no_such_column" >models/broken.sql
echo "{% macro shout(s) %}upper('{{ s }}'){% endmacro %}" >macros/shout.sql
printf 'id,name\n1,one\n' >seeds/s.csv
cat >models/schema.yml <<'YML'
version: 2
models:
  - name: b
    description: the b model
    config:
      persist_docs: {relation: true}
    columns:
      - name: id
        data_tests: [not_null]
YML

run build
expect_rc 1 "the earlier run (one model fails)"
cp -r target "$WORK/state"

# the selected names, sorted, on one line (tests join their selected models: dbt's eager selection)
names() { run ls --state "$WORK/state" --output name "$@"; grep -v "No nodes selected" "$OUT" | sort | tr '\n' ' ' | sed 's/ $//'; }
check() { # check WHAT EXPECTED SELECTOR...
	local what=$1 want=$2; shift 2
	local got; got=$(names "$@")
	if [ "$got" = "$want" ]; then ok "$what"; else not_ok "$what" "got '$got', want '$want'
$(cat "$ERR")"; fi
}

check "nothing changed: state:modified is empty" "" -s state:modified
check "state:unmodified is everything that exists" "a b broken c not_null_b_id s untouched" -s state:unmodified
check "result:error reads run_results.json" "broken" -s result:error
check "result:success (and the tests of what it selects)" "a b c not_null_b_id s untouched" -s result:success

echo "select 1 as id, 'x' as extra" >models/a.sql
check "a changed body is state:modified" "a" -s state:modified
check "state:modified.body" "a" -s state:modified.body
check "state:modified+ takes its children" "a b not_null_b_id" -s state:modified+
check "a body change is not a config change" "" -s state:modified.configs

echo "{{ config(materialized='table') }} select {{ shout('x') }} as v" >models/c.sql
check "a config change is state:modified.configs" "c" -s state:modified.configs
echo "select {{ shout('x') }} as v" >models/c.sql

echo "{% macro shout(s) %}upper('{{ s }}') || '!'{% endmacro %}" >macros/shout.sql
check "a changed macro marks what calls it" "c" -s state:modified.macros
check "and state:modified includes it" "a c" -s state:modified

echo "{{ config(alias='b_renamed', materialized='table') }} select * from {{ ref('a') }}" >models/b.sql
check "an alias change is state:modified.relation" "b not_null_b_id" -s state:modified.relation
sed -i 's/the b model/the b model, persisted/' models/schema.yml
check "a persisted description change" "b not_null_b_id" -s state:modified.persisted_descriptions

echo "select 3 as id" >models/d.sql
check "a new model is state:new" "d" -s state:new
check "state:old leaves it out" "a b broken c not_null_b_id s untouched" -s state:old
printf 'id,name\n1,uno\n' >seeds/s.csv
check "a seed whose file changed" "s" -s state:modified.body,resource_type:seed
check "exclusions work as usual" "a b c d s" -s state:modified --exclude not_null_b_id broken

# a run of only what changed, and its children
run run -s state:modified+ --state "$WORK/state"
expect_rc 0 "run -s state:modified+"
if grep -q "untouched" "$OUT"; then not_ok "untouched models are not run" "$(cat "$OUT")"; else ok "untouched models are not run"; fi
expect_out "main.d"

# errors
run ls -s state:modified
expect_rc 2 "state: without --state exits 2"
expect_err "Got a state selector method, but no comparison manifest"
run ls -s state:changed --state "$WORK/state"
expect_rc 2 "an unknown state exits 2"
expect_err "'changed' is not a state"
run ls -s state:new --state "$WORK/nowhere"
expect_rc 2 "a --state folder without manifest.json exits 2"
expect_err "no manifest.json in the --state folder"
DBT_STATE="$WORK/state" run ls --output name -s state:new
expect_rc 0 "DBT_STATE works like --state"
expect_out "d"

done_testing
