#!/usr/bin/env bash
# The rest of the dbt context: modules.re / datetime / itertools, zip, set, flags, graph,
# run_started_at, doc() with {% docs %} blocks in .md files, and secret env vars, which are
# refused in models and never reach logs or artifacts.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/cx/models" && cd "$WORK/cx"
printf 'name: cx\nprofile: cx\n' >dbt_project.yml
echo "select 1 as a" >models/a.sql
cat >models/b.sql <<'EOS'
{% set m = modules.re.match('(?P<word>[a-z]+)-(\d+)', 'abc-123') %}
select '{{ m.group("word") }}' as w, {{ m.group(2) }} as n,
 '{{ modules.re.sub("\\s+", "_", "a  b   c") }}' as s,
 '{{ modules.re.findall("[0-9]+", "a1b22c333") | join(",") }}' as f,
 '{{ modules.re.compile("X", modules.re.IGNORECASE).sub("y", "xXx") }}' as ci,
 '{{ modules.re.split(",\s*", "a, b,c") | join("|") }}' as sp,
 '{{ modules.datetime.datetime(2024, 1, 31, 12).strftime("%Y/%m/%d %H") }}' as d,
 '{{ modules.datetime.date.fromisoformat("2024-02-29").add(days=1) }}' as d2,
 '{{ modules.datetime.datetime(2024, 1, 2) > modules.datetime.datetime(2024, 1, 1) }}' as cmp,
 {{ modules.itertools.product([1, 2], ['a', 'b']) | length }} as p,
 {{ modules.itertools.combinations([1, 2, 3], 2) | length }} as c,
 '{{ zip([1, 2], [3, 4]) }}' as z,
 '{{ set([1, 2, 1, 3]) | join(",") }}' as st,
 '{{ flags.WHICH }}' as which,
 {{ graph.nodes | length }} as gn,
 '{{ run_started_at.year > 2000 }}' as rs,
 '{{ doc("intro") | trim }}' as dd
EOS
printf '{%% docs intro %%}\nHello docs\n{%% enddocs %%}\n' >models/docs.md
printf 'version: 2\nmodels:\n  - name: a\n    description: "{{ doc(\x27intro\x27) }}"\n    columns:\n      - name: a\n        description: "{{ doc(\x27intro\x27) }} too"\n' >models/schema.yml
printf 'name: cx\nprofile: cx\nmodels:\n  +tags: [everywhere]\n' >dbt_project.yml
run run
expect_rc 0 "a model using the context builds"
expect_json target/manifest.json '.nodes["model.cx.a"].description' "Hello docs" "doc() in a description is rendered"
expect_json target/manifest.json '.nodes["model.cx.a"].columns.a.description' "Hello docs too" "and in a column's"
expect_json target/manifest.json '.nodes["model.cx.a"].tags' '["everywhere"]' "configs right under models: apply to every package"
expect_query "select * from {{ ref('b') }}" "abc|123|a_b_c|1,22,333|yyy|a|b|c|2024/01/31 12|2024-03-01|True|4|3|[(1, 3), (2, 4)]|1,2,3|run|2|True|Hello docs"

# datetime arithmetic with operators, and the rest of itertools
mkdir -p macros
cat >macros/first.sql <<'EOS'
{% macro first_char(x) %}{{ return(x[0]) }}{% endmacro %}
{% macro times(a, b) %}{{ return(a * b) }}{% endmacro %}
EOS
cat >models/ops.sql <<'EOS'
{%- set dt = modules.datetime -%}
{%- set it = modules.itertools -%}
select '{{ dt.datetime(2024, 1, 1) + dt.timedelta(hours=5) }}' as a,
 {{ (dt.datetime(2024, 3, 1) - dt.datetime(2024, 2, 1)).days }} as b,
 '{{ dt.date(2024, 3, 1) - dt.timedelta(days=1) }}' as c,
 '{{ (run_started_at - dt.timedelta(days=1)) < run_started_at }}' as d,
 '{{ dt.timedelta(minutes=20) * 3 }}' as e,
 '{{ dt.timedelta(days=1) / dt.timedelta(hours=6) }}' as f,
 '{% for k, g in it.groupby(["ab", "ac", "ba"], key=first_char) %}{{ k }}{{ g | length }}{% endfor %}' as g,
 '{{ it.accumulate([1, 2, 3]) | join(",") }}/{{ it.accumulate([1, 2, 3], times) | join(",") }}' as h,
 '{{ it.zip_longest([1, 2], [3]) }}' as i,
 {{ it.combinations_with_replacement([1, 2], 2) | length }} as j
