#!/usr/bin/env bash
# Unit tests on the Flink SQL Gateway double: each runs in a bounded session of its own, where the
# model's inputs are declared again; fixtures are typed from the input table's columns (Flink
# types, backtick quoting); a wrong expectation fails with the diff.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/flinkgw.sh"
gw_start
project shop_stream
mkdir -p "$GW_DATA/topics"
cp data/topics/*.jsonl "$GW_DATA/topics/"
export FLINK_GATEWAY_PORT=${GW##*:}
cat >models/staging/unit.yml <<'YML'
version: 2
unit_tests:
  - name: stg_orders_keeps_placed
    model: stg_orders
    given:
      - input: ref('orders')
        rows:
          - {order_id: 1, customer_id: 7, amount: 5, status: PLACED}
          - {order_id: 2, customer_id: 7, amount: 0, status: PLACED}
          - {order_id: 3, customer_id: 8, amount: 3}
    expect:
      rows: [{order_id: 1, status: placed}]
YML
run run
expect_rc 0 "run builds the streaming project"
run test -s test_type:unit
expect_rc 0 "the unit test passes on Flink"
expect_out_re "PASS stg_orders::stg_orders_keeps_placed .*\[PASS" "its status line"
sql=target/compiled/shop_stream/models/staging/unit.yml/models/staging/stg_orders_keeps_placed.sql
if grep -q 'cast(null as STRING) as `status`' "$sql" && grep -q 'from __dbt__cte__orders' "$sql"; then
	ok "fixtures are typed from the Flink table and quoted with backticks"
else
	not_ok "fixtures are typed from the Flink table and quoted with backticks" "$(cat "$sql" 2>&1)"
fi
gw_admin GET /statements
if node -e 'const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
	const u = s.find(x => x.statement.includes("dbt_internal_unit_test_actual"));
	process.exit(u && s.some(x => x.session == u.session && x.statement.startsWith("CREATE TEMPORARY TABLE") &&
		x.statement.includes("`orders`") && x.statement.includes("scan.bounded.mode")) ? 0 : 1)' "$GW_BODY"; then
	ok "the unit test runs in a session of its own where its input is declared bounded"
else
	not_ok "the unit test runs in a session of its own where its input is declared bounded" "$(head -c 3000 "$GW_BODY")"
fi

sed -i 's/rows: \[{order_id: 1, status: placed}\]/rows: [{order_id: 1, status: placed}, {order_id: 3, status: placed}]/' models/staging/unit.yml
run test -s test_type:unit
expect_rc 1 "a wrong expectation fails on Flink"
expect_out_re "^[0-9:]+  ---,3 +,placed$" "the diff shows the expected row the model drops"

done_testing
