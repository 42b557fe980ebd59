#!/usr/bin/env bash
# sluice source freshness: criteria merged from source and table as dbt merges them, pass / warn /
# error stale / runtime error per source, exit codes, sources.json in dbt's v3 shape, selection.
. "$(dirname "$0")/lib.sh"

project freshness
# the load times are relative to now, so the statuses do not depend on the day the test runs
run show --inline "create or replace table fresh_events as select now() - interval 1 minute as loaded_at, 'x' as kind;
create or replace table late_events as select now() - interval 3 hour as loaded_at;
create or replace table mixed_events as select now() - interval 3 hour as loaded_at, 'old' as kind
  union all select now() - interval 5 minute, 'recent';
create or replace table stale_events as select (now() - interval 3 day)::timestamp as loaded_at;
create or replace table empty_events as select now() as loaded_at where false;
create or replace table archive as select now() - interval 900 day as loaded_at;
select 1"
expect_rc 0 "the source tables are created"

run source freshness
expect_rc 1 "a stale source exits 1"
expect_out_re "1 of 8 START freshness of other.empty_events"
expect_out_re "ERROR STALE freshness of other.empty_events +\.+ \[ERROR STALE in" "an empty table is infinitely old"
expect_out_re "PASS freshness of raw.fresh_events +\.+ \[PASS in"
expect_out_re "WARN freshness of raw.late_events +\.+ \[WARN in"
expect_out_re "ERROR STALE freshness of raw.stale_events"
expect_out_re "WARN freshness of raw.tolerant_events" "a table's error_after overrides, the source's warn_after stays"
expect_out_re "WARN freshness of raw.filtered_events" "the filter narrows the rows"
expect_out_re "PASS freshness of raw.mixed_events" "without the filter the newest row counts"
expect_out_re "ERROR freshness of raw.broken_events" "a failing query is a runtime error"
expect_out "Runtime Error in source broken_events"
expect_out "no_such_column"
if grep -q "archive\|unchecked" "$OUT"; then not_ok "sources without freshness are not checked" "$(cat "$OUT")"
else ok "sources without freshness are not checked"; fi
expect_out "Done."

# sources.json: dbt's v3 shape
expect_json() {
	local got
	got=$(node -e "const d=JSON.parse(require('fs').readFileSync('target/sources.json','utf8')); console.log(JSON.stringify($1))" 2>&1)
	if [ "$got" = "$2" ]; then ok "${3:-sources.json: $1}"; else not_ok "${3:-sources.json: $1}" "got $got, want $2"; fi
}
if command -v node >/dev/null 2>&1; then
	expect_json 'd.metadata.dbt_schema_version' '"https://schemas.getdbt.com/dbt/sources/v3.json"'
	expect_json 'd.results.length' '8'
	expect_json 'Object.keys(d.results.find(r => r.unique_id === "source.freshness.raw.fresh_events"))' \
		'["unique_id","max_loaded_at","snapshotted_at","max_loaded_at_time_ago_in_s","status","criteria","adapter_response","timing","thread_id","execution_time"]'
	expect_json 'd.results.find(r => r.unique_id === "source.freshness.raw.broken_events").status' '"runtime error"'
	expect_json 'Object.keys(d.results.find(r => r.unique_id === "source.freshness.raw.broken_events"))' '["unique_id","error","status"]'
	expect_json 'd.results.find(r => r.unique_id === "source.freshness.raw.tolerant_events").criteria' \
		'{"warn_after":{"count":1,"period":"hour"},"error_after":{"count":7,"period":"day"},"filter":null}'
	expect_json 'd.results.find(r => r.unique_id === "source.freshness.other.empty_events").max_loaded_at' '"0001-01-01T00:00:00+00:00"'
	expect_json 'Math.round(d.results.find(r => r.unique_id === "source.freshness.raw.late_events").max_loaded_at_time_ago_in_s / 600)' '18' \
		"the age of a table loaded three hours ago is about 10800 s"
	expect_json '/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$/.test(d.results[0].snapshotted_at)' 'true' "timestamps are ISO with their zone"
else
	ok "skipped: no node to read JSON"
fi

# the manifest carries the merged criteria too
run parse
expect_rc 0 "parse"
if command -v node >/dev/null 2>&1; then
	got=$(node -e "const m=JSON.parse(require('fs').readFileSync('target/manifest.json','utf8')); const s=m.sources; console.log(JSON.stringify([s['source.freshness.raw.tolerant_events'].freshness.error_after, s['source.freshness.raw.archive'].freshness, s['source.freshness.raw.broken_events'].loaded_at_field]))")
	if [ "$got" = '[{"count":7,"period":"day"},null,"no_such_column"]' ]; then ok "the manifest has the merged criteria"
	else not_ok "the manifest has the merged criteria" "$got"; fi
fi

# selection, warnings only, and --output
run source freshness -s source:raw.fresh_events source:raw.late_events -o "$WORK/fresh.json"
expect_rc 0 "warnings alone exit 0"
expect_out "1 of 2 START"
if [ -f "$WORK/fresh.json" ]; then ok "--output writes there"; else not_ok "--output writes there"; fi
run source freshness -s source:other.unchecked
expect_rc 0 "nothing to check exits 0"
expect_out "Nothing to do"
run source
expect_rc 2 "a missing subcommand exits 2"
expect_err "Missing command: freshness"

done_testing
