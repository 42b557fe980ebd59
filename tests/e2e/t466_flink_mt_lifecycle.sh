#!/usr/bin/env bash
# A materialized table's lifecycle on the gateway double, statement by statement, as Flink runs it:
# CREATE MATERIALIZED TABLE starts a continuous refresh job named after the table, DESCRIBE and SHOW
# TABLES see a table, DROP TABLE does not find it (DROP MATERIALIZED TABLE refuses a plain table),
# SUSPEND stops the job with a savepoint and RESUME starts it from there (each once), DROP
# MATERIALIZED TABLE cancels it. What Flink refuses at CREATE is t463.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/flinkgw.sh"

gw_mt_lake

# a continuous one
gw_run "CREATE MATERIALIZED TABLE totals (PRIMARY KEY (k) NOT ENFORCED) $WITH FRESHNESS = INTERVAL '10' SECOND AS SELECT k, SUM(v) AS total FROM events GROUP BY k" "CREATE MATERIALIZED TABLE"
gw_admin GET /jobs
expect_js 'j.length + " " + j[0].name + " " + j[0].status' '1 Materialized_table_`lake`.`default`.`totals`_continuous_refresh_job RUNNING' "its continuous refresh job runs, named after the table"
job=$(jsv 'j[0].id')
expect_js 'j[0].statement.split("\n")[0]' 'INSERT INTO `lake`.`default`.`totals`' "the job inserts the query's rows into the table"
gw_submit "SHOW TABLES"; gw_wait; gw_fetch_ready v3
expect_js 'j.results.data.map(r => r.fields[0]).join()' "events,totals" "SHOW TABLES lists it"
gw_submit "DESCRIBE totals"; gw_wait; gw_fetch_ready v3
expect_js 'j.results.data.map(r => r.fields[0] + " " + r.fields[1]).join()' "k STRING,total INT" "DESCRIBE shows the query's columns"
gw_fails "CREATE MATERIALIZED TABLE totals $WITH FRESHNESS = INTERVAL '10' SECOND AS SELECT k FROM events" \
	"Table (or view) default.totals already exists in Catalog lake."
gw_fails "DROP TABLE totals" "Table with identifier 'lake.default.totals' does not exist." \
	"DROP TABLE does not find a materialized table"
gw_run "DROP TABLE IF EXISTS totals" "DROP TABLE IF EXISTS passes over it"
gw_fails "DROP MATERIALIZED TABLE IF EXISTS events" \
	"Table \`lake\`.\`default\`.\`events\` is not a materialized table" "DROP MATERIALIZED TABLE IF EXISTS refuses a plain table"
gw_fails "ALTER MATERIALIZED TABLE events SUSPEND" \
	"Table \`lake\`.\`default\`.\`events\` is not a materialized table"

# SUSPEND and RESUME
gw_fails "ALTER MATERIALIZED TABLE totals SUSPEND" "Savepoint directory is not configured, can't stop job with savepoint."
gw_run "SET 'execution.checkpointing.savepoint-dir' = 'file://$WORK/sp'"
gw_fails "ALTER MATERIALIZED TABLE totals RESUME" \
	"Materialized table \`lake\`.\`default\`.\`totals\` continuous refresh job has been resumed, jobId is $job."
gw_run "ALTER MATERIALIZED TABLE totals SUSPEND"
gw_admin GET /jobs
expect_js "j.find(x => x.id == '$job').status" FINISHED "SUSPEND stops the job"
sp=$(jsv "j.find(x => x.id == '$job').savepoint")
expect_js "j.find(x => x.id == '$job').savepoint.startsWith('file:')" true "with a savepoint"
gw_fails "ALTER MATERIALIZED TABLE totals SUSPEND" \
	"Materialized table \`lake\`.\`default\`.\`totals\` continuous refresh job has been suspended, jobId is $job."
gw_run "ALTER MATERIALIZED TABLE totals RESUME"
gw_admin GET /jobs
expect_js 'j.filter(x => x.status == "RUNNING").length' 1 "RESUME starts a new job"
expect_js 'j.find(x => x.status == "RUNNING").restored_from' "$sp" "from the savepoint"
job2=$(jsv 'j.find(x => x.status == "RUNNING").id')

# DROP MATERIALIZED TABLE cancels the job
gw_run "DROP MATERIALIZED TABLE totals"
gw_admin GET /jobs
expect_js "j.find(x => x.id == '$job2').status" CANCELED "DROP cancels the refresh job"
gw_fails "DROP MATERIALIZED TABLE totals" "Materialized table with identifier \`lake\`.\`default\`.\`totals\` does not exist."
gw_run "DROP MATERIALIZED TABLE IF EXISTS totals"
gw_fails "SHOW CREATE MATERIALIZED TABLE totals" 'Encountered "MATERIALIZED"' "1.20 has no SHOW CREATE MATERIALIZED TABLE"
gw_stop
done_testing
