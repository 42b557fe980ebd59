#!/usr/bin/env bash
# Microbatch models on PostgreSQL, as dbt-postgres runs them: each batch merged on the unique_key
# (postgres__get_incremental_microbatch_sql), its refs read through the batch's event_time window
# with the subquery alias PostgreSQL needs (BaseRelation.require_alias: _dbt_et_filter_subq_), as
# --empty's is.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"
pg_start

mkdir -p "$WORK/pmb/models" "$WORK/pmb/seeds" && cd "$WORK/pmb"
printf 'name: pmb\nprofile: pmb\n' >dbt_project.yml
pg_profile pmb analytics
printf 'id,event_ts,amount\n1,2024-01-01 10:00:00,10\n2,2024-01-02 11:00:00,20\n3,2024-01-03 12:00:00,30\n' >seeds/events.csv
cat >models/stg_events.sql <<'EOS'
{{ config(event_time='event_ts') }}
select id, event_ts::timestamp as event_ts, amount from {{ ref('events') }}
EOS
cat >models/daily.sql <<'EOS'
{{ config(materialized='incremental', incremental_strategy='microbatch', event_time='event_ts',
          batch_size='day', begin='2024-01-01', unique_key='id') }}
select id, event_ts, amount * 2 as doubled from {{ ref('stg_events') }}
EOS
run seed
expect_rc 0 "seed"
run run --event-time-start 2024-01-01 --event-time-end 2024-01-03
expect_rc 0 "two batches"
expect_out_re "Batch 2 of 2 OK created batch 2024-01-02 of analytics.daily \.+ \[" "each batch is run"
expect_query "select id, doubled from analytics.daily order by id" "1|20
2|40" "each batch's rows, and no others"
grep -q "where event_ts >= '2024-01-02 00:00:00+00:00' and event_ts < '2024-01-03 00:00:00+00:00') _dbt_et_filter_subq_stg_events" \
	target/compiled/pmb/models/daily/daily_2024-01-02.sql && ok "the filtered ref carries PostgreSQL's subquery alias" \
	|| not_ok "the filtered ref carries PostgreSQL's subquery alias" "$(cat target/compiled/pmb/models/daily/daily_2024-01-02.sql)"
printf 'id,event_ts,amount\n1,2024-01-01 10:00:00,10\n2,2024-01-02 11:00:00,25\n3,2024-01-03 12:00:00,30\n' >seeds/events.csv
run seed
run run -s daily --event-time-start 2024-01-02 --event-time-end 2024-01-04
expect_rc 0 "the next window, merged"
expect_query "select id, doubled from analytics.daily order by id" "1|20
2|50
3|60" "the window's rows are merged on the unique key"
sed -i "s/, unique_key='id'//" models/daily.sql
run run -s daily --event-time-start 2024-01-02 --event-time-end 2024-01-03
expect_rc 1 "no unique_key"
expect_out "dbt-postgres 'microbatch' requires a \`unique_key\` config" "dbt-postgres's error"
# --empty's subquery carries the alias PostgreSQL needs too (_render_limited_alias)
run run -s stg_events --empty
expect_rc 0 "run --empty"
grep -q "where false limit 0) _dbt_limit_subq_events" target/run/pmb/models/stg_events.sql \
	&& ok "--empty's subquery is aliased on PostgreSQL" || not_ok "--empty's subquery is aliased on PostgreSQL" \
	"$(cat target/run/pmb/models/stg_events.sql)"
done_testing
