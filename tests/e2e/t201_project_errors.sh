#!/usr/bin/env bash
# Bad input: every error names the file, line and column, shows the line with a caret where that
# helps, says what to do, and exits 2 -- without touching the database.
. "$(dirname "$0")/lib.sh"

# fresh NAME: an empty project with one good model
fresh() {
	rm -rf "${WORK:?}/$1"
	mkdir -p "$WORK/$1/models"
	cd "$WORK/$1" || exit 2
	printf 'name: %s\nversion: "1.0"\nprofile: p\n' "$1" >dbt_project.yml
	echo "select 1 as id" >models/a.sql
}

# broken YAML in dbt_project.yml
fresh yamlerr
printf 'name: yamlerr\nmodels:\n  yamlerr:\n    +materialized: [table\n' >dbt_project.yml
run run
expect_rc 2 "broken dbt_project.yml exits 2"
expect_err "dbt_project.yml:5:1: error: invalid YAML" "names the file, line and column"
expect_err "hint:" "says what to do"

# broken YAML in a properties file
fresh yamlerr2
printf 'version: 2\nmodels:\n  - name: a\n    description: "unclosed\n  - name: b\n' >models/schema.yml
run parse
expect_rc 2 "broken schema.yml exits 2"
expect_err "models/schema.yml:" "names the properties file"
expect_err "invalid YAML"

# a key of the wrong type
fresh badtype
printf 'name: badtype\nmodel-paths: 42\n' >dbt_project.yml
run parse
expect_rc 2 "a wrong type exits 2"
expect_err "dbt_project.yml:2:14: error: expected a list of strings for 'model-paths', got int"
expect_err "   2 | model-paths: 42" "shows the offending line"
expect_err "^^" "with a caret"

# unknown ref, with a suggestion
fresh badref
echo "select 1 as id" >models/stg_orders.sql
printf 'select *\nfrom {{ ref("stg_ordrs") }}\n' >models/orders.sql
run run
expect_rc 2 "an unknown ref exits 2"
expect_err "models/orders.sql:2:9: error: model 'orders' depends on a node named 'stg_ordrs' which was not found"
expect_err "from {{ ref(\"stg_ordrs\") }}" "shows the line of the ref"
expect_err "did you mean 'stg_orders'?" "suggests the closest name"
if [ ! -e target/badref.duckdb ]; then ok "nothing was built"; else not_ok "nothing was built"; fi

# unknown source
fresh badsrc
printf 'version: 2\nsources:\n  - name: raw\n    tables:\n      - name: orders\n' >models/schema.yml
echo "select * from {{ source('raw', 'order') }}" >models/b.sql
run parse
expect_rc 2 "an unknown source exits 2"
expect_err "models/b.sql:1:18: error: model 'b' depends on a source named 'raw.order' which was not found"
expect_err "did you mean 'raw.orders'?"

# a cycle, named in full
fresh cycle
echo "select * from {{ ref('y') }}" >models/x.sql
echo "select * from {{ ref('z') }}" >models/y.sql
echo "select * from {{ ref('x') }}" >models/z.sql
run run
expect_rc 2 "a cycle exits 2"
expect_err "model.cycle.x" "names x in the cycle"
expect_err "model.cycle.y" "names y in the cycle"
expect_err "model.cycle.z" "names z in the cycle"
expect_err "cycle"

# two models with one name
fresh dup
mkdir -p models/sub
echo "select 2 as id" >models/sub/a.sql
run parse
expect_rc 2 "a duplicate model name exits 2"
expect_err "two models are named 'a'"
expect_err "models/sub/a.sql:1:1" "points at one file"
expect_err "models/a.sql:1:1: note" "and at the other"

# a profile that does not exist
fresh noprof
printf 'other:\n  outputs:\n    dev:\n      type: duckdb\n' >profiles.yml
run run
expect_rc 2 "a missing profile exits 2"
expect_err "profile 'p' not found"
expect_err "dbt_project.yml:3:10" "points at the profile line of dbt_project.yml"
expect_err "profiles there: 'other'"

# a target that does not exist
fresh notarget
printf 'p:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: x.duckdb\n' >profiles.yml
run run --target prod
expect_rc 2 "a missing target exits 2"
expect_err "target 'prod' not found in profile 'p'"
expect_err "targets there: 'dev'"

# the profile's target: is rendered, as dbt renders it (a missing one names the rendered name)
fresh jinjatarget
printf 'p:\n  target: "{{ env_var(%s, %s) }}"\n  outputs:\n    dev:\n      type: duckdb\n      path: x.duckdb\n' \
	"'P_TARGET'" "'dev'" >profiles.yml
run run
expect_rc 0 "target: {{ env_var('P_TARGET', 'dev') }} is the target dev"
P_TARGET=prod run run
expect_rc 2 "and with P_TARGET=prod, a missing target"
expect_err "target 'prod' not found in profile 'p'" "named as rendered"

# a Jinja syntax error in a model
fresh jinjaerr
printf 'select 1\n{%% if true %%}\nselect 2\n' >models/c.sql
run parse
expect_rc 2 "a Jinja syntax error exits 2"
expect_err "models/c.sql:" "names the model file"

# an unknown var without default: None while parsing (dbt's ParseVar), an error where the model
# is compiled; a model its config() disables is never compiled, so its vars need no value
fresh novar
echo "select {{ var('missing_var') }} as v" >models/d.sql
printf '%s\n' "{{ config(enabled=false) }}" "select * from {{ var('table_not_set') }}" >models/off.sql
run parse
expect_rc 0 "a missing var does not stop the parse"
run compile
expect_rc 2 "compiling the model that reads it fails (compile stops at its first error, as dbt's)"
expect_out "models/d.sql:1:11: error: required var 'missing_var' not found" "points at the var() call"
expect_no_out "table_not_set" "the disabled model's var is not asked for"

# no project at all
mkdir -p "$WORK/empty" && cd "$WORK/empty"
run run
expect_rc 2 "no dbt_project.yml exits 2"
expect_err "no dbt_project.yml found"

done_testing
