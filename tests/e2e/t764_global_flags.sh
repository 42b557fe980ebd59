#!/usr/bin/env bash
# dbt's global flags, which CI scripts pass to every command: --warn-error (and
# --warn-error-options with include all, DBT_WARN_ERROR) turns the load's and the selection's
# warnings into errors; --log-level and --log-path (DBT_LOG_LEVEL, DBT_LOG_PATH) act as dbt's;
# the flags about dbt's own workings (usage statistics, its parsers and cache, its printer's
# width) are accepted and change nothing. Global flags may come before the command, as in dbt.
# Also docs generate --empty-catalog and debug --config-dir. --quiet prints errors only (and what
# show and compile print for the user), as dbt's.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/gf/models" && cd "$WORK/gf"
printf 'name: gf\nprofile: gf\n' >dbt_project.yml
echo "select 1 as id" >models/m.sql
run run -s nothing_here
expect_rc 0 "a selection that matches nothing warns"
expect_err "warning: the selection criterion 'nothing_here' does not match any enabled nodes"
run run -s nothing_here --warn-error
expect_rc 2 "--warn-error: it is an error"
expect_err "error: the selection criterion 'nothing_here' does not match any enabled nodes"
run --warn-error run -s nothing_here
expect_rc 2 "a global flag before the command, as dbt's global flags are written"
DBT_WARN_ERROR=true run run -s nothing_here
expect_rc 2 "DBT_WARN_ERROR=true"
run run -s nothing_here --warn-error-options '{"include": "all"}'
expect_rc 2 "--warn-error-options with include all"
run run -s nothing_here --warn-error-options '{"include": ["NoNodesForSelectionCriteria"]}'
expect_rc 0 "options naming events are accepted"
run run -s nothing_here --warn-error-options 'not a mapping'
expect_rc 2 "options that are no mapping"
expect_err "Invalid value for '--warn-error-options'"
printf 'models:\n  - name: gone\n' >models/schema.yml
run parse --warn-error
expect_rc 2 "a warning of the load fails it"
expect_err "error: 'gone' is described here but no such model, seed or snapshot exists"
rm models/schema.yml
run run --no-send-anonymous-usage-stats --send-anonymous-usage-stats --static-parser --no-static-parser \
	--cache-selected-only --no-populate-cache --introspect --printer-width 120 --record-timing-info "$WORK/t.prof" \
	--log-level-file debug --log-format-file json --write-json
expect_rc 0 "dbt's flags about its own workings are accepted"
expect_out "Done. PASS=1 WARN=0 ERROR=0 SKIP=0 TOTAL=1"
run --no-send-anonymous-usage-stats --printer-width 100 run
expect_rc 0 "flags before the command, one with a value"
run run --log-level warn
expect_rc 0 "--log-level warn"
expect_no_out "Running with sluice" "prints what --quiet prints"
expect_no_out "Done." "no progress nor summary"
run run -q
if [ -s "$OUT" ]; then not_ok "--quiet: a run that succeeds prints nothing, as dbt's" "$(cat "$OUT")"
else ok "--quiet: a run that succeeds prints nothing, as dbt's"; fi
echo "select * from no_such_table" >models/bad.sql
run run -q
expect_rc 1 "a failing run, quiet"
expect_out "Database Error in model bad" "its errors are printed"
expect_no_out "Done." "and nothing else"
rm models/bad.sql
run show -q --inline "select 41 + 1 as answer"
expect_out "42" "show -q prints its result"
run run --log-level debug
expect_out "Done." "--log-level debug prints the run"
run run --log-level loud
expect_rc 2 "an unknown level"
expect_err "Invalid value for '--log-level': 'loud'"
run run --log-path "$WORK/elsewhere"
expect_rc 0 "--log-path"
if [ -s "$WORK/elsewhere/sluice.log" ]; then ok "the log is written there"; else not_ok "the log is written there"; fi
run docs generate --empty-catalog
expect_rc 0 "docs generate --empty-catalog"
expect_json target/catalog.json '.nodes' '{}' "queries no catalog: no relations"
run docs generate
expect_json target/catalog.json ' && Object.keys(d.nodes).join(",")' "model.gf.m" "without it, the model"
run debug --config-dir --profiles-dir "$WORK/pdir"
expect_rc 0 "debug --config-dir"
expect_out "To view your profiles.yml file, run:" "says where profiles.yml is read from"
expect_out "xdg-open $WORK/pdir"
done_testing
