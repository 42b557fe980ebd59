#!/usr/bin/env bash
# Microbatch models run batch by batch, as dbt 1.9's MicrobatchModelRunner and MicrobatchBuilder:
# the batches of batch_size from begin (first run, full refresh) or from the checkpoint less
# lookback batches, or the --event-time-start/--event-time-end window; each batch reads its refs
# through an event_time filter of its window (render_event_time_filtered) and replaces that window
# of the table; Batch lines, the model's SUCCESS / PARTIAL SUCCESS (k/n) / ERROR, batch_results in
# run_results.json; pre-hooks with the first batch only, post-hooks with the last; a failed first
# batch skips the rest. The flags are checked as dbt checks them.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/mb/models" "$WORK/mb/seeds" && cd "$WORK/mb"
printf 'name: mb\nprofile: mb\n' >dbt_project.yml
printf 'id,event_ts,amount\n1,2024-01-01 10:00:00,10\n2,2024-01-02 11:00:00,20\n3,2024-01-03 12:00:00,30\n4,2024-01-04 13:00:00,40\n5,2024-01-05 14:00:00,50\n' >seeds/events.csv
cat >models/stg_events.sql <<'EOF'
{{ config(event_time='event_ts') }}
select id, cast(event_ts as timestamp) as event_ts, amount from {{ ref('events') }}
EOF
cat >models/daily.sql <<'EOF'
{{ config(materialized='incremental', incremental_strategy='microbatch', event_time='event_ts',
          batch_size='day', begin='2024-01-01',
          pre_hook="insert into hook_log select 'pre {{ model.batch.id }}'",
          post_hook="insert into hook_log select 'post {{ model.batch.id }}'") }}
select id, event_ts, amount * 2 as doubled, '{{ model.batch.event_time_start }}' as batch_start,
       '{{ config.get("__dbt_internal_microbatch_event_time_end") }}' as legacy_end
from {{ ref('stg_events') }}
EOF
mkdir -p macros
echo '{% macro make_log() %}{% do run_query("create table hook_log (what varchar)") %}{% endmacro %}' >macros/make_log.sql
run seed
expect_rc 0 "seed"
run run-operation make_log
expect_rc 0 "a table for the hooks to write to"

run run --event-time-start 2024-01-02 --event-time-end 2024-01-04
expect_rc 0 "a run of a window"
expect_out "START sql microbatch model main.daily" "the model is described as dbt's MicrobatchModelRunner does"
expect_out_re "Batch 1 of 2 START batch 2024-01-02 of main.daily \.+ \[RUN\]" "a start line a batch"
expect_out_re "Batch 2 of 2 OK created batch 2024-01-03 of main.daily \.+ \[OK in" "an OK line a batch"
expect_out_re "OK created sql microbatch model main.daily \.+ \[SUCCESS in" "the model's line says SUCCESS"
expect_query "select id, doubled, batch_start from daily order by id" "2|40|2024-01-02 00:00:00+00:00
3|60|2024-01-03 00:00:00+00:00" "each batch read its window of the ref only"
expect_query "select legacy_end from daily where id = 2" "2024-01-03 00:00:00+00:00" \
	"the batch's bounds in the config keys dbt 1.9 sets for older adapter macros"
expect_query "select what from hook_log order by what" "post 20240103
pre 20240102" "the pre-hook ran with the first batch, the post-hook with the last"
expect_file target/compiled/mb/models/daily/daily_2024-01-02.sql
expect_file target/run/mb/models/daily/daily_2024-01-03.sql
grep -q "from (select \* from \"mb\".\"main\".\"stg_events\" where event_ts >= '2024-01-03 00:00:00+00:00' and event_ts < '2024-01-04 00:00:00+00:00')" \
	target/compiled/mb/models/daily/daily_2024-01-03.sql && ok "a batch's compiled file, its ref rendered as dbt's render_event_time_filtered (no alias on DuckDB)" \
	|| not_ok "the ref is rendered as dbt's render_event_time_filtered" "$(cat target/compiled/mb/models/daily/daily_2024-01-03.sql)"
expect_json target/run_results.json '.results.find(r => r.unique_id == "model.mb.daily").batch_results' \
	'{"successful":[["2024-01-02T00:00:00+00:00","2024-01-03T00:00:00+00:00"],["2024-01-03T00:00:00+00:00","2024-01-04T00:00:00+00:00"]],"failed":[]}' \
	"run_results.json lists the batches"
