#!/usr/bin/env bash
# compile (also --inline), parse, debug, clean, show, the JSON log format, and install.
. "$(dirname "$0")/lib.sh"
project shop

run compile
expect_rc 0 "compile succeeds"
expect_file target/compiled/shop/models/marts/revenue.sql
expect_file target/manifest.json
if [ ! -e target/run ]; then ok "compile runs nothing"; else not_ok "compile runs nothing"; fi

run compile --inline "select * from {{ ref('revenue') }} where currency = '{{ var('currency') }}'"
expect_rc 0 "compile --inline succeeds"
expect_out "select * from \"shop\".\"main\".\"revenue\" where currency = 'EUR'" "prints the compiled SQL"

run compile --inline "select * from {{ ref('nope') }}"
expect_rc 1 "compile --inline with an unknown ref fails"
expect_err "'nope' which was not found"

run compile -s revenue
expect_rc 0
expect_out "Compiled node 'revenue' is:"

run parse
expect_rc 0 "parse succeeds"
expect_json target/manifest.json '.nodes["model.shop.top_item"].depends_on.nodes' '["model.shop.revenue"]'

run debug
expect_rc 0 "debug succeeds"
expect_out "Connection test: [OK connection ok]"
expect_out "All checks passed!"
expect_out "type: duckdb"

run run -s stg_items
expect_rc 0
run show -s stg_items --limit 2
expect_rc 0 "show succeeds"
expect_out "| item_id | item_name | price_cents |"
expect_out "|       1 | apple     |         120 |"
expect_no_out "plum" "--limit is honoured"

run run --log-format json -s stg_items
expect_rc 0 "a run with JSON logs succeeds"
if head -n 1 "$OUT" | grep -q '^{"info": {"name": "MainReportVersion"'; then ok "JSON log lines"; else not_ok "JSON log lines" "$(head -3 "$OUT")"; fi
if grep -qv '^{' "$OUT"; then not_ok "every line is JSON" "$(grep -v '^{' "$OUT" | head -3)"; else ok "every line is JSON"; fi

run clean
expect_rc 0 "clean succeeds"
if [ ! -e target ]; then ok "clean removed target/"; else not_ok "clean removed target/"; fi

# install: the installed binary finds its macros and its DuckDB library
if [ -n "${SLUICE_BUILD_DIR:-}" ] && [ -d "$SLUICE_BUILD_DIR" ]; then
	cmake --install "$SLUICE_BUILD_DIR" --prefix "$WORK/prefix" >/dev/null 2>&1
	project shop
	"$WORK/prefix/bin/sluice" run >"$OUT" 2>"$ERR"
	RC=$?
	expect_rc 0 "the installed binary runs a project"
fi

done_testing
