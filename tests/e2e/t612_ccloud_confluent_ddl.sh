#!/bin/bash
# The Statements API double speaks Confluent's SQL where it differs from open-source Flink, and
# refuses what Confluent refuses: DISTRIBUTED BY (HASH only, key columns first, a positive bucket
# count), the table options of Confluent's topics, connectors Confluent does not run, statement
# properties (sql.* only, sql.tables.scan.startup.mode checked and honoured), and CREATE OR ALTER
# MATERIALIZED TABLE with START_MODE (no FRESHNESS, REFRESH_MODE or PARTITIONED BY; DROP TABLE
# leaves a materialized table, DROP MATERIALIZED TABLE removes it).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ccloud.sh"

cc_start || { echo "1..0 # SKIP double"; exit 0; }

# failed NAME SQL SUBSTRING [PROPS]: the statement fails, its detail naming SUBSTRING
failed() {
	local props=${4:-}
	cc_submit "$1" "$2" "${props:-"{}"}"
	local phase detail
	phase=$(jv .status.phase)
	[ "$phase" = FAILED ] || { cc_wait "$1" FAILED; phase=$(jv .status.phase); }
	detail=$(jv .status.detail)
	if [ "$phase" = FAILED ] && [[ "$detail" == *"$3"* ]]; then ok "refused: $1"
	else not_ok "refused: $1" "phase $phase, detail: $detail"; fi
}
completes() {
	local props=${3:-}
	cc_submit "$1" "$2" "${props:-"{}"}"
	if cc_wait "$1" COMPLETED; then ok "${4:-$1 completes}"; else not_ok "${4:-$1 completes}" "$(jv .status)"; fi
}

# --- DISTRIBUTED BY ---
completes ddl-orders "CREATE TABLE orders (id BIGINT, customer STRING, amount DECIMAL(10,2)) DISTRIBUTED BY HASH(id) INTO 4 BUCKETS WITH ('changelog.mode' = 'append', 'kafka.retention.time' = '7 d')"
cc_admin POST /topics/orders '[{"id":1,"customer":"ann","amount":10.50},{"id":2,"customer":"bob","amount":3.00}]'
cc_snap show-orders 'SHOW CREATE TABLE orders'
case "$ROWS" in *'DISTRIBUTED BY HASH(`id`) INTO 4 BUCKETS'*"'changelog.mode' = 'append'"*) ok "the table keeps its distribution and options" ;;
	*) not_ok "the table keeps its distribution and options" "$ROWS" ;; esac
cc_snap q-orders 'SELECT id, customer FROM orders ORDER BY id'
[ "$ROWS" = '[["1","ann"],["2","bob"]]' ] && ok "a table with Confluent's options is read" || not_ok "read" "$ROWS"
failed ddl-second "CREATE TABLE t2 (id BIGINT, customer STRING) DISTRIBUTED BY HASH(customer) INTO 2 BUCKETS" \
	"Key columns must appear at the beginning of the table schema"
failed ddl-order "CREATE TABLE t3 (a BIGINT, b STRING, c INT) DISTRIBUTED BY HASH(b, a)" "same order as the key schema"
failed ddl-range "CREATE TABLE t4 (a BIGINT) DISTRIBUTED BY RANGE(a) INTO 2 BUCKETS" "Only HASH is supported"
failed ddl-nokey "CREATE TABLE t5 (a BIGINT) DISTRIBUTED BY HASH(nope) INTO 2 BUCKETS" "'nope' not found"
failed ddl-zero "CREATE TABLE t6 (a BIGINT) DISTRIBUTED BY HASH(a) INTO 0 BUCKETS" "positive integer"
completes ddl-into "CREATE TABLE t7 (a BIGINT) DISTRIBUTED INTO 3 BUCKETS" '{}' "DISTRIBUTED INTO n BUCKETS alone"
completes ctas-dist "CREATE TABLE big DISTRIBUTED BY HASH(id) INTO 2 BUCKETS AS SELECT id, amount FROM orders WHERE amount > 5" \
	'{"sql.snapshot.mode":"now"}' "CTAS with a distribution"
cc_snap q-big 'SELECT id FROM big'
[ "$ROWS" = '[["1"]]' ] && ok "the CTAS filled its table" || not_ok "CTAS rows" "$ROWS"
failed ctas-dist-bad "CREATE TABLE big2 DISTRIBUTED BY HASH(amount) AS SELECT id, amount FROM orders" "Key columns must appear" \
	'{"sql.snapshot.mode":"now"}'

# --- table options and connectors ---
failed opt-mode "CREATE TABLE t8 (a BIGINT) WITH ('changelog.mode' = 'bogus')" "Invalid value 'bogus' for table option 'changelog.mode'"
failed opt-upsert "CREATE TABLE t9 (a BIGINT) WITH ('changelog.mode' = 'upsert')" "no key"
failed opt-fs "CREATE TABLE t10 (a BIGINT) WITH ('connector' = 'filesystem', 'path' = '/tmp/x', 'format' = 'csv')" "Unsupported connector 'filesystem'"
failed opt-kafka "CREATE TABLE t11 (a BIGINT) WITH ('connector' = 'kafka', 'topic' = 't', 'properties.bootstrap.servers' = 'mybroker:9092', 'format' = 'json')" \
	"Unsupported connector 'kafka'"
completes opt-confluent "CREATE TABLE t12 (a BIGINT) WITH ('connector' = 'confluent')" '{}' "'connector' = 'confluent' is a topic of the environment"
cc_snap show-t12 'SHOW CREATE TABLE t12'
case "$ROWS" in *"'topic' = 't12'"*) ok "its topic is named after it" ;; *) not_ok "topic of t12" "$ROWS" ;; esac
completes opt-datagen "CREATE TABLE gen (a BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '3')"