expect_json target/run_results.json '.results.find(r => r.unique_id == "model.mb.daily").message' SUCCESS
expect_json target/run_results.json '.results.find(r => r.unique_id == "model.mb.daily").adapter_response' '{}' \
	"no adapter response of its own, as dbt's _initial_run_microbatch_model_result"
expect_json target/run_results.json '.results.find(r => r.unique_id == "model.mb.daily").timing.length' 0

# --empty: the limited subquery wrapped by the batch's filter, as BaseRelation.__str__
cat >models/empty_mb.sql <<'EOS'
{{ config(materialized='incremental', incremental_strategy='microbatch', event_time='event_ts',
          batch_size='day', begin='2024-01-01') }}
select * from {{ ref('stg_events') }}
EOS
run run -s empty_mb --empty --event-time-start 2024-01-02 --event-time-end 2024-01-03
expect_rc 0 "a microbatch model with --empty"
grep -qF "from (select * from (select * from \"mb\".\"main\".\"stg_events\" where false limit 0) where event_ts >= '2024-01-02 00:00:00+00:00'" \
	target/compiled/mb/models/empty_mb/empty_mb_2024-01-02.sql && ok "the empty subquery inside the batch's filter" \
	|| not_ok "the empty subquery inside the batch's filter" "$(cat target/compiled/mb/models/empty_mb/empty_mb_2024-01-02.sql)"
rm models/empty_mb.sql

# an incremental run of another window adds it; a window run again replaces its rows only
run run -s daily --event-time-start 2024-01-04 --event-time-end 2024-01-06
expect_rc 0 "the next window"
expect_query "select id, doubled from daily order by id" "2|40
3|60
4|80
5|100" "its rows are added"
printf 'id,event_ts,amount\n1,2024-01-01 10:00:00,10\n2,2024-01-02 11:00:00,25\n3,2024-01-03 12:00:00,35\n4,2024-01-04 13:00:00,40\n5,2024-01-05 14:00:00,50\n' >seeds/events.csv
run seed
run run -s daily --event-time-start "2024-01-02 06:00:00" --event-time-end 2024-01-03
expect_rc 0 "a window within a day"
expect_out "Batch 1 of 1 START batch 2024-01-02 of main.daily" "its start is truncated to the batch size"
expect_query "select id, doubled from daily order by id" "2|50
3|60
4|80
5|100" "only the window's rows are replaced"

# without a window: the checkpoint (now, to the batch boundary) less lookback batches
run run -s daily
expect_rc 0 "a run without a window"
expect_out_re "Batch 1 of 2 START batch [0-9]{4}-[0-9]{2}-[0-9]{2} of main.daily" "yesterday and today, with lookback 1"
expect_query "select count(*) from daily" "4" "no rows of those days: the table is as it was"

# a batch that fails: partial success, counted as an error, its children skipped
cat >models/daily.sql <<'EOF'
{{ config(materialized='incremental', incremental_strategy='microbatch', event_time='event_ts',
          batch_size='day', begin='2024-01-01') }}
select id, event_ts, amount * 2 as doubled
from {% if model.batch.id == '20240103' %}no_such_table{% else %}{{ ref('stg_events') }}{% endif %}
EOF
echo "select * from {{ ref('daily') }}" >models/after_daily.sql
run run -s daily+ --event-time-start 2024-01-02 --event-time-end 2024-01-05
expect_rc 1 "a partial success fails the run"
expect_out_re "Batch 2 of 3 ERROR creating batch 2024-01-03 of main.daily \.+ \[ERROR in" "the failed batch's line"
expect_out "Unhandled error while executing model.mb.daily" "its error, as dbt's GenericExceptionOnRun"
expect_out_re "Batch 3 of 3 OK created batch 2024-01-04" "the batches after it run"
expect_out_re "PARTIALLY created sql microbatch model main.daily \.+ \[PARTIAL SUCCESS \(2/3\) in" "the model's line"
expect_out "SKIP relation main.after_daily" "its children are skipped, as after an error"
expect_out "Completed with 1 partial success and 0 warnings" "dbt's EndOfRunSummary"
expect_out "Done. PASS=0 WARN=0 ERROR=1 SKIP=1 TOTAL=2" "the Done line counts it as an error"
expect_json target/run_results.json '.results.find(r => r.unique_id == "model.mb.daily").status' "partial success"
expect_json target/run_results.json '.results.find(r => r.unique_id == "model.mb.daily").batch_results.failed' \
	'[["2024-01-03T00:00:00+00:00","2024-01-04T00:00:00+00:00"]]' "the failed batch is listed"

