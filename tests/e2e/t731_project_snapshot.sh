#!/usr/bin/env bash
# The project snapshot, partial parsing for every command: a second load of an unchanged project
# reads its nodes from its snapshot (target/partial_parse.KEY.snapshot) instead of parsing them, and gets
# what a full load gets: SLUICE_SNAPSHOT_CHECK=1 makes sluice load the project whole as well and
# compare the two node by node (exit 70 on a difference), on every fixture project. Any change to
# what the load read (a macro, an added file, an env var, more than models' files) or to the
# options (--vars) means a full load with the right result; a damaged or cut snapshot is not read;
# one serves every command unless the load read `flags`; --no-partial-parse neither reads nor
# writes one; a secret that reaches a node keeps a project from being snapshotted at all.
. "$(dirname "$0")/lib.sh"

LOG=logs/sluice.log
# snapshots: the snapshot files in target/; used: the one the last load read
snapshots() { ls target/partial_parse.*.snapshot 2>/dev/null; }
used() { sed -n "s/.*read from '\(.*\)'.*/\1/p" logs/sluice.log | head -n 1; }

# --- every fixture: the snapshot gives back what parsing gives --------------------------------
export SLUICE_SNAPSHOT_CHECK=1
for f in jaffle_shop_duckdb semantic_layer unit_tests freshness dbt_naming shop jaffle_shop; do
	project "$f"
	rm -rf target  # what a local run of the example left
	pd=()
	[ -f profiles.yml ] && pd=(--profiles-dir .)
	load_once compile "${pd[@]}"
	expect_rc 0 "$f: compile"
	expect_how full "$f: the first load parses"
	snap=$(snapshots)
	if [ -n "$snap" ] && [ -s "$snap" ]; then ok "$f: it leaves a snapshot"; else not_ok "$f: it leaves a snapshot" "$(ls target)"; fi
	[ -f target/manifest.json ] && strip_manifest target/manifest.json >"$WORK/$f.m1"
	[ -d target/compiled ] && cp -r target/compiled "$WORK/$f.compiled"
	load_once compile "${pd[@]}"
	expect_rc 0 "$f: compile again, checked node by node against a full load"
	expect_how snapshot "$f: the second load reads the snapshot"
	if [ -f "$WORK/$f.m1" ]; then
		if strip_manifest target/manifest.json | cmp -s - "$WORK/$f.m1"; then ok "$f: the same manifest"
		else not_ok "$f: the same manifest" "$(strip_manifest target/manifest.json | head -c 600)"; fi
	fi
	if [ -d "$WORK/$f.compiled" ]; then
		if diff -r target/compiled "$WORK/$f.compiled" >/dev/null; then ok "$f: the same compiled SQL"
		else not_ok "$f: the same compiled SQL" "$(diff -r target/compiled "$WORK/$f.compiled" | head -20)"; fi
	fi
done

# --- a run from the snapshot builds the same tables, and the tests pass -----------------------
project jaffle_shop_duckdb
load_once build --profiles-dir .
expect_rc 0 "build"
expect_how full "the first build parses"
load_once build --profiles-dir .
expect_rc 0 "build again"
expect_how snapshot "the second build reads the snapshot"
expect_out "Completed successfully"
expect_query "select count(*) from {{ ref('customers') }}" "100" "the tables are built from the snapshot's nodes"

# --- what the load read, changed -------------------------------------------------------------
mkdir -p "$WORK/sp/models/sub" "$WORK/sp/macros" && cd "$WORK/sp"
cat >dbt_project.yml <<'EOS'
name: sp
profile: sp
vars:
  color: red
EOS
cat >profiles.yml <<'EOS'
sp:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: sp.duckdb
EOS
cat >macros/shout.sql <<'EOS'
{% macro shout(x) %}upper({{ x }}){% endmacro %}
EOS
echo "select {{ shout(\"'a'\") }} as a" >models/a.sql
cat >models/sub/b.sql <<'EOS'
{{ config(schema=env_var('T731_SCHEMA', 'one'), tags=[var('color')]) }}
select * from {{ ref('a') }}
EOS
cat >models/sub/props.yml <<'EOS'
models:
  - name: b
    description: the b model
    columns:
      - name: a
        data_tests: [not_null]
