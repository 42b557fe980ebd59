#!/usr/bin/env bash
# Threads, custom schemas and their naming macro, zero configuration, vars and env_var.
. "$(dirname "$0")/lib.sh"

# a wide project run on 4 threads
mkdir -p "$WORK/wide/models" && cd "$WORK/wide"
printf 'name: wide\nprofile: wide\n' >dbt_project.yml
for i in $(seq 1 12); do echo "select $i as n" >"models/m$i.sql"; done
printf 'select %s as total from %s\n' \
	"$(for i in $(seq 1 12); do printf 'm%s.n + ' "$i"; done | sed 's/ + $//')" \
	"$(for i in $(seq 1 12); do printf "{{ ref('m%s') }} m%s, " "$i" "$i"; done | sed 's/, $//')" >models/total.sql
run run --threads 4
expect_rc 0 "a run on 4 threads succeeds"
expect_out "Concurrency: 4 threads"
expect_out "No profiles.yml found: using an embedded DuckDB database at target/wide.duckdb" "zero configuration says so"
expect_query "select total from {{ ref('total') }}" "78" "the model joining all twelve sees them all"
if [ "$(grep -c 'No profiles.yml found' "$OUT")" = 1 ]; then ok "says so once"; else not_ok "says so once"; fi

# custom schemas: target schema + '_' + custom; a project may override the naming macro
mkdir -p "$WORK/schemas/models" "$WORK/schemas/macros" && cd "$WORK/schemas"
printf 'name: schemas\nprofile: schemas\nmodels:\n  schemas:\n    +schema: finance\n' >dbt_project.yml
echo "select 1 as x" >models/in_finance.sql
echo "{{ config(schema='ops', alias='renamed') }} select 2 as x" >models/in_ops.sql
run run
expect_rc 0 "custom schemas run"
expect_out "OK created sql view model main_finance.in_finance"
expect_out "OK created sql view model main_ops.renamed"
expect_query "select x from main_ops.renamed" "2" "the alias names the relation"
cat >macros/names.sql <<'EOS'
{% macro generate_schema_name(custom_schema_name, node) -%}
  {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
EOS
run run
expect_rc 0 "the override runs"
expect_out "OK created sql view model finance.in_finance" "the project's generate_schema_name wins"
expect_query "select x from ops.renamed" "2"

# vars: dbt_project.yml, overridden by --vars; env_var with and without default
mkdir -p "$WORK/vars/models" && cd "$WORK/vars"
printf 'name: vars\nprofile: vars\nvars:\n  greeting: hello\n  n: 3\n' >dbt_project.yml
echo "select '{{ var('greeting') }}' as g, {{ var('n') }} as n, '{{ var('absent', 'dflt') }}' as d, '{{ env_var('SLUICE_T_ENV', 'none') }}' as e" >models/v.sql
run run
expect_rc 0
expect_query "select * from {{ ref('v') }}" "hello|3|dflt|none"
SLUICE_T_ENV=set run run --vars '{greeting: bye, n: 5}'
expect_rc 0 "--vars as YAML"
expect_query "select * from {{ ref('v') }}" "bye|5|dflt|set" "--vars and env_var take effect"
run run --vars '{"n": 9}'
expect_rc 0 "--vars as JSON"
expect_query "select n from {{ ref('v') }}" "9"
run run --vars '[1, 2]'
expect_rc 2 "--vars that is not a mapping exits 2"
expect_err "--vars must be a mapping"

done_testing
