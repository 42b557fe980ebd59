#!/usr/bin/env bash
# manifest.json, run_results.json and catalog.json of jaffle_shop_duckdb against what dbt-core 1.9.8
# wrote for the same project (tests/e2e/expected/dbt-core/): after the normalisations the rules
# files of tests/artdiff/rules/ name (run- and engine-specific values), no field may differ
. "$(dirname "$0")/lib.sh"

BUILD=${SLUICE_BUILD_DIR:?SLUICE_BUILD_DIR must name the build folder}
DIFF="$BUILD/tests/artifact-diff"
RULES="$DATA/artdiff/rules"
REF="$DATA/e2e/expected/dbt-core/jaffle_shop_duckdb"

project jaffle_shop_duckdb
HERE=$PWD

# the reference's paths were normalised to /path/to/<project>: ours are, the same way
normalise() {
	sed "s#$HERE#/path/to/jaffle_shop_duckdb#g" "$1" >"$2"
}

# compare WHAT REFERENCE OURS RULES...: artifact-diff prints one line a difference
compare() {
	local what=$1 ref=$2 ours=$3
	shift 3
	local args=()
	for r in "$@"; do args+=(--rules "$r"); done
	if "$DIFF" "${args[@]}" "$ref" "$ours" >"$WORK/diff" 2>&1; then
		ok "$what: same as dbt-core's"
	else
		not_ok "$what: same as dbt-core's" "$(head -60 "$WORK/diff")"
	fi
}

# the fixture's seeds are data of its own: their checksums are not the reference's
cat >"$WORK/fixture.rules" <<'RULES'
value nodes/seed.*/checksum/checksum
RULES

run seed
expect_rc 0 "seed"
normalise target/run_results.json "$WORK/run_results.seed.json"
compare "run_results of seed" "$REF/run_results.seed.json" "$WORK/run_results.seed.json" "$RULES/run_results.rules"

run run
expect_rc 0 "run"
normalise target/run_results.json "$WORK/run_results.run.json"
compare "run_results of run" "$REF/run_results.run.json" "$WORK/run_results.run.json" "$RULES/run_results.rules"
# DuckDB's response is dbt-duckdb's AdapterResponse(_message="OK"): no code, no rows_affected; a
# seed's is the seed materialization's own (INSERT, with its row count), whatever the engine
expect_json target/run_results.json ".results.find(r => r.unique_id === 'model.jaffle_shop.orders').adapter_response" \
	'{"_message":"OK"}' "a model's adapter_response is dbt-duckdb's"
expect_json "$WORK/run_results.seed.json" ".results.find(r => r.unique_id === 'seed.jaffle_shop.raw_orders').adapter_response" \
	'{"_message":"INSERT 99","code":"INSERT","rows_affected":99}' "a seed's adapter_response has its rows"

run docs generate
expect_rc 0 "docs generate"
normalise target/manifest.json "$WORK/manifest.json"
normalise target/catalog.json "$WORK/catalog.json"
compare "manifest" "$REF/manifest.json" "$WORK/manifest.json" "$RULES/manifest.rules" "$WORK/fixture.rules"
compare "catalog" "$REF/catalog.json" "$WORK/catalog.json" "$RULES/catalog.rules"

# a seed's checksum is dbt's: the sha256 of the file's stripped text
for s in raw_customers raw_orders raw_payments; do
	want=$(printf '%s' "$(cat "seeds/$s.csv")" | sha256sum | cut -d' ' -f1)
	expect_json target/manifest.json ".nodes['seed.jaffle_shop.$s'].checksum.checksum" "$want" \
		"checksum of seed $s is the sha256 of its stripped text"
done
# the run_results args say which command ran, even if the rest of them are Sluice's flags
expect_json target/run_results.json ".args.which" "generate"

