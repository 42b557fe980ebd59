#!/usr/bin/env bash
# --no-write-json (DBT_WRITE_JSON, the project's flags.write_json), as dbt's write_json flag: no
# manifest.json, run_results.json nor sources.json is written (nor touched: the last ones stay);
# docs generate still writes its catalog and manifest, as dbt's GenerateTask does. A parse that
# wrote no manifest is not served from the parse cache afterwards.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/wj/models" && cd "$WORK/wj"
printf 'name: wj\nprofile: wj\n' >dbt_project.yml
echo "select 1 as id" >models/m.sql
run parse --no-write-json
expect_rc 0 "parse --no-write-json"
[ -e target/manifest.json ] && not_ok "no manifest.json" || ok "no manifest.json"
expect_no_out "Wrote target/manifest.json" "nothing said to be written"
run run --no-write-json
expect_rc 0 "run --no-write-json"
expect_out "Done. PASS=1 WARN=0 ERROR=0 SKIP=0 TOTAL=1"
[ -e target/manifest.json ] || [ -e target/run_results.json ] && not_ok "no artifacts after the run" \
	|| ok "no artifacts after the run"
run run
expect_rc 0 "run writes them by default"
[ -e target/manifest.json ] && [ -e target/run_results.json ] && ok "both written" || not_ok "both written"
cp target/run_results.json "$WORK/rr.json"
echo "select 2 as id" >models/m2.sql
DBT_WRITE_JSON=false run run
expect_rc 0 "DBT_WRITE_JSON=false"
cmp -s target/run_results.json "$WORK/rr.json" && ok "the last run_results.json is left as it was" \
	|| not_ok "the last run_results.json is left as it was"
grep -q '"model.wj.m2"' target/manifest.json && not_ok "the last manifest is left as it was" \
	|| ok "the last manifest is left as it was"
run parse
expect_rc 0 "parse after a run that wrote nothing"
grep -q '"model.wj.m2"' target/manifest.json && ok "the manifest is the project's now" \
	|| not_ok "the manifest is the project's now"
printf 'name: wj\nprofile: wj\nflags:\n  write_json: false\n' >dbt_project.yml
rm -rf target
run parse
expect_rc 0 "flags.write_json: false in dbt_project.yml"
[ -e target/manifest.json ] && not_ok "no manifest.json from the project's flag" || ok "no manifest.json from the project's flag"
run parse --write-json
expect_rc 0 "--write-json wins over the project's flag"
[ -e target/manifest.json ] && ok "manifest.json written" || not_ok "manifest.json written"
rm -f target/run_results.json
mkdir -p macros
printf '{%% macro hello() %%}{{ log("hi", info=True) }}{%% endmacro %%}\n' >macros/hello.sql
run run-operation hello
expect_rc 0 "run-operation with the project's write_json: false"
[ -e target/run_results.json ] && not_ok "run-operation writes no run_results.json" \
	|| ok "run-operation writes no run_results.json"
mkdir -p seeds && printf 'id,ts\n1,2024-01-01 00:00:00\n' >seeds/raw.csv
cat >models/sources.yml <<'YML'
sources:
  - name: s
    schema: main
    tables:
      - name: raw
        loaded_at_field: ts
        freshness: {warn_after: {count: 1, period: day}}
YML
run seed --write-json
expect_rc 0 "a seed for the source"
run source freshness
expect_out "WARN freshness of s.raw" "the source is checked"
[ -e target/sources.json ] && not_ok "no sources.json" || ok "no sources.json"
run source freshness --write-json
[ -e target/sources.json ] && ok "sources.json with --write-json" || not_ok "sources.json with --write-json"
rm -rf target
run docs generate --no-write-json
expect_rc 0 "docs generate --no-write-json"
[ -e target/catalog.json ] && [ -e target/manifest.json ] && ok "catalog and manifest written, as dbt's" \
	|| not_ok "catalog and manifest written, as dbt's"
[ -e target/run_results.json ] && not_ok "no run_results.json from its compile" || ok "no run_results.json from its compile"
done_testing
