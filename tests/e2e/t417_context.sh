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
echo "select '{{ env_var('DBT_ENV_SECRET_DBNAME') }}' as leak" >models/leak.sql
DBT_ENV_SECRET_DBNAME=hush_hush_value run parse
expect_rc 2 "a secret env var in a model is refused"
expect_err "models/leak.sql:1:"
expect_err "secret env vars (DBT_ENV_SECRET_DBNAME) are allowed only in profiles.yml and packages.yml"

done_testing