EOS
export T731_SCHEMA=one
M=target/manifest.json
expect_m() {
	local got
	got=$(json_get "$M" "$1")
	if [ "$got" = "$2" ]; then ok "manifest$1 = $2"; else not_ok "manifest$1 = $2" "got: $got"; fi
}
load_once compile --profiles-dir .
expect_rc 0 "compile"
expect_how full "the first load parses"
load_once compile --profiles-dir .
expect_how snapshot "nothing changed"
expect_m '.nodes["model.sp.b"].description' "the b model"

sleep 1.1  # files changed in the second the snapshot was written are hashed, not trusted by mtime
echo "select {{ shout(\"'z'\") }} as a, 2 as two" >models/a.sql
load_once compile --profiles-dir .
expect_rc 0 "a changed model (checked against a full load)"
expect_how partial "a changed model is parsed again alone"
if grep -q "upper('z')" target/compiled/sp/models/a.sql; then ok "the change is compiled"
else not_ok "the change is compiled" "$(cat target/compiled/sp/models/a.sql)"; fi
load_once compile --profiles-dir .
expect_how partial "and again: a few changed models do not rewrite the snapshot"

# a model's refs changed: its dependencies follow
echo "select 1 as z" >models/sub/d.sql
load_once compile --profiles-dir .
expect_how full "an added model"
sleep 1.1
cat >models/sub/b.sql <<'EOS'
{{ config(schema=env_var('T731_SCHEMA', 'one'), tags=[var('color')]) }}
select a.*, d.z from {{ ref('a') }} as a cross join {{ ref('d') }} as d
EOS
load_once compile --profiles-dir .
expect_rc 0 "a model with a new ref"
expect_how partial "a model with a new ref is parsed again alone"
expect_m '.nodes["model.sp.b"].depends_on.nodes' '["model.sp.a","model.sp.d"]'
expect_m '.child_map["model.sp.d"]' '["model.sp.b"]'
load_once ls --profiles-dir . -s +b --output name
expect_how partial "ls reads the snapshot compile wrote, and parses the changed model again"
expect_out "d"
# more than a few changed models: the snapshot is written anew
for i in 0 1 2 3 4 5 6 7 8 9; do echo "select $i as m" >"models/sub/m$i.sql"; done
load_once compile --profiles-dir .
expect_how full "ten added models"
sleep 1.1
for i in 0 1 2 3 4 5 6 7 8 9; do echo "select $i as m, {{ ref('a') }}.a from {{ ref('a') }}" >"models/sub/m$i.sql"; done
load_once compile --profiles-dir .
expect_rc 0 "ten changed models"
expect_how partial "ten changed models are parsed again alone"
expect_m '.nodes["model.sp.m9"].depends_on.nodes' '["model.sp.a"]'
load_once compile --profiles-dir .
expect_how snapshot "and the snapshot is written anew"
rm models/sub/m?.sql
load_once compile --profiles-dir .
expect_how full "ten removed models"
# a singular test changed: parsed again alone too
mkdir -p tests
echo "select * from {{ ref('a') }} where a is null" >tests/no_null_a.sql
load_once compile --profiles-dir .
expect_how full "an added singular test"
sleep 1.1
echo "select * from {{ ref('a') }} join {{ ref('d') }} on true where a is null" >tests/no_null_a.sql
load_once compile --profiles-dir .
expect_rc 0 "a changed singular test"
expect_how partial "a changed singular test is parsed again alone"
expect_m '.nodes["test.sp.no_null_a"].depends_on.nodes' '["model.sp.a","model.sp.d"]'
rm tests/no_null_a.sql
load_once compile --profiles-dir .
expect_how full "a removed singular test"
# its config() calls changed: the whole project is parsed (the config reaches its relation, its tests)
sed -i 's/tags=\[var(.color.)\]/tags=[var("color"), "extra"]/' models/sub/b.sql
load_once compile --profiles-dir .
expect_how full "a model whose config() changed"
reason "'$WORK/sp/models/sub/b.sql' changed its config() or metric() calls"
expect_m '.nodes["model.sp.b"].tags' '["red","extra"]'
# a ref to a model that does not exist: the error a full parse gives
sleep 1.1
echo "select * from {{ ref('nope') }}" >models/sub/d.sql
load_once compile --profiles-dir .
expect_rc 2 "a ref to a missing model"
expect_err "depends on a node named 'nope' which was not found"
expect_err "models/sub/d.sql:1:"
echo "select 1 as z" >models/sub/d.sql
# a Jinja error in a changed model: parsed in full, which reports it
load_once compile --profiles-dir .
expect_rc 0 "fixed"
sleep 1.1
echo "select {{ 1 + }} as z" >models/sub/d.sql
load_once compile --profiles-dir .
expect_rc 2 "a Jinja error in a changed model"
expect_how full "is reported by a full parse"
expect_err "models/sub/d.sql:1:"
echo "select 1 as z" >models/sub/d.sql
load_once compile --profiles-dir .
expect_rc 0 "fixed again"

