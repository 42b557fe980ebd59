#!/usr/bin/env bash
# manifest.json (v12), run_results.json (v6), sources.json (v3) and catalog.json (v1) satisfy dbt's
# JSON schemas: always the facts tests/artdiff/schema_summary.py derived from dbt-core 1.9's
# schemas/dbt/*.json (tests/artdiff/schemas/: types, required keys, closed objects, enums), applied
# by artifact-schema-check; and, when SLUICE_DBT_SCHEMAS names a folder of dbt's schema files
# (schemas/dbt of a dbt-core checkout) and python3-jsonschema is installed, the schemas themselves.
. "$(dirname "$0")/lib.sh"

BUILD=${SLUICE_BUILD_DIR:?SLUICE_BUILD_DIR must name the build folder}
CHECK="$BUILD/tests/artifact-schema-check"
FACTS="$DATA/artdiff/schemas"

# check WHAT FACTS SCHEMA FILE: the file against the facts, and against the schema when available
check() {
	local what=$1 facts=$2 schema=$3 file=$4
	if "$CHECK" "$FACTS/$facts.summary" "$file" >"$WORK/check" 2>&1; then
		ok "$what satisfies the facts of dbt's $schema schema"
	else
		not_ok "$what satisfies the facts of dbt's $schema schema" "$(head -30 "$WORK/check")"
	fi
	if [ -n "${SLUICE_DBT_SCHEMAS:-}" ] && [ -f "$SLUICE_DBT_SCHEMAS/$schema.json" ] &&
		python3 -c 'import jsonschema' 2>/dev/null; then
		if python3 "$DATA/artdiff/validate_schema.py" "$SLUICE_DBT_SCHEMAS/$schema.json" "$file" >"$WORK/check" 2>&1; then
			ok "$what validates against dbt's $schema.json"
		else
			not_ok "$what validates against dbt's $schema.json" "$(head -30 "$WORK/check")"
		fi
	else
		echo "# skip: validation against dbt's $schema.json (set SLUICE_DBT_SCHEMAS to dbt-core's schemas/dbt and install python3-jsonschema)"
	fi
}

# a project with a bit of everything the schemas describe
project jaffle_shop_duckdb
cat >>models/schema.yml <<'YML'

exposures:
  - name: weekly
    type: dashboard
    owner: {name: Ana, email: ana@example.com}
    depends_on: [ref('orders')]
sources:
  - name: raw
    schema: jaffle
    freshness: {warn_after: {count: 1, period: day}}
    loaded_at_field: "current_timestamp"
    tables:
      - name: raw_orders
        columns:
          - name: id
            data_tests: [not_null]
unit_tests:
  - name: orders_amount
    model: orders
    given:
      - input: ref('stg_orders')
        rows: [{order_id: 1, customer_id: 1, order_date: '2024-01-01', status: placed}]
      - input: ref('stg_payments')
        rows: [{payment_id: 1, order_id: 1, payment_method: credit_card, amount: 10}]
    expect:
      rows: [{order_id: 1, amount: 10}]
YML
run build
expect_rc 0 "build"
check "manifest.json after build" manifest_v12 manifest/v12 target/manifest.json
check "run_results.json of build" run-results_v6 run-results/v6 target/run_results.json
run docs generate
expect_rc 0 "docs generate"
check "catalog.json" catalog_v1 catalog/v1 target/catalog.json
run source freshness
check "sources.json" sources_v3 sources/v3 target/sources.json

# the check sees a violation: a key the schema does not allow, a wrong type, a missing key
node -e '
	const fs = require("fs");
	const m = JSON.parse(fs.readFileSync("target/manifest.json", "utf8"));
	m.nodes["model.jaffle_shop.orders"].not_a_key = 1;
	m.nodes["model.jaffle_shop.customers"].config.materialized = 5;
	delete m.nodes["seed.jaffle_shop.raw_orders"].checksum;
	fs.writeFileSync(process.argv[1], JSON.stringify(m));
' "$WORK/bad.json"
if "$CHECK" "$FACTS/manifest_v12.summary" "$WORK/bad.json" >"$WORK/check" 2>&1; then
	not_ok "a manifest with violations fails the check" "$(cat "$WORK/check")"
else
	grep -q "^nodes/model.jaffle_shop.orders: has the key 'not_a_key', which the schema does not allow$" "$WORK/check" &&
		grep -q '^nodes/model.jaffle_shop.customers/config/materialized: is integer, the schema allows string$' "$WORK/check" &&
		grep -q "^nodes/seed.jaffle_shop.raw_orders: lacks the required key 'checksum'$" "$WORK/check" &&
		ok "a manifest with violations fails the check, one line a violation" ||
		not_ok "a manifest with violations fails the check, one line a violation" "$(cat "$WORK/check")"
fi

done_testing