# retry runs the failed batch only, and what was skipped; its result lists every batch
cp models/daily.sql "$WORK/daily_broken.sql"
sed -i "s/no_such_table/{{ ref('stg_events') }}/" models/daily.sql
run retry
expect_rc 0 "retry"
expect_out "Batch 1 of 1 START batch 2024-01-03 of main.daily" "only the failed batch runs again (previous_batch_results)"
expect_out "OK created sql view model main.after_daily" "the skipped child runs too"
expect_query "select doubled from daily where id = 3" "70" "the batch read the seed's new amount"
expect_json target/run_results.json '.results.find(r => r.unique_id == "model.mb.daily").batch_results.successful.map(b => b[0].slice(0, 10)).join()' \
	"2024-01-03,2024-01-02,2024-01-04" "the batches that succeeded before follow the retried one, as merge_batch_results"
cp "$WORK/daily_broken.sql" models/daily.sql

# a failed first batch skips the others
run run -s daily --event-time-start 2024-01-03 --event-time-end 2024-01-05
expect_rc 1 "the first batch fails"
expect_out_re "Batch 2 of 2 SKIP batch 2024-01-04 of main.daily \.+ \[SKIPPED" "the next one is skipped"
expect_out_re "ERROR creating sql microbatch model main.daily \.+ \[ERROR in" "the model is an error"
expect_json target/run_results.json '.results.find(r => r.unique_id == "model.mb.daily").batch_results.failed.length' 2

# the flags, checked as dbt checks them
run run --event-time-start 2024-01-02
expect_rc 2 "a start without an end"
expect_err "The flag \`--event-time-start\` was specified, but \`--event-time-end\` was not."
run build --event-time-end 2024-01-02
expect_rc 2 "an end without a start"
expect_err "The flag \`--event-time-end\` was specified, but \`--event-time-start\` was not."
run run --event-time-start 2024-01-05 --event-time-end 2024-01-02
expect_rc 2 "a start after the end"
expect_err "Value for \`--event-time-start\` must be less than \`--event-time-end\`"
run run --event-time-start 2024-13-01 --event-time-end 2024-12-02
expect_rc 2 "a date that is none"
expect_err "Invalid value for '--event-time-start': '2024-13-01' does not match the formats"
DBT_EVENT_TIME_START=2024-01-04 DBT_EVENT_TIME_END=2024-01-05 run run -s daily
expect_rc 0 "DBT_EVENT_TIME_START and DBT_EVENT_TIME_END"
expect_out "Batch 1 of 1 START batch 2024-01-04 of main.daily"

# the load checks the configs, as dbt's check_valid_microbatch_config, with its messages
sed -i "s/begin='2024-01-01'/begin=none/" models/daily.sql
run parse
expect_rc 2 "no begin"
expect_err "Microbatch model 'daily' must provide a 'begin' (datetime) config that indicates the earliest timestamp the microbatch model should be built from."
sed -i "s/begin=none/begin='the first of may'/" models/daily.sql
run parse
expect_rc 2 "a begin that is no datetime"
expect_err "Microbatch model 'daily' must provide a 'begin' config of valid datetime (ISO format), but got: the first of may."
sed -i "s/begin='the first of may'/begin='2024-01-01'/; s/batch_size='day'/batch_size='week'/" models/daily.sql
run parse
expect_rc 2 "a batch_size that is none of dbt's"
expect_err "Microbatch model 'daily' must provide a 'batch_size' config that is one of ['hour', 'day', 'month', 'year'], but got: week."
sed -i "s/batch_size='week'/batch_size='day'/; s/event_time='event_ts',//" models/daily.sql
run parse
expect_rc 2 "no event_time"
expect_err "Microbatch model 'daily' must provide an 'event_time' (string) config that indicates the name of the event time column."
# a project's own get_incremental_microbatch_sql: one run of the whole output, as before dbt 1.9
# (its behaviour flag require_batched_execution_for_custom_microbatch_strategy opts in)
cat >models/daily.sql <<'EOS'
{{ config(materialized='incremental', incremental_strategy='microbatch') }}
select 1 as id
EOS
echo "{% macro get_incremental_microbatch_sql(arg_dict) %}insert into {{ arg_dict['target_relation'] }} select * from {{ arg_dict['temp_relation'] }}{% endmacro %}" >macros/own_microbatch.sql
run run -s daily --full-refresh
expect_rc 0 "a project's own microbatch strategy"
expect_out "OK created sql incremental model main.daily" "runs the model once, without batches"
printf 'name: mb\nprofile: mb\nflags:\n  require_batched_execution_for_custom_microbatch_strategy: true\n' >dbt_project.yml
run parse
expect_rc 2 "the flag asks for batches: the configs are checked"
done_testing
