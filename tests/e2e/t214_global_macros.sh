#!/usr/bin/env bash
# The global project is dbt's: every macro of dbt-adapters' global project exists (the reference
# list is global_macros/dbt_adapters_v1.10.4.txt), except those global_macros/absent.txt names
# with a reason. And the lookup macros behave as dbt's: load_relation / load_cached_relation
# return the relation as it exists (with its type) or none, get_or_create_relation says which.
. "$(dirname "$0")/lib.sh"

ref="$DATA/e2e/global_macros/dbt_adapters_v1.10.4.txt"
absent="$DATA/e2e/global_macros/absent.txt"
mkdir -p "$WORK/gm/models" && cd "$WORK/gm"
printf 'name: gm\nprofile: gm\n' >dbt_project.yml
echo "select 1 as id" >models/a.sql

names() { grep -v '^#' "$1" | grep -v '^$'; }
want=$(comm -23 <(names "$ref" | sort -u) <(names "$absent" | sort -u))
tmpl=$(for m in $want; do printf '{%% if %s is not defined %%}%s {%% endif %%}' "$m" "$m"; done)
run compile --inline "$tmpl"
expect_rc 0 "the reference list renders"
missing=$(tail -n 1 "$OUT" | tr -s ' ')
if [ -z "$(echo "$missing" | tr -d ' ')" ]; then ok "every macro of dbt's global project exists"
else not_ok "every macro of dbt's global project exists" "missing: $missing"; fi

tmpl=$(for m in $(names "$absent"); do printf '{%% if %s is defined %%}%s {%% endif %%}' "$m" "$m"; done)
run compile --inline "$tmpl"
present=$(tail -n 1 "$OUT" | tr -s ' ')
if [ -z "$(echo "$present" | tr -d ' ')" ]; then ok "absent.txt names only macros that are absent"
else not_ok "absent.txt names only macros that are absent" "now defined (remove them from absent.txt): $present"; fi

cat >models/b.sql <<'EOS'
{%- set found, missing, goc_old, goc_new = none, 'unset', none, none -%}
{%- if execute -%}
  {%- set found = load_relation(ref('a')) -%}
  {%- set missing = load_cached_relation(api.Relation.create(database=this.database, schema=this.schema, identifier='nothing_here')) -%}
  {%- set goc_old = get_or_create_relation(this.database, this.schema, 'a', 'table') -%}
  {%- set goc_new = get_or_create_relation(this.database, this.schema, 'nothing_here', 'table') -%}
{%- endif -%}
select '{{ found.type if found }}' as t, '{{ missing }}' as m,
 '{{ goc_old[0] if goc_old }}/{{ goc_old[1].type if goc_old }}' as o,
 '{{ goc_new[0] if goc_new }}/{{ goc_new[1].identifier if goc_new }}' as n,
 '{{ get_true_sql() }}' as tr,
 '{{ dates_in_range("20240130", "20240202") | join(",") }}' as dr
EOS
run run
expect_rc 0 "a model calling the lookup macros builds"
expect_query "select * from {{ ref('b') }}" "view|None|True/view|False/nothing_here|TRUE|20240130,20240131,20240201,20240202"
done_testing