sed -i 's/the b model/the b model, described again/' models/sub/props.yml
load_once compile --profiles-dir .
expect_how partial "a changed properties file of models is parsed again alone (t732 tells more)"
expect_m '.nodes["model.sp.b"].description' "the b model, described again"

# a changed macro: the models whose code called it while parsing (from inside other macros too)
# are parsed again, the rest read from the snapshot
sed -i 's/upper/lower/' macros/shout.sql
load_once compile --profiles-dir .
expect_rc 0 "a changed macro (checked against a full load)"
expect_how partial "the models that call it are parsed again alone"
if grep -q "lower(" target/compiled/sp/models/a.sql; then ok "the macro's change is compiled"
else not_ok "the macro's change is compiled" "$(cat target/compiled/sp/models/a.sql)"; fi
cat >macros/wrap.sql <<'EOS'
{% macro wrap(x) %}({{ shout(x) }}){% endmacro %}
EOS
echo "select {{ wrap(\"'e'\") }} as e" >models/sub/e.sql
load_once compile --profiles-dir .
expect_how full "an added macro and model"
sleep 1.1
sed -i 's/lower/upper/' macros/shout.sql
load_once compile --profiles-dir .
expect_rc 0 "a macro another macro calls, changed"
expect_how partial "the model that calls the other is parsed again alone"
if grep -q "(upper('e'))" target/compiled/sp/models/sub/e.sql; then ok "through the other macro"
else not_ok "through the other macro" "$(cat target/compiled/sp/models/sub/e.sql)"; fi
expect_m '.nodes["model.sp.e"].depends_on.macros' '["macro.sp.wrap"]'
# a macro that now calls config(): the config reaches the relation, the tests: a full parse
sleep 1.1
cat >macros/shout.sql <<'EOS'
{% macro shout(x) %}{{ config(tags=['loud']) }}upper({{ x }}){% endmacro %}
EOS
load_once compile --profiles-dir .
expect_how full "a macro that changes a model's config"
reason "'$WORK/sp/macros/shout.sql' changed the config() or metric() calls of model.sp.a"
expect_m '.nodes["model.sp.a"].tags' '["loud"]'
# a macro a properties file calls: what it gave there is not rendered again alone, so a full parse
cat >macros/describe.sql <<'EOS'
{% macro describe() %}described by a macro{% endmacro %}
EOS
sed -i 's/the b model, described again/"{{ describe() }}"/' models/sub/props.yml
load_once compile --profiles-dir .
expect_m '.nodes["model.sp.b"].description' "described by a macro"
sleep 1.1
sed -i 's/described by a macro/described by a changed macro/' macros/describe.sql
load_once compile --profiles-dir .
expect_rc 0 "a macro a description calls, changed"
expect_how full "is parsed in full"
reason "'$WORK/sp/macros/describe.sql' changed, and the project's load calls its macro 'macro.sp.describe' other than from models' code"
expect_m '.nodes["model.sp.b"].description' "described by a changed macro"
rm models/sub/e.sql macros/wrap.sql
echo "{% macro shout(x) %}lower({{ x }}){% endmacro %}" >macros/shout.sql
load_once compile --profiles-dir .
expect_rc 0 "back to fewer macros"

