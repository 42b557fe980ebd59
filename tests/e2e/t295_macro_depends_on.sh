#!/usr/bin/env bash
# A macro's own depends_on.macros lists what dbt-core 1.9 lists (ManifestLoader.macro_depends_on):
# the macros its text calls, found without running it: every branch (under `{% if execute %}`
# too), in the order Jinja2's find_all meets the calls (a call before those in its arguments, a
# for loop's filter after its body), each once; names resolved in the macro's own package first,
# then the root project, the other packages, dbt's; `pkg.macro()` in pkg; adapter.dispatch() to
# its name and to the macro dispatch finds (each package to search, then each prefix); the
# macro's own name, builtins, filters, methods and names of no macro left out.
# The expected lists were derived by hand from dbt-core 1.9's rules.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/p/models" "$WORK/p/macros" "$WORK/p/dbt_packages/pk/macros"
cd "$WORK/p" || exit 2
printf 'name: p\n' >dbt_project.yml
printf 'name: pk\n' >dbt_packages/pk/dbt_project.yml
echo 'select 1 as x' >models/a.sql
cat >macros/m.sql <<'SQL'
{% macro helper() %}h{% endmacro %}
{% macro other(x=none) %}o{% endmacro %}

{% macro order_and_dupes() %}{{ other() }}{{ helper() }}{{ other() }}{% endmacro %}

{% macro under_execute() %}
  {%- if execute %}{{ helper() }}{% else %}{{ other() }}{% endif -%}
{% endmacro %}

{% macro not_macros(rel) %}
  {%- set cols = adapter.get_columns_in_relation(rel) -%}
  {{ log('x') }}{{ 'a' | upper }}{{ var('v', 1) }}{{ adapter.quote('c') }}{{ no_such_macro() }}
  {{- [1].append(2) }}{{ modules.datetime.date.today() }}{{ ref('a') }}{{ 'x'.upper() }}{{ zip([1], [2]) }}
{% endmacro %}

{% macro returns() %}{{ return(helper() ~ other()) }}{% endmacro %}

{% macro nested() %}{{ other(helper()) }}{% endmacro %}

{% macro loop_filter() %}
  {%- for i in range(2) if other() %}{{ helper() }}{% endfor -%}
{% endmacro %}

{% macro with_default(a=helper()) %}{{ a }}{% endmacro %}

{% macro builtins_of_dbt() %}
  {%- call statement('main', fetch_result=true) %}select 1{% endcall -%}
  {{ run_query('select 2') }}{{ dbt.run_query('select 3') }}
{% endmacro %}

{% macro qualified() %}{{ pk.pk_util() }}{{ pk.helper() }}{{ p.other() }}{{ pk.nothing() }}{% endmacro %}

