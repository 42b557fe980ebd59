#!/usr/bin/env bash
# The context a model is compiled in has every member of dbt 1.9's ModelContext (the list in
# context_members/, derived from dbt-core's source by context_members/derive.py) and nothing more
# but the names context_members/extras.txt gives a reason for. `builtins` lists the members and
# `context` resolves each of them; then a few members are checked for what they do.
. "$(dirname "$0")/lib.sh"

LIST="$DATA/e2e/context_members/dbt_1.9_model_context.txt"
EXTRAS="$DATA/e2e/context_members/extras.txt"
mkdir -p "$WORK/p/models" "$WORK/p/seeds" "$WORK/p/macros"
cd "$WORK/p" || exit 2
printf 'name: p\n' >dbt_project.yml
cat >models/names.sql <<'SQL'
select 1 as x
-- NAMES {{ builtins.keys() | sort | join(',') }}
-- UNRESOLVED {% for k in builtins %}{% if context[k] is undefined %}{{ k }},{% endif %}{% endfor %}.
SQL
run compile -s names
expect_rc 0 "compile"
sed -n 's/.*-- NAMES //p' target/compiled/p/models/names.sql | tr ',' '\n' | sort >"$WORK/ours"
grep -v '^#' "$EXTRAS" | cut -f1 | sort >"$WORK/extras"
sort "$LIST" >"$WORK/dbt"
missing=$(comm -23 "$WORK/dbt" "$WORK/ours" | tr '\n' ' ')
if [ -z "$missing" ]; then ok "every member of dbt 1.9's model context is there ($(wc -l <"$WORK/dbt") names)"
else not_ok "every member of dbt 1.9's model context is there" "missing: $missing"; fi
unexplained=$(comm -13 "$WORK/dbt" "$WORK/ours" | comm -23 - "$WORK/extras" | tr '\n' ' ')
if [ -z "$unexplained" ]; then ok "every other member is listed in extras.txt"
else not_ok "every other member is listed in extras.txt" "not listed: $unexplained"; fi
stale=$(comm -13 "$WORK/ours" "$WORK/extras" | tr '\n' ' ')
if [ -z "$stale" ]; then ok "extras.txt lists no name the context lacks"
else not_ok "extras.txt lists no name the context lacks" "stale: $stale"; fi
if grep -q -- "-- UNRESOLVED \.$" target/compiled/p/models/names.sql; then ok "context resolves every member"
else not_ok "context resolves every member" "$(grep UNRESOLVED target/compiled/p/models/names.sql)"; fi

# what some of them do
printf 'id,code\n1,007\n2,\n' >seeds/s.csv
cat >macros/m.sql <<'SQL'
{% macro boom() %}{{ exceptions.raise_compiler_error('inner') }}{% endmacro %}
{% macro show_members() %}
  {{ log("version " ~ dbt_version, info=true) }}
  {{ log("strict " ~ (set_strict([1, 1, 2]) | length), info=true) }}
  {{ log("zip " ~ (zip_strict([1, 2], 'ab') | list), info=true) }}
  {{ log("diff " ~ diff_of_two_dicts({'A': ['x', 'Y'], 'b': ['z']}, {'a': ['y']}), info=true) }}
  {{ log("try " ~ try_or_compiler_error('never', fromjson, '[1]'), info=true) }}
  {{ log("which " ~ invocation_args_dict.which, info=true) }}
  {{ log("envs " ~ dbt_metadata_envs, info=true) }}
  {{ log("now " ~ sql_now, info=true) }}
  {{ log("thread " ~ thread_id, info=true) }}
  {{ log("pytz " ~ modules.datetime.datetime(1997, 9, 29, 6, 14, tzinfo=modules.pytz.timezone('America/Los_Angeles')) ~ " " ~ modules.datetime.datetime(2020, 1, 1, tzinfo=modules.pytz.utc), info=true) }}
{% endmacro %}
{% macro fails() %}{{ try_or_compiler_error('the message I chose', boom) }}{% endmacro %}
SQL
cat >models/uses_seed.sql <<'SQL'
{% if execute %}{% set t = load_agate_table() %}{% endif %}
select 1 as x
SQL
DBT_ENV_CUSTOM_ENV_TEAM=data run run-operation show_members
expect_rc 0 "run-operation"
expect_out "version 1.9.8" "dbt_version names the dbt version Sluice matches"
expect_out "strict 2" "set_strict"
expect_out "zip [(1, 'a'), (2, 'b')]" "zip_strict"
expect_out "diff {'A': ['x'], 'b': ['z']}" "diff_of_two_dicts compares without case"
expect_out "try [1]" "try_or_compiler_error returns the call's value"
expect_out "which run-operation" "invocation_args_dict"
expect_out "envs {'TEAM': 'data'}" "dbt_metadata_envs"
expect_out "now now()" "sql_now"
expect_out "thread MainThread" "thread_id"
# pytz's zones, unlocalized, carry their first standard offset (local mean time), as pytz's do
expect_out "pytz 1997-09-29 06:14:00-07:53 2020-01-01 00:00:00+00:00" "modules.pytz"
# the artifacts' metadata.env: the same variables, as dbt's get_metadata_vars
DBT_ENV_CUSTOM_ENV_TEAM=data DBT_ENV_CUSTOM_ENV_SITE=north run compile --select names
expect_rc 0 "compile"
for f in manifest run_results; do
	expect_json target/$f.json '.metadata.env.TEAM + " " + d.metadata.env.SITE + " " + Object.keys(d.metadata.env).length' \
		'data north 2' "$f.json's metadata.env"
done
run parse --no-partial-parse
expect_json target/manifest.json '.metadata.env' '{}' "none set: an empty env"
run run-operation fails
expect_rc 1 "try_or_compiler_error raises"
expect_err "the message I chose" "with the message it was given"
cat >macros/seed_mat.sql <<'SQL'
{% materialization agate_check, default %}
  {% set t = load_agate_table() %}
  {{ log("agate " ~ t.column_names | join(',') ~ " " ~ (t.rows | length) ~ " " ~ t.rows[0]['code'] ~ " " ~ t.rows[1]['code'], info=true) }}
  {% call statement('main') %}select 1{% endcall %}
  {{ return({'relations': []}) }}
{% endmaterialization %}
SQL
printf 'seeds:\n  p:\n    +materialized: agate_check\n    +column_types: {code: varchar}\n' >>dbt_project.yml
run seed
expect_out "agate id,code 2 007 None" "load_agate_table reads the seed, keeping text columns' text and nulls"

done_testing