echo "select 3 as c" >models/sub/c.sql
load_once compile --profiles-dir .
expect_how full "an added model"
reason "files were added to or removed from '$WORK/sp/models/sub'"
expect_m '.nodes["model.sp.c"].name' "c"
rm models/sub/c.sql
load_once compile --profiles-dir .
expect_how full "a removed model"
expect_m '.nodes["model.sp.c"]' "undefined"

T731_SCHEMA=two load_once compile --profiles-dir .
expect_how full "a changed env var the project reads"
reason "the environment variable T731_SCHEMA changed"
expect_m '.nodes["model.sp.b"].schema' "main_two"
T731_SCHEMA=two load_once compile --profiles-dir .
expect_how snapshot "the same env var again"

load_once compile --profiles-dir . --vars '{color: blue}'
expect_how full "other --vars"
expect_m '.nodes["model.sp.b"].tags' '["blue","extra"]'

# one snapshot serves every command, as long as the load read no flag; --no-partial-parse reads
# and writes none
rm -f target/partial_parse.*.snapshot
load_once compile --profiles-dir .
expect_how full "compile"
load_once ls --profiles-dir .
expect_how snapshot "ls reads the snapshot compile wrote"
load_once run --profiles-dir . --full-refresh
expect_rc 0 "run --full-refresh"
expect_how snapshot "so does run, with a flag of its own"
if [ "$(snapshots | wc -l)" = 1 ]; then ok "one snapshot for every command"
else not_ok "one snapshot for every command" "$(ls target)"; fi
shared=$PWD/$(snapshots)
before=$(stat -c %Y "$shared")
sleep 1.1
load_once ls --profiles-dir . --no-partial-parse
expect_how full "--no-partial-parse parses"
if [ "$(stat -c %Y "$shared")" = "$before" ]; then ok "and leaves the snapshot alone"
else not_ok "and leaves the snapshot alone"; fi
# other options (--vars here) keep a snapshot of their own beside it
load_once ls --profiles-dir . --vars '{color: green}'
load_once ls --profiles-dir . --vars '{color: green}'
expect_how snapshot "other options, their own snapshot"
load_once compile --profiles-dir .
expect_how snapshot "and the first is still there"
if [ "$(used)" = "$shared" ]; then ok "the first one"; else not_ok "the first one" "$(used) is not $shared"; fi

# `parse` first: the commands after it read its snapshot (parse looks for its own cache before
# loading, and must leave the files it registered as a load numbers them). --threads is no part
# of the key: while parsing, target.threads is the profile's (1 here) whatever the option, as it
# would be stale after a partial parse in dbt; rendering to run, it is the option's
rm -f target/partial_parse.*.snapshot target/partial_parse.sluice
echo "{{ config(tags=['t' ~ target.threads]) }} select {{ target.threads }} as threads" >models/sub/t.sql
load_once parse --profiles-dir . --threads 4
expect_how full "parse --threads 4"
expect_m '.nodes["model.sp.t"].tags' '["t1"]'
load_once compile --profiles-dir . --threads 3 -s t
expect_rc 0 "compile --threads 3"
expect_how snapshot "compile --threads 3 reads the snapshot parse wrote"
expect_m '.nodes["model.sp.t"].tags' '["t1"]'
if grep -q "select 3 as threads" target/compiled/sp/models/sub/t.sql; then ok "the compiled SQL sees --threads"
else not_ok "the compiled SQL sees --threads" "$(cat target/compiled/sp/models/sub/t.sql)"; fi
load_once ls --profiles-dir .
expect_how snapshot "ls without --threads reads it too"
if [ "$(used)" = "$shared" ]; then ok "the same file"; else not_ok "the same file" "$(used) is not $shared"; fi
rm models/sub/t.sql

