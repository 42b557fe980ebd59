#!/usr/bin/env bash
# Partial parsing, its safe half: a second `sluice parse` of an unchanged project keeps the manifest
# (new generated_at and invocation_id) without parsing; a changed model, macro, env var, var,
# dbt_project.yml, an added or removed file, a manifest changed by hand each mean a full parse with
# the right result; a corrupt cache, one of another version, --no-partial-parse, DBT_PARTIAL_PARSE
# and flags.partial_parse are honoured.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/pp/models/sub" "$WORK/pp/macros" && cd "$WORK/pp"
cat >dbt_project.yml <<'EOS'
name: pp
profile: pp
vars:
  color: red
EOS
cat >profiles.yml <<'EOS'
pp:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: pp.duckdb
EOS
cat >macros/shout.sql <<'EOS'
{% macro shout(x) %}upper({{ x }}){% endmacro %}
EOS
echo "select {{ shout(\"'a'\") }} as a" >models/a.sql
cat >models/sub/b.sql <<'EOS'
{{ config(schema=env_var('T730_SCHEMA', 'one'), tags=[var('color')]) }}
select * from {{ ref('a') }}
EOS
export T730_SCHEMA=one
CACHE=target/partial_parse.sluice
M=target/manifest.json
LOG=logs/sluice.log

# parse_once [ARGS...]: a parse with the log emptied first; sets HOW to served / full
parse_once() {
	mkdir -p logs && : >"$LOG"
	run parse --profiles-dir . "$@"
	if grep -q "nothing changed since the last parse" "$LOG"; then HOW=served; else HOW=full; fi
}
# expect_m PATH WANT: a value of the manifest
expect_m() {
	local got
	got=$(json_get "$M" "$1")
	if [ "$got" = "$2" ]; then ok "manifest$1 = $2"; else not_ok "manifest$1 = $2" "got: $got"; fi
}
# the manifest without what changes on every parse
norm() { sed -E 's/"(generated_at|invocation_id)": "[^"]*"/"\1": "X"/g' "$1"; }

parse_once
expect_rc 0 "a first parse"
expect_how full "a first parse parses"
expect_file "$CACHE" "it writes the parse cache"
cp "$M" "$WORK/m1.json"
id1=$(json_get "$M" '.metadata.invocation_id')

parse_once
expect_rc 0 "parse again"
expect_how served "nothing changed: the cache serves"
expect_out "Found 2 models" "the found line as a parse prints it"
expect_out "Wrote target/manifest.json"
if cmp -s <(norm "$M") <(norm "$WORK/m1.json"); then ok "the same manifest"; else not_ok "the same manifest"; fi
id2=$(json_get "$M" '.metadata.invocation_id')
if [ -n "$id2" ] && [ "$id1" != "$id2" ]; then ok "with a new invocation_id"; else not_ok "with a new invocation_id" "$id1 / $id2"; fi
parse_once
expect_how served "and again"

# a model changed in the same instant, its size the same: the stat alone cannot tell
sed -i 's/as a/as z/' models/a.sql
parse_once
expect_how full "a changed model parses"
reason "'$PWD/models/a.sql' changed"
expect_m '.nodes["model.pp.a"].raw_code' "select {{ shout(\"'a'\") }} as z"
parse_once
expect_how served "then the cache serves again"

printf '{%% macro shout(x) %%}lower({{ x }}){%% endmacro %%}\n' >macros/shout.sql
parse_once
expect_how full "a changed macro parses"
expect_m '.macros["macro.pp.shout"].macro_sql' "{% macro shout(x) %}lower({{ x }}){% endmacro %}"

T730_SCHEMA=two parse_once
expect_how full "a changed env var parses"
reason "the environment variable T730_SCHEMA changed"
expect_m '.nodes["model.pp.b"].schema' "main_two"
T730_SCHEMA=two parse_once
expect_how served "the same env var again: served"
expect_m '.nodes["model.pp.b"].schema' "main_two"
parse_once
expect_how full "the env var back as it was parses"
expect_m '.nodes["model.pp.b"].schema' "main_one"

