#!/usr/bin/env bash
# The streaming example end to end on every SQL Gateway REST API version: Flink 1.16 (v1), 1.17
# (v2), 1.20 (v3) and 2.0 (v4). Flink 1.16 has no SHOW JOBS / STOP JOB and its Kafka connectors
# cannot be read bounded (data tests of Kafka tables fail, saying why): without jobmanager_url each
# streaming_table fails before anything is created or submitted, naming the version and the key;
# with it, jobs are listed, compared, upgraded from a savepoint and stopped through the cluster's
# REST API. On every version jobmanager_url adds checkpoints, restarts and root exceptions to
# sluice jobs.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/flinkgw.sh"

for version in 1.16.3 1.17.2 1.20.0 2.0.0; do
	echo "# Flink $version"
	gw_start --flink-version "$version"
	project shop_stream
	mkdir -p "$GW_DATA/topics"
	cp data/topics/*.jsonl "$GW_DATA/topics/"
	export FLINK_GATEWAY_PORT=${GW##*:}
	export FLINK_SAVEPOINT_DIR="file://$WORK/savepoints-$version"
	unset FLINK_JOBMANAGER_URL
	api=$(case $version in 1.16.*) echo v1 ;; 1.17.*) echo v2 ;; 1.20.*) echo v3 ;; *) echo v4 ;; esac)

	run debug
	expect_out "engine: Apache Flink $version, SQL Gateway REST API $api" "$version: debug names REST API $api"

	if [ "$version" = 1.16.3 ]; then
		run run
		expect_rc 1 "$version: streaming tables cannot be deployed without jobmanager_url"
		expect_out "cannot be deployed: Flink 1.16.3 has no SHOW JOBS and no STOP JOB"
		expect_out "set jobmanager_url in the target of profiles.yml"
		expect_out "Done. PASS=3 WARN=0 ERROR=3 SKIP=0 TOTAL=6"
		gw_admin GET /statements
		if grep -q 'orders_per_minute\|SHOW JOBS\|INSERT INTO' "$GW_BODY"; then
			not_ok "$version: nothing of the streaming tables reached the gateway" "$(grep -o '"statement":"[^"]*orders_per_minute[^"]*"' "$GW_BODY" | head -3)"
		else ok "$version: nothing of the streaming tables reached the gateway"; fi
		gw_admin GET /jobs
		expect_js 'j.filter(x => x.name != "collect").map(x => x.name).join()' "" "$version: no job was submitted"
		run jobs
		expect_rc 1 "$version: sluice jobs needs it too"
		expect_err "set jobmanager_url"
	fi

	export FLINK_JOBMANAGER_URL="$GW_JM"
	run run
	expect_rc 0 "$version: run with jobmanager_url"
	expect_out "Done. PASS=6 WARN=0 ERROR=0 SKIP=0 TOTAL=6"
	gw_admin GET /jobs
	expect_js 'j.filter(x => x.status == "RUNNING").length' 3 "$version: three jobs run"
	run run
	expect_rc 0 "$version: a second run"
	expect_out_re "orders_per_minute .*\[RUNNING [0-9a-f]{32} in"
	gw_admin GET /jobs
	expect_js 'j.filter(x => x.name.startsWith("shop_stream.")).length' 3 "$version: the second run found the jobs and left them alone"

	if [ "$version" = 1.16.3 ]; then
		# 1.16's Kafka connectors have no bounded mode: a test of a Kafka table cannot end, and
		# says why (batch mode: Flink's refusal; streaming mode for upsert tables: the timeout)
		printf 'data_tests:\n  +timeout: 2\n' >>dbt_project.yml
		run test -s stg_orders customers
		expect_rc 1 "$version: tests of Kafka tables cannot pass"
		expect_out "Querying an unbounded table"
		expect_out "which cannot be read to an end"
		expect_out "Flink 1.16.3's Kafka connectors cannot stop at the latest offset: 'scan.bounded.mode' came with Flink 1.17"
		expect_no_out "PASS unique_customers_customer_id" "an upsert table's test is no pass either"
	else
		run test
		expect_rc 0 "$version: the tests pass"
	fi

	run jobs
	expect_rc 0 "$version: jobs"
	expect_out_re "orders_per_minute +[0-9a-f]{32} +RUNNING .* current$"
	expect_out "  last checkpoint: none yet; restarts: 0"

	# a change of the join, upgraded from a savepoint
	sed -i 's/c.country$/c.country,\n    upper(c.country) as country_code/' models/marts/orders_enriched.sql
	printf '      - name: country_code\n        data_type: STRING\n' >>models/marts/schema.yml
	run run -s orders_enriched
	expect_rc 0 "$version: upgrade: savepoint"
	expect_out_re "orders_enriched .*\[JOB [0-9a-f]{32} from savepoint file:$WORK/savepoints-$version/savepoint-"
	run jobs -s orders_enriched
	expect_out_re "last checkpoint: none yet \(restored from file:$WORK/savepoints-$version/savepoint-"

	# a failing job shows its root exception
	job=$(grep -o 'orders_per_minute *[0-9a-f]\{32\}' "$(run jobs; echo "$OUT")" | grep -o '[0-9a-f]\{32\}')
	gw_admin POST "/jobs/$job/fail" '{"reason":"Kafka broker unreachable"}'
	run jobs --all -s orders_per_minute
	expect_out "root exception: java.lang.RuntimeException: Kafka broker unreachable" "$version: the root exception of a failed job"

	# stop
	run jobs stop -s customer_totals
	expect_rc 0 "$version: jobs stop"
	expect_out_re "Stopped job [0-9a-f]{32} of model customer_totals"
	gw_admin GET /jobs
	expect_js 'j.filter(x => x.name.startsWith("shop_stream.customer_totals") && x.status == "CANCELED").length' 1 "$version: the job was canceled"
	gw_stop
done
done_testing
