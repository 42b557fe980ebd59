#!/usr/bin/env bash
# Two things real projects do that dbt accepts quietly:
# - var() whose name is not a string (an undefined attribute, None) finds no var and returns its
#   default, as dbt's Var.__call__ does (datavault4dbt passes `datavault4dbt.ldts_alias`); a
#   default given as an undefined value is still a default;
# - a key set over one a YAML merge key (<<: *anchor) brought is what merge keys are for: no
#   duplicate-key warning, the explicit value kept (cal-itp's properties files); a key given twice
#   explicitly still warns.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/ve/models" && cd "$WORK/ve"
printf 'name: ve\nprofile: ve\n' >dbt_project.yml
cat >models/m.sql <<'EOS'
select '{{ var(dbt.no_such_macro, "dflt") }}' as a, '{{ var(not_defined_anywhere, "dflt2") }}' as b,
  '{{ var(none, default="d3") }}' as c, '{{ var("missing", not_defined) }}x' as d
EOS
cat >models/schema.yml <<'EOS'
x-common: &col_a
  name: a
  description: from the anchor
models:
  - name: m
    columns:
      - <<: *col_a
        description: set after the merge
EOS
run build
expect_rc 0 "the project builds"
expect_query "select a, b, c, d from {{ ref('m') }}" "dflt|dflt2|d3|x" \
	"var() of an undefined or None name returns its default (expected line from Jinja2 with dbt's Var)"
if grep -q "duplicate key" "$OUT" "$ERR"; then not_ok "a key over a merged one is no duplicate" "$(cat "$ERR")"
else ok "a key over a merged one is no duplicate"; fi
expect_json target/manifest.json '.nodes["model.ve.m"].columns.a.description' "set after the merge" \
	"the explicit value wins over the merged one"

echo "select '{{ var(not_defined_anywhere) }}' as a" >models/m.sql
run compile
expect_rc 2 "without a default, a name that is not a string is a missing var (compile stops, as dbt's)"
expect_out "required var 'Undefined' not found in config"

# var.has_var(name), dbt's Var method: whether the var is set (re_data asks it)
printf 'name: ve\nprofile: ve\nvars:\n  x: 1\n' >dbt_project.yml
echo "select '{{ var.has_var('x') }}/{{ var.has_var('nope') }}/{{ var('x') }}/{{ var is callable }}' as h" >models/m.sql
rm -f models/schema.yml
run compile -s m --vars '{y: 2}'
expect_rc 0
[ "$(tail -n 1 target/compiled/ve/models/m.sql)" = "select 'True/False/1/True' as h" ] && ok "var.has_var()" ||
	not_ok "var.has_var()" "$(cat target/compiled/ve/models/m.sql)"

printf 'models:\n  - name: m\n    description: one\n    description: two\n' >models/schema.yml
echo "select 1 as a" >models/m.sql
run parse
expect_rc 0
expect_err "models/schema.yml:4:5: warning: duplicate key 'description'" "a key given twice still warns"

done_testing