# a load that reads `flags` depends on the command: each command keeps its own snapshot then
cp models/sub/d.sql "$WORK/d.sql"
echo "{{ config(tags=[flags.WHICH]) }} select 1 as z" >models/sub/d.sql
load_once compile --profiles-dir .
expect_how full "a model that reads flags.WHICH"
expect_m '.nodes["model.sp.d"].tags' '["compile"]'
if [ ! -f "$shared" ]; then ok "the snapshot for every command goes"; else not_ok "the snapshot for every command goes"; fi
load_once ls --profiles-dir . -s d --output json --output-keys tags
expect_how full "ls does not read compile's snapshot"
expect_out '"tags": ["ls"]'
load_once ls --profiles-dir . -s d --output json --output-keys tags
expect_how snapshot "ls reads its own"
expect_out '"tags": ["ls"]'
ls_snap=$(used)
load_once compile --profiles-dir .
expect_how snapshot "compile reads its own"
expect_m '.nodes["model.sp.d"].tags' '["compile"]'
if [ "$(used)" != "$ls_snap" ]; then ok "not ls's"; else not_ok "not ls's" "$(used)"; fi
# enough changed models to write the snapshot anew: it stays the command's, though the models
# parsed again read no flag (else ls would read it, which the check against a full load refuses)
for i in 0 1 2 3 4 5 6 7 8 9; do echo "select $i as m" >"models/sub/m$i.sql"; done
load_once compile --profiles-dir .
expect_how full "ten added models"
sleep 1.1
for i in 0 1 2 3 4 5 6 7 8 9; do echo "select $i as m, 1 as n" >"models/sub/m$i.sql"; done
load_once compile --profiles-dir .
expect_how partial "ten changed models"
load_once compile --profiles-dir .
expect_how snapshot "the snapshot is written anew"
load_once ls --profiles-dir . -s d --output json --output-keys tags
expect_rc 0 "ls after it (checked against a full load)"
expect_how full "ls does not read it"
expect_out '"tags": ["ls"]'
rm models/sub/m?.sql
cp "$WORK/d.sql" models/sub/d.sql
load_once ls --profiles-dir .
expect_how full "flags no longer read"
load_once compile --profiles-dir .
expect_how snapshot "one snapshot for every command again"
if [ "$(used)" = "$shared" ]; then ok "the same as before"; else not_ok "the same as before" "$(used) is not $shared"; fi

# a damaged snapshot, or one cut short, is not read, and the result is right
S=$shared
size=$(stat -c %s "$S")
printf 'X' | dd of="$S" bs=1 seek=$((size - 100)) conv=notrunc 2>/dev/null
load_once ls --profiles-dir . --output json --output-keys name
expect_rc 0 "ls with a damaged snapshot"
expect_how full "a damaged snapshot is not read"
reason "the snapshot is damaged"
expect_out '"name": "b"'
load_once ls --profiles-dir .
expect_how snapshot "it is written again"
truncate -s -20 "$S"
load_once ls --profiles-dir .
expect_rc 0 "ls with a snapshot cut short"
expect_how full "a snapshot cut short is not read"
reason "the snapshot is cut short"
sed -i 's/^version .*/version 0.0.0-other/' "$S"
load_once ls --profiles-dir .
expect_how full "a snapshot of another version is not read"
reason "it was written by another version of sluice"

# a secret that reaches a node (here its database, the profile's path) is never written down
cat >profiles.yml <<'EOS'
sp:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: "target/{{ env_var('DBT_ENV_SECRET_T731') }}.duckdb"
EOS
rm -f target/partial_parse.*
DBT_ENV_SECRET_T731=hush_t731_value load_once compile --profiles-dir .
expect_rc 0 "a compile with a secret in the profile"
if grep -rqa "hush_t731_value" target/partial_parse.* logs 2>/dev/null; then
	not_ok "the secret is in no snapshot" "$(grep -rla hush_t731_value target logs)"
else ok "the secret is in no snapshot"; fi
DBT_ENV_SECRET_T731=hush_t731_value load_once compile --profiles-dir .
expect_how full "so the next load parses"

done_testing