# ls --output json prints each node as dbt ls does: dbt's default keys, in the order of dbt's node
# dict, with the values the manifest has after parsing (dbt adds get_where_subquery to the macros
# of its unique and not_null tests only when it compiles them, as the reference manifest was)
run ls --output json
expect_rc 0 "ls --output json"
cp "$OUT" "$WORK/ls.json"
node -e '
	const fs = require("fs");
	const ref = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
	const order = ["name", "resource_type", "package_name", "original_file_path", "unique_id", "alias",
		       "config", "tags", "depends_on"];
	const canon = (v) => JSON.stringify(v, (k, x) => x && typeof x === "object" && !Array.isArray(x)
		? Object.fromEntries(Object.keys(x).sort().map((key) => [key, x[key]])) : x);
	let bad = [], seen = 0;
	for (const line of fs.readFileSync(process.argv[2], "utf8").split("\n").filter((l) => l)) {
		const got = JSON.parse(line), want = ref.nodes[got.unique_id];
		seen++;
		if (!want) { bad.push("not in the reference: " + got.unique_id); continue; }
		const keys = order.filter((k) => k in want);
		if (Object.keys(got).join() !== keys.join())
			bad.push(got.unique_id + ": keys " + Object.keys(got).join() + ", dbt: " + keys.join());
		const exp = JSON.parse(JSON.stringify(want));
		if (exp.test_metadata && ["unique", "not_null"].includes(exp.test_metadata.name))
			exp.depends_on.macros = exp.depends_on.macros.filter((m) => m !== "macro.dbt.get_where_subquery");
		for (const k of keys)
			if (canon(got[k]) !== canon(exp[k]))
				bad.push(got.unique_id + "/" + k + ": " + canon(got[k]) + ", dbt: " + canon(exp[k]));
	}
	if (seen !== Object.keys(ref.nodes).length) bad.push(seen + " lines for " + Object.keys(ref.nodes).length + " nodes");
	console.log(bad.join("\n"));
	process.exit(bad.length ? 1 : 0);
' "$REF/manifest.json" "$WORK/ls.json" >"$WORK/lsdiff" 2>&1 &&
	ok "ls --output json prints what dbt ls prints" || not_ok "ls --output json prints what dbt ls prints" "$(head -30 "$WORK/lsdiff")"
grep -q '^{"name": "orders", "resource_type": "model", "package_name": "jaffle_shop", "original_file_path": "models/orders.sql", "unique_id": "model.jaffle_shop.orders", "alias": "orders", "config": {"enabled": true, ' "$WORK/ls.json" &&
	ok "ls --output json writes json.dumps separators" || not_ok "ls --output json writes json.dumps separators" "$(head -3 "$WORK/ls.json")"
run ls --output json -s orders --resource-type model --output-keys "depends_on unique_id"
expect_out '{"unique_id": "model.jaffle_shop.orders", "depends_on": {"macros": [], "nodes": ["model.jaffle_shop.stg_orders", "model.jaffle_shop.stg_payments"]}}' \
	"--output-keys come in the node's order, as dbt filters its dict"

# a failed model and the ones it skips, written as dbt writes them (RunResult.from_node for a skip)
sed -i 's/user_id as customer_id/no_such_column as customer_id/' models/staging/stg_orders.sql
run run
expect_rc 1 "run with a broken model"
RR=target/run_results.json
expect_json $RR ".results.find(r => r.unique_id === 'model.jaffle_shop.orders')" \
	'{"status":"skipped","timing":[],"thread_id":"Thread-1 (worker)","execution_time":0,"adapter_response":{},"message":null,"failures":null,"unique_id":"model.jaffle_shop.orders","batch_results":null,"compiled":false,"compiled_code":null,"relation_name":"\"postgres\".\"jaffle\".\"orders\""}' \
	"a skipped model's result"
expect_json $RR ".results.find(r => r.unique_id === 'model.jaffle_shop.stg_orders').message.split('\\n')[0]" \
	"Database Error in model stg_orders (models/staging/stg_orders.sql)" "a failed model's message"

# the comparison sees a difference: a test renamed, a key added, a value changed
sed 's/"not_null_orders_amount"/"not_null_orders_amount_x"/; s/"primary_key": \["order_id"\]/"primary_key": []/' \
	"$WORK/manifest.json" >"$WORK/manifest.bad.json"
if "$DIFF" --rules "$RULES/manifest.rules" --rules "$WORK/fixture.rules" "$REF/manifest.json" \
	"$WORK/manifest.bad.json" >"$WORK/diff" 2>&1; then
	not_ok "a changed manifest differs" "$(cat "$WORK/diff")"
else
	grep -q '^nodes/test.jaffle_shop.not_null_orders_amount.106140f9fd/name: reference "not_null_orders_amount", ours "not_null_orders_amount_x"$' "$WORK/diff" &&
		grep -q '^nodes/model.jaffle_shop.orders/primary_key: reference \["order_id"\], ours \[\]$' "$WORK/diff" &&
		ok "a changed manifest differs, field by field" || not_ok "a changed manifest differs, field by field" "$(cat "$WORK/diff")"
fi

done_testing
