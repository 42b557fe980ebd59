#!/usr/bin/env bash
# Materialized tables on the gateway double: what Flink refuses is refused with its messages
# (freshness units and signs, FULL mode's cron rule and workflow scheduler, declared columns, key
# columns the query lacks, FRESHNESS required before 2.2, no such statement before 1.20), and 2.2's
# optional FRESHNESS shows in SHOW CREATE MATERIALIZED TABLE. The lifecycle is t466.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/flinkgw.sh"

gw_mt_lake

# what Flink refuses
gw_fails "CREATE MATERIALIZED TABLE totals $WITH AS SELECT k, SUM(v) AS total FROM events GROUP BY k" \
	'Encountered "AS" at line 1, column' "1.20: FRESHNESS is required"
gw_fails "CREATE MATERIALIZED TABLE totals $WITH FRESHNESS = INTERVAL '1' YEAR AS SELECT k FROM events" \
	"Materialized table freshness only support SECOND, MINUTE, HOUR, DAY as the time unit."
gw_fails "CREATE MATERIALIZED TABLE totals $WITH FRESHNESS = INTERVAL -'10' SECOND AS SELECT k FROM events" \
	"Materialized table freshness doesn't support negative value."
gw_fails "CREATE MATERIALIZED TABLE totals $WITH FRESHNESS = INTERVAL '40' MINUTE REFRESH_MODE = FULL AS SELECT k FROM events" \
	"In full refresh mode, only freshness that are factors of 60 are currently supported when the time unit is MINUTE."
gw_fails "CREATE MATERIALIZED TABLE totals $WITH FRESHNESS = INTERVAL '1' HOUR AS SELECT k FROM events" \
	"The workflow scheduler must be configured when creating materialized table in full refresh mode." \
	"a freshness of an hour derives FULL mode, which needs a workflow scheduler"
gw_fails "CREATE MATERIALIZED TABLE totals (k STRING) $WITH FRESHNESS = INTERVAL '10' SECOND AS SELECT k FROM events" \
	'Was expecting one of:' "columns cannot be declared"
gw_fails "CREATE MATERIALIZED TABLE totals (PRIMARY KEY (x) NOT ENFORCED) $WITH FRESHNESS = INTERVAL '10' SECOND AS SELECT k FROM events" \
	"Primary key column 'x' not defined in the query schema. Available columns: ['k']."
gw_admin GET /jobs
expect_js 'j.length' 0 "nothing refused started a job"

gw_stop

# 2.2 made FRESHNESS optional; 1.19 has no materialized tables at all
gw_start --flink-version 2.2.0
gw_session v4
printf '%s\n' '{"key":null,"value":{"k":"a","v":1},"timestamp":1700000000000}' >"$GW_DATA/topics/events.jsonl"
gw_run "CREATE CATALOG lake WITH ('type' = 'paimon', 'warehouse' = 'file://$WORK/wh2')"
gw_run "USE CATALOG lake"
gw_run "CREATE TABLE events (k STRING, v INT) WITH ('connector' = 'kafka', 'topic' = 'events', 'format' = 'json', 'properties.bootstrap.servers' = 'b:9092', 'scan.startup.mode' = 'earliest-offset')"
gw_run "CREATE MATERIALIZED TABLE totals (PRIMARY KEY (k) NOT ENFORCED) $WITH AS SELECT k, SUM(v) AS total FROM events GROUP BY k" "2.2: no FRESHNESS (3 minutes, continuous)"
gw_submit "SHOW CREATE MATERIALIZED TABLE totals" v4; gw_wait v4; gw_fetch_ready v4
expect_js 'j.results.data[0].fields[0].split("\n").filter(l => /^(CREATE|FRESHNESS|REFRESH_MODE|  CONSTRAINT)/.test(l)).join("|")' \
	'CREATE MATERIALIZED TABLE `lake`.`default`.`totals`|  CONSTRAINT `PK_k` PRIMARY KEY (`k`) NOT ENFORCED|FRESHNESS = INTERVAL '"'3'"' MINUTE|REFRESH_MODE = CONTINUOUS' \
	"SHOW CREATE MATERIALIZED TABLE shows the derived freshness and mode"
gw_stop
gw_start --flink-version 1.19.1
gw_session v2
gw_fails "CREATE MATERIALIZED TABLE totals $WITH FRESHNESS = INTERVAL '10' SECOND AS SELECT 1" \
	'Encountered "MATERIALIZED" at line 1, column 8.' "1.19 has no CREATE MATERIALIZED TABLE"
gw_stop
done_testing