# --- statement properties ---
failed prop-unknown "SELECT 1" "Unknown statement property 'table.exec.foo'" '{"table.exec.foo":"x"}'
failed prop-startup "SELECT 1" "Invalid value 'newest' for property 'sql.tables.scan.startup.mode'" '{"sql.tables.scan.startup.mode":"newest"}'
failed prop-snapshot "SELECT 1" "'sql.snapshot.mode'" '{"sql.snapshot.mode":"later"}'
cc_snap q-earliest 'SELECT COUNT(*) FROM orders' '{"sql.tables.scan.startup.mode":"earliest-offset"}'
[ "$ROWS" = '[["2"]]' ] && ok "earliest-offset reads the topic from its start" || not_ok "earliest" "$ROWS"
cc_snap q-latest 'SELECT COUNT(*) FROM orders' '{"sql.tables.scan.startup.mode":"latest-offset"}'
[ "$ROWS" = '[["0"]]' ] && ok "latest-offset skips what the topic held" || not_ok "latest" "$ROWS"

# --- materialized tables ---
cc_submit mt-1 'CREATE OR ALTER MATERIALIZED TABLE totals DISTRIBUTED BY HASH(customer) INTO 2 BUCKETS AS SELECT customer, SUM(amount) AS total FROM orders GROUP BY customer'
cc_expect .status.traits.sql_kind CREATE_MATERIALIZED_TABLE
cc_wait mt-1 RUNNING && ok "the statement of a materialized table runs on" || not_ok "mt runs" "$(jv .status)"
cc_snap q-mt 'SELECT customer, total FROM totals ORDER BY customer'
[ "$ROWS" = '[["ann","10.50"],["bob","3.00"]]' ] && ok "the statement keeps the table current" || not_ok "mt rows" "$ROWS"
cc_admin POST /topics/orders '[{"id":3,"customer":"ann","amount":1.00}]'
cc_snap q-mt2 'SELECT total FROM totals WHERE customer = '"'ann'"
[ "$ROWS" = '[["11.50"]]' ] && ok "and follows new records" || not_ok "mt follows" "$ROWS"
completes mt-same 'CREATE OR ALTER MATERIALIZED TABLE totals DISTRIBUTED BY HASH(customer) INTO 2 BUCKETS AS SELECT customer, SUM(amount) AS total FROM orders GROUP BY customer' \
	'{}' "an unchanged CREATE OR ALTER is a no-op that completes"
cc_call GET "$CC_P/mt-1"
cc_expect .status.phase RUNNING "the table's statement runs on"
failed mt-create "CREATE MATERIALIZED TABLE totals AS SELECT customer FROM orders" "table already exists"
failed mt-table "CREATE OR ALTER MATERIALIZED TABLE orders AS SELECT 1 AS x" "is not a materialized table"
failed mt-fresh "CREATE OR ALTER MATERIALIZED TABLE m2 FRESHNESS = INTERVAL '1' MINUTE AS SELECT id FROM orders" "FRESHNESS is not supported"
failed mt-part "CREATE OR ALTER MATERIALIZED TABLE m3 PARTITIONED BY (id) AS SELECT id FROM orders" "PARTITIONED BY is not supported"
failed mt-mode "CREATE OR ALTER MATERIALIZED TABLE m4 START_MODE = SOMETIME AS SELECT id FROM orders" "FROM_BEGINNING"
failed mt-dist "CREATE OR ALTER MATERIALIZED TABLE m5 DISTRIBUTED BY HASH(total) AS SELECT customer, SUM(amount) AS total FROM orders GROUP BY customer" \
	"Key columns must appear"
cc_submit mt-now "CREATE OR ALTER MATERIALIZED TABLE fresh START_MODE = FROM_NOW AS SELECT id, customer FROM orders"
cc_wait mt-now RUNNING
cc_snap q-now1 'SELECT COUNT(*) FROM fresh'
[ "$ROWS" = '[["0"]]' ] && ok "START_MODE = FROM_NOW skips what the sources held" || not_ok "from now" "$ROWS"
cc_admin POST /topics/orders '[{"id":4,"customer":"cid","amount":2.00}]'
cc_snap q-now2 'SELECT id FROM fresh'
[ "$ROWS" = '[["4"]]' ] && ok "and reads what comes after" || not_ok "from now, new" "$ROWS"
# evolving in place: a changed definition replaces the job and resets the state
cc_submit mt-2 'CREATE OR ALTER MATERIALIZED TABLE totals AS SELECT customer, COUNT(*) AS n FROM orders GROUP BY customer'
cc_wait mt-2 RUNNING
cc_snap q-mt3 'SELECT customer, n FROM totals ORDER BY customer'
[ "$ROWS" = '[["ann","2"],["bob","1"],["cid","1"]]' ] && ok "a changed definition evolves the table in place" || not_ok "evolve" "$ROWS"
completes drop-t 'DROP TABLE totals' '{}' "DROP TABLE of a materialized table is accepted"
cc_snap q-mt4 'SELECT COUNT(*) FROM totals'
[ "$ROWS" = '[["3"]]' ] && ok "but leaves it in place" || not_ok "DROP TABLE left it" "$ROWS"
completes drop-mt 'DROP MATERIALIZED TABLE totals'
cc_snap q-mt5 'SELECT COUNT(*) FROM totals'
case "$ROWS" in FAILED*totals*) ok "DROP MATERIALIZED TABLE removes it" ;; *) not_ok "dropped" "$ROWS" ;; esac
cc_call GET "$CC_P/mt-2"
P=$(jv .status.phase)
[ "$P" != RUNNING ] && ok "its statement ended with it ($P)" || not_ok "the statement ended" "$(jv .status)"

cc_stop
echo "1..$n"
[ "$failed" -eq 0 ]
