#!/usr/bin/env bash
# docs generate on Flink (catalog.json from SHOW/DESCRIBE/SHOW CREATE TABLE: columns, types,
# connector options without secrets, watermark, the running job), and a persistent catalog
# created from the profile, whose tables outlive the session so nothing is declared again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/flinkgw.sh"
gw_start
project shop_stream
mkdir -p "$GW_DATA/topics"
cp data/topics/*.jsonl "$GW_DATA/topics/"
export FLINK_GATEWAY_PORT=${GW##*:}
export KAFKA_PASSWORD=s3cr3t-kafka-pw
# a secret among the connector options: it must not reach catalog.json
sed -i "s/'properties.group.id': 'shop_stream',/'properties.group.id': 'shop_stream', 'properties.sasl.jaas.config': 'password=\"{{ env_var(\"KAFKA_PASSWORD\") }}\"',/" models/sources/orders.sql

run run
expect_rc 0 "run"
win=$(grep -o 'orders_per_minute .*\[JOB [0-9a-f]\{32\}' "$OUT" | grep -o '[0-9a-f]\{32\}')
run docs generate
expect_rc 0 "docs generate"
cat=target/catalog.json
expect_json $cat '.nodes["model.shop_stream.orders"].metadata.type' "BASE TABLE"
expect_json $cat '.nodes["model.shop_stream.stg_orders"].metadata.type' VIEW
expect_json $cat '.nodes["model.shop_stream.orders"].columns.amount.type' "DECIMAL(10, 2)"
expect_json $cat '.nodes["model.shop_stream.orders"].columns.order_time.type' "TIMESTAMP(3) *ROWTIME*"
expect_json $cat '.nodes["model.shop_stream.orders"].columns.order_id.index' 1
expect_json $cat '.nodes["model.shop_stream.orders"].stats.connector.value' kafka
expect_json $cat '.nodes["model.shop_stream.orders"].stats.watermark.value' "FOR order_time AS \`order_time\` - INTERVAL '5' SECOND"
expect_json $cat '.nodes["model.shop_stream.customers"].stats.primary_key.value' customer_id
expect_json $cat '.nodes["model.shop_stream.orders_per_minute"].stats.job.value.startsWith("'$win' RUNNING since ")' true "the running job is in the catalog"
if grep -q "s3cr3t-kafka-pw" $cat; then not_ok "no secret in catalog.json"; else ok "no secret in catalog.json"; fi
expect_json $cat '.nodes["model.shop_stream.orders"].stats.options.value.includes("'"'"'properties.sasl.jaas.config'"'"' = '"'"'****'"'"'")' true "the secret option is masked"
if grep -rq "s3cr3t-kafka-pw" target logs; then not_ok "no secret under target/ or logs/" "$(grep -rl s3cr3t-kafka-pw target logs)"; else ok "no secret under target/ or logs/"; fi

# the site shows a streaming model's connector, options, watermark and job
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -n "$CHROMIUM" ]; then
	run docs generate --static
	out=${SLUICE_TEST_OUT:-$WORK}
	mkdir -p "$out"
	browse() {
		timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
			--disable-component-update --disable-sync --no-first-run --user-data-dir="$(mktemp -d "$WORK/chrome.XXXXXX")" \
			--virtual-time-budget=5000 "${@:2}" "$1" 2>/dev/null
	}
	browse "file://$PWD/target/static_index.html#!/model/model.shop_stream.orders_per_minute" --dump-dom >"$WORK/page.html"
	if grep -q '<h2>Streaming</h2>' "$WORK/page.html" && grep -q "<th[^>]*>Job</th><td>$win RUNNING since" "$WORK/page.html"; then
		ok "a streaming model's page shows its job"
	else
		not_ok "a streaming model's page shows its job" "$(grep -o '<h2>Streaming.\{0,600\}' "$WORK/page.html")"
	fi
	browse "file://$PWD/target/static_index.html#!/model/model.shop_stream.orders" --dump-dom >"$WORK/page.html"
	if grep -q "<code>connector</code> = <code>kafka</code>" "$WORK/page.html" &&
		grep -q "<th[^>]*>Watermark</th><td>FOR order_time AS" "$WORK/page.html"; then
		ok "a source's page shows its connector options and watermark"
	else
		not_ok "a source's page shows its connector options and watermark" "$(grep -o '<h2>Streaming.\{0,900\}' "$WORK/page.html")"
	fi
	browse "file://$PWD/target/static_index.html#!/model/model.shop_stream.orders" --window-size=1280,1100 \
		--screenshot="$out/docs-streaming-model.png" >/dev/null
	expect_file "$out/docs-streaming-model.png" "a screenshot of a streaming model's page"
else
	ok "skipped the browser checks: no chromium"
fi

# a persistent catalog from the profile
cat >profiles.yml <<YML
shop_stream:
  target: lake
  outputs:
    lake:
      type: flink
      port: "{{ env_var('FLINK_GATEWAY_PORT') }}"
      catalog: lake
      database: shop
      catalogs:
        - name: lake
          properties:
            type: paimon
            warehouse: $WORK/warehouse
YML
run debug
expect_rc 0 "debug on the persistent catalog"
expect_out "catalog: lake is persistent"
expect_out "created on session start: catalog lake (persistent)"
run run -s orders stg_orders
expect_rc 0 "run into the persistent catalog"
gw_admin GET /statements
nbefore=$(jsv 'j.length')
run run -s stg_orders
expect_rc 0 "a run in a new session"
gw_admin GET /statements
expect_js "j.slice($nbefore).some(s => s.statement.startsWith('CREATE TABLE IF NOT EXISTS'))" false \
	"nothing is declared again in a persistent catalog"
expect_js "j.slice($nbefore).some(s => s.statement.startsWith('CREATE CATALOG \`lake\` WITH ('))" true \
	"the catalog is created when the session starts"
run sql -e "SHOW TABLES FROM \`lake\`.\`shop\`"
expect_out "| orders"
expect_out "| stg_orders"
gw_stop
done_testing