EOS
run run -s ops
expect_rc 0 "datetime operators and itertools"
expect_query "select * from {{ ref('ops') }}" "2024-01-01 05:00:00|29|2024-02-29|True|1:00:00|4.0|a2b1|1,3,6/1,2,6|[(1, 3), (2, None)]|3"
echo "select 1 as x {% if execute %}{{ exceptions.warn('look out') }}{% endif %}" >models/warns.sql
run run -s warns
expect_rc 0 "a warning does not fail the model"
expect_out "[WARNING]: look out" "exceptions.warn() is shown"

# dbt's filters as_bool, as_number, as_native, as_text
echo "select '{{ (\"True\" | as_bool) is sameas true }}' as a, {{ \"42\" | as_number + 1 }} as b, '{{ (\"[1, 2]\" | as_native)[1] }}' as c, '{{ 5 | as_text }}' as d" >models/natives.sql
run run -s natives
expect_rc 0
expect_query "select * from {{ ref('natives') }}" "True|43|2|5" "as_bool, as_number, as_native and as_text convert"

# flags are known while parsing, as in dbt
echo "{{ config(tags=['during_' ~ flags.WHICH]) }} select 1 as x" >models/flagged.sql
run ls -s tag:during_ls --output name
expect_rc 0
expect_out "flagged" "flags.WHICH is set when config() is parsed"
rm models/flagged.sql

# columns of a relation, as api.Column objects
cat >models/cols.sql <<'EOS'
{%- set cols = adapter.get_columns_in_relation(ref('b')) if execute else [] -%}
select '{% for c in cols if c.name in ['w', 'n'] %}{{ c.name }}:{{ c.is_string() }}:{{ c.is_number() }}{% if not loop.last %},{% endif %}{% endfor %}' as info
EOS
run run -s cols
expect_rc 0
expect_query "select info from {{ ref('cols') }}" "w:True:False,n:False:True" "Column objects answer is_string() and is_number()"

# secrets: allowed in profiles.yml, refused in models, redacted everywhere
cat >profiles.yml <<'EOS'
cx:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: "target/{{ env_var('DBT_ENV_SECRET_DBNAME') }}.duckdb"
EOS
DBT_ENV_SECRET_DBNAME=hush_hush_value run debug
expect_rc 0 "a secret env var in profiles.yml works"
expect_no_out "hush_hush_value" "and is redacted from the output"
if grep -rq "hush_hush_value" logs target 2>/dev/null; then not_ok "the secret is in logs or artifacts" "$(grep -rl hush_hush_value logs target)"; else ok "the secret is in no log or artifact"; fi
# a secret that reaches SQL (here the schema) stays out of target/ and logs/ after a run
printf '      schema: "{{ env_var(\x27DBT_ENV_SECRET_SCH\x27) }}"\n' >>profiles.yml
DBT_ENV_SECRET_DBNAME=hush_hush_value DBT_ENV_SECRET_SCH=quiet_schema_x run run -s a
expect_rc 0 "a run with secrets in the profile"
expect_no_out "quiet_schema_x"
if grep -rq "quiet_schema_x\|hush_hush_value" logs target/run target/compiled target/*.json 2>/dev/null; then
	not_ok "the secret is in logs or artifacts" "$(grep -rl 'quiet_schema_x\|hush_hush_value' logs target/run target/compiled target/*.json)"
else ok "secrets are redacted from target/run, target/compiled, the JSON artifacts and logs/sluice.log"; fi
expect_file target/run/cx/models/a.sql
echo "select '{{ env_var('DBT_ENV_SECRET_DBNAME') }}' as leak" >models/leak.sql
DBT_ENV_SECRET_DBNAME=hush_hush_value DBT_ENV_SECRET_SCH=quiet_schema_x run parse
expect_rc 2 "a secret env var in a model is refused"
expect_err "models/leak.sql:1:"
expect_err "secret env vars (DBT_ENV_SECRET_DBNAME) are allowed only in profiles.yml and packages.yml"

done_testing