parse_once --vars '{color: blue}'
expect_how full "a changed --vars parses"
expect_m '.nodes["model.pp.b"].tags' '["blue"]'
parse_once --vars '{color: blue}'
expect_how served "the same --vars again: served"
sed -i 's/color: red/color: green/' dbt_project.yml
parse_once
expect_how full "a changed dbt_project.yml parses"
expect_m '.nodes["model.pp.b"].tags' '["green"]'

echo "select 1 as c" >models/sub/c.sql
parse_once
expect_how full "an added model parses"
expect_m '.nodes["model.pp.c"].name' "c"
rm models/sub/c.sql
parse_once
expect_how full "a removed model parses"
expect_m '.nodes["model.pp.c"]' "undefined"
parse_once
expect_how served "served once more"

sed -i 's/"pp"/"pq"/' "$M"
parse_once
expect_how full "a manifest changed since it was written is written again by a parse"
reason "target/manifest.json changed since it was written"
expect_m '.metadata.project_name' "pp"

# a corrupt cache is not trusted; nor one of another version
sed -i 's/^F \(.*\)$/F \1x/' "$CACHE"
parse_once
expect_rc 0 "a corrupt cache"
expect_how full "a corrupt cache is not trusted"
reason "the cache does not read back whole"
sed -i 's/^version .*/version 0.0.0-other/' "$CACHE"
parse_once
expect_how full "a cache of another version is not trusted"
reason "it was written by another version of sluice"
head -c 100 "$CACHE" >"$CACHE.cut" && mv "$CACHE.cut" "$CACHE"
parse_once
expect_how full "a cut cache is not trusted"
parse_once
expect_how served "a cache written again serves"
# the manifest line comes last and is rewritten in place by each served parse: its own check
# catches a changed number, and a line cut short
size1=$(stat -c %s "$CACHE")
parse_once
expect_how served "served again, the manifest line rewritten in place"
size2=$(stat -c %s "$CACHE")
if [ "$size1" = "$size2" ] && tail -n 1 "$CACHE" | grep -q '^manifest [0-9]* [0-9]* [0-9]* [0-9]* [0-9a-f]\{16\}$'; then
	ok "the cache keeps its length, the manifest line last"
else not_ok "the cache keeps its length, the manifest line last" "$size1 / $size2: $(tail -n 1 "$CACHE")"; fi
cp "$CACHE" "$WORK/cache.good"
sed -i '$ s/^manifest \([0-9]*\) \([0-9]*\) \([0-9]*\) \([0-9]*\) /manifest \1 \2 \3 1 /' "$CACHE"
parse_once
expect_how full "a manifest line with another number is not trusted"
reason "the cache does not read back whole"
cp "$WORK/cache.good" "$CACHE"
truncate -s -5 "$CACHE"
parse_once
expect_how full "a manifest line cut short is not trusted"
reason "the cache does not read back whole"

parse_once --no-partial-parse
expect_how full "--no-partial-parse parses"
if [ -e "$CACHE" ]; then not_ok "--no-partial-parse leaves no cache"; else ok "--no-partial-parse leaves no cache"; fi
parse_once
expect_how full "nor is there one to serve next"
DBT_PARTIAL_PARSE=false parse_once
expect_how full "DBT_PARTIAL_PARSE=false parses"
printf 'flags:\n  partial_parse: false\n' >>dbt_project.yml
parse_once
parse_once
expect_how full "flags.partial_parse: false parses"
parse_once --partial-parse
parse_once --partial-parse
expect_how served "--partial-parse wins over the project's flag"

# a parse that fails leaves no cache behind, and a warning is given again
echo "select * from {{ ref('nothing') }}" >models/d.sql
parse_once --partial-parse
expect_rc 2 "a broken model fails the parse"
if [ -e "$CACHE" ]; then not_ok "a failed parse leaves no cache"; else ok "a failed parse leaves no cache"; fi
parse_once --partial-parse
expect_rc 2 "and fails it again"
done_testing
