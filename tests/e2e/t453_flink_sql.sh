#!/usr/bin/env bash
# sluice sql on the gateway double: -e, -f, stdin, results as tables, a streaming query printing
# rows with their kinds until --max-rows or --timeout, errors with the script's line and column,
# and --gateway without a project.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/flinkgw.sh"
gw_start
project shop_stream
mkdir -p "$GW_DATA/topics"
cp data/topics/*.jsonl "$GW_DATA/topics/"
export FLINK_GATEWAY_PORT=${GW##*:}

run sql -e "SHOW TABLES"
expect_rc 0 "SHOW TABLES"
expect_out "| table name"
expect_out "| stg_orders"
expect_out "| orders "
expect_out "rows in set"

run sql -e "SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS t(id, name)"
expect_rc 0 "a bounded query"
expect_out "| op |"
# a query that has not ended after a second prints as a stream, its columns as wide as their
# types: on a busy machine this bounded one may, so the width is not checked here
expect_out_re '^\| \+I \| +1 \| a +\|$' "the row, with its kind"
expect_out "2 rows in set"

run sql -e "SET 'execution.runtime-mode' = 'batch'; SELECT * FROM (VALUES (1, 'a')) AS t(id, name)"
expect_rc 0 "batch mode"
expect_out "[INFO] Execute statement succeeded."
expect_no_out "| op |" "batch results have no row kinds"

# a streaming query over an unbounded topic: rows as they come, stopped by --max-rows
run sql --max-rows 3 -e "SELECT order_id, status FROM stg_orders"
expect_rc 0 "a streaming query stopped by --max-rows"
expect_out "| +I |"
expect_out "3 rows received, then stopped (--max-rows)."
# (10 s: the query's first page must come before the limit, which on a busy machine takes a while)
run sql --timeout 10 -e "SELECT order_id FROM orders"
expect_rc 0 "a streaming query stopped by --timeout"
expect_out "rows received, then stopped (--timeout)."

# an updating query prints its changelog (the time it has to read the topic is generous: a busy
# machine may take seconds to open the session)
run sql --timeout 10 -e "SELECT status, count(*) AS n FROM stg_orders GROUP BY status"
expect_out "| -U |"
expect_out "| +U |"

# INSERT: the job id
run sql -e "CREATE TEMPORARY TABLE sink (id INT) WITH ('connector' = 'blackhole'); INSERT INTO sink VALUES (1)"
expect_rc 0 "INSERT"
expect_out "Job ID: "

# -f: the first failing statement stops the script, with its position in the file
printf 'SHOW TABLES;\n\nSELECT *\n  FROM no_such_table;\nSHOW DATABASES;\n' >"$WORK/q.sql"
run sql -f "$WORK/q.sql"
expect_rc 1 "a failing script exits 1"
expect_err "$WORK/q.sql:4:"
expect_err "Object 'no_such_table' not found"
expect_no_out "database name" "the script stopped at the error"

# stdin
printf 'SHOW CURRENT CATALOG;\n' | "$SLUICE" sql >"$OUT" 2>"$ERR"
RC=$?
expect_rc 0 "statements from stdin"
expect_out "default_catalog"

# sluice show previews a snapshot: a bounded batch query, the latest version of each customer
run run
expect_rc 0 "run"
run show -s orders_enriched --limit 3
expect_rc 0 "show a streaming model"
# (as dbt show prints it, agate's print_table: six columns, cells cut at 20 characters)
expect_out "|        2 |  30.00 | placed  | 2024-05-01T10:00:... |           2 | Grace Hopper  | ... |"
run show --inline "select status, count(*) as n from {{ ref('stg_orders') }} group by status order by n desc"
expect_rc 0 "show --inline reading a view"
expect_out "| placed   | 4 |"
# run-operation sees the project's relations in its new session
mkdir -p macros
cat >macros/ops.sql <<'SQL'
{% macro list_tables() %}
  {% set t = run_query("show tables") %}
  {{ log("tables: " ~ (t.columns[0].values() | sort | join(", ")), info=True) }}
{% endmacro %}
{% macro count_orders() %}
  {% set t = run_query("select count(*) as n from " ~ ref('orders')) %}
  {{ log("orders: " ~ t.columns[0].values()[0], info=True) }}
{% endmacro %}
SQL
run run-operation list_tables
expect_rc 0 "run-operation"
expect_out "tables: customer_totals, customers, orders, orders_enriched, orders_per_minute, stg_orders"
# a query over an unbounded topic never ends in streaming mode: it fails after query_timeout
printf '      query_timeout: 2\n' >>profiles.yml
run run-operation count_orders
expect_rc 1 "an endless query in a macro fails"
expect_err "the statement did not finish within 2 s (timeout)"
expect_err "in statement: select count(*) as n from \`default_catalog\`.\`default_database\`.\`orders\`"
expect_err "hint: a query over an unbounded source never ends in streaming mode"

# without a project
cd "$WORK"
run sql --gateway "$GW" -e "SHOW CATALOGS"
expect_rc 0 "--gateway"
expect_out "default_catalog"
# a profile's port as a YAML integer, not only as a string
mkdir -p "$WORK/intport" && cd "$WORK/intport" || exit 2
printf 'name: ip\nprofile: ip\n' >dbt_project.yml
printf 'ip:\n  target: d\n  outputs:\n    d:\n      type: flink\n      host: 127.0.0.1\n      port: %s\n' "${GW##*:}" >profiles.yml
run sql -e "SHOW CATALOGS"
expect_rc 0 "port: given as an integer"
expect_out "default_catalog"
cd "$WORK" || exit 2
gw_stop

# --timeout before the first result: the double answers NOT_READY to every fetch, so the
# statement's outcome is unknown when the time is up; saying it succeeded would be wrong
gw_start --not-ready 1000000000
run sql --gateway "$GW" --timeout 1 -e "SHOW CATALOGS"
expect_rc 0 "--timeout before the first result"
expect_out "[WARNING] Stopped (--timeout) before the statement gave a first result: nothing was received."
expect_no_out "Execute statement succeeded" "no success claimed for a statement whose result never came"
expect_no_out "in set" "no row count either"
gw_stop
done_testing