{# dispatch in namespace p: p is searched, the adapter's prefix first #}
{% macro thing() %}{{ return(adapter.dispatch('thing', 'p')()) }}{% endmacro %}
{% macro default__thing() %}d{% endmacro %}
{% macro duckdb__thing() %}dd{% endmacro %}

{# dispatch with keywords, namespace pk: the root project is searched before pk, each with every
   prefix, so the root's default__ wins over pk's duckdb__; thing3 itself is pk's macro #}
{% macro calls_thing3() %}{{ adapter.dispatch(macro_name='thing3', macro_namespace='pk')() }}{% endmacro %}
{% macro default__thing3() %}root{% endmacro %}

{# without a namespace (and with the old list of packages): every package as one #}
{% macro thing2() %}{{ adapter.dispatch('thing2')() }}{{ adapter.dispatch('thing2', ['pk'])() }}{% endmacro %}

{% test my_check(model) %}select * from {{ model }} where {{ helper() }} is null{% endtest %}
SQL
cat >dbt_packages/pk/macros/pk.sql <<'SQL'
{% macro pk_util() %}{{ helper() }}{{ other() }}{% endmacro %}
{% macro helper() %}pk{% endmacro %}
{% macro thing3() %}{{ adapter.dispatch('thing3', 'pk')() }}{% endmacro %}
{% macro default__thing3() %}pk d{% endmacro %}
{% macro duckdb__thing3() %}pk dd{% endmacro %}
{% macro default__thing2() %}pk 2{% endmacro %}
SQL

run parse
expect_rc 0 "parse"
M=target/manifest.json
deps() { expect_json "$M" ".macros['macro.$1'].depends_on.macros" "$2" "${3:-$1}"; }
deps p.helper '[]' "a macro that calls nothing lists nothing"
deps p.order_and_dupes '["macro.p.other","macro.p.helper"]' "each macro once, in the order first called"
deps p.under_execute '["macro.p.helper","macro.p.other"]' "calls under execute and in else branches count"
deps p.not_macros '[]' "builtins, filters, methods, adapter methods, ref and names of no macro are left out"
deps p.returns '["macro.p.helper","macro.p.other"]' "the calls inside return() count, return does not"
deps p.nested '["macro.p.other","macro.p.helper"]' "a call comes before the calls in its arguments"
deps p.loop_filter '["macro.p.helper","macro.p.other"]' "a for loop's filter comes after its body, as in Jinja2's tree"
deps p.with_default '["macro.p.helper"]' "calls in a parameter's default count"
deps p.builtins_of_dbt '["macro.dbt.statement","macro.dbt.run_query"]' "dbt's own macros, called by name, in a call block, or as dbt.x"
deps p.qualified '["macro.pk.pk_util","macro.pk.helper","macro.p.other"]' "pkg.macro() is the macro of that package"
deps pk.pk_util '["macro.pk.helper","macro.p.other"]' "a package's macro finds its own package's macros first, then the root's"
deps p.thing '["macro.p.duckdb__thing"]' "dispatch in a namespace: the adapter's implementation, not the macro's own name"
deps p.calls_thing3 '["macro.pk.thing3","macro.p.default__thing3"]' \
	"dispatch with keywords: the name called, then the root project's implementation before the package's"
deps pk.thing3 '["macro.p.default__thing3"]' "a package's dispatch finds the root project's override"
deps p.thing2 '["macro.pk.default__thing2"]' "dispatch without a namespace searches every package"
deps p.test_my_check '["macro.p.helper"]' "a generic test's macro lists what its text calls"
expect_json "$M" ".macros['macro.p.test_my_check'].macro_sql" \
	'{% test my_check(model) %}select * from {{ model }} where {{ helper() }} is null{% endtest %}' \
	"a test block's macro_sql ends at its endtest"

# at run time dispatch finds the macros the lists name: the root project's default__thing3 before
# pk's duckdb__thing3, the adapter's duckdb__thing in namespace p (thing2's list of packages is
# the old form, which dbt reads when parsing but refuses when running)
echo "select '{{ calls_thing3() }}' as v, '{{ thing() }}' as w" >models/c.sql
run run --select c
expect_rc 0 "run a model calling the dispatching macros"
expect_query "select v, w from c" "root|dd" "dispatch at run time finds what depends_on lists"
rm models/c.sql

# the lists are the same from run, and feed state:modified: a change to a macro that another
# macro calls is a change of the model that calls the other one
echo "select {{ pk.pk_util() }} as x" >models/b.sql
run parse
mkdir -p state && cp target/manifest.json state/
deps pk.pk_util '["macro.pk.helper","macro.p.other"]' "the lists stay after a second parse"
sed -i 's/{% macro other(x=none) %}o{% endmacro %}/{% macro other(x=none) %}o2{% endmacro %}/' macros/m.sql
run ls --select state:modified --state state --resource-type model --output name
expect_rc 0 "ls state:modified"
if grep -qx "b" "$OUT"; then ok "a model whose macro calls a changed macro is modified"; else not_ok "a model whose macro calls a changed macro is modified" "$(cat "$OUT" "$ERR")"; fi
if grep -qx "a" "$OUT"; then not_ok "a model calling no macro is not modified" "$(cat "$OUT")"; else ok "a model calling no macro is not modified"; fi

done_testing
