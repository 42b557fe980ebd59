#!/usr/bin/env bash
# Generic tests named, hashed and configured as dbt-core 1.9 names them, depends_on.macros and the
# inferred primary_key. The expected ids, names and hashes were computed with dbt-core's own
# naming and hashing functions (generic_test_builders.synthesize_generic_test_names and the
# unique_id hash of schema_generic_tests.create_test_node) for these definitions.
. "$(dirname "$0")/lib.sh"

project dbt_naming
M=target/manifest.json

# expect_js EXPR EXPECTED WHAT: EXPR, over the manifest `d`, prints EXPECTED
expect_js() {
	local got
	got=$(node -e '
		const d = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
		const v = eval(process.argv[2]);
		console.log(typeof v === "object" ? JSON.stringify(v) : String(v));
	' "$M" "$1" 2>&1)
	if [ "$got" = "$2" ]; then ok "$3"; else not_ok "$3" "got: $got"; fi
}

run parse
expect_rc 0 "parse"

expect_js "Object.keys(d.nodes).filter(k => k.startsWith('test.')).sort().join(' ')" \
"test.naming.accepted_values_payments_amount_cents__False__1000__2500__5000__10000__25000.bc52a8f7af \
test.naming.accepted_values_payments_method__card__cash__voucher__transfer.a559ef33fa \
test.naming.not_null_payments_payment_id.581e6708cd \
test.naming.payment_method_is_known.108efc1fa4 \
test.naming.relationships_payments_order_id__order_id__ref_orders_.b48100673e \
test.naming.source_not_null_raw_events_id.e0dfd1a6a7 \
test.naming.unique_orders_order_id.fed79b3a6e \
test.naming.unique_payments_payment_id.a01e74ab12" "the tests' unique ids are dbt's"

# a name of 64 characters or more: the full name names the test, the hashed one is its alias and path
H='.nodes["test.naming.accepted_values_payments_amount_cents__False__1000__2500__5000__10000__25000.bc52a8f7af"]'
SHORT=accepted_values_payments_2009eee323ccbafa669882331d277576
expect_json $M "$H.name" "accepted_values_payments_amount_cents__False__1000__2500__5000__10000__25000"
expect_json $M "$H.fqn" '["naming","accepted_values_payments_amount_cents__False__1000__2500__5000__10000__25000"]'
expect_json $M "$H.alias" "$SHORT"
expect_json $M "$H.path" "$SHORT.sql"
expect_json $M "$H.raw_code" "{{ test_accepted_values(**_dbt_generic_test_kwargs) }}{{ config(severity=\"warn\",tags=['money'],alias=\"$SHORT\") }}"
expect_json $M "$H.unrendered_config" "{\"severity\":\"warn\",\"tags\":[\"money\"],\"alias\":\"$SHORT\"}"
expect_json $M "$H.checksum" '{"name":"none","checksum":""}' "a generic test has dbt's empty checksum"
expect_json $M "$H.schema" "main_dbt_test__audit" "a test's schema is dbt's <target schema>_dbt_test__audit"
expect_js "['docs', 'pre-hook', 'post-hook'].filter(k => k in d$H.config).length" "0" \
	"a test's config has no docs nor hooks"

# configs in dbt's order, whether beside the arguments or under config:
N='.nodes["test.naming.not_null_payments_payment_id.581e6708cd"]'
expect_json $M "$N.raw_code" '{{ test_not_null(**_dbt_generic_test_kwargs) }}{{ config(severity="warn",where="amount_cents > 0") }}'
expect_json $M "$N.depends_on.macros" '["macro.dbt.test_not_null"]' \
	"dbt does not render a not_null test's arguments while parsing"

C='.nodes["test.naming.payment_method_is_known.108efc1fa4"]'
expect_json $M "$C.name" "payment_method_is_known" "a test's name: names it"
expect_json $M "$C.path" "payment_method_is_known.sql"
expect_json $M "$C.depends_on.macros" '["macro.dbt.test_accepted_values","macro.dbt.get_where_subquery"]'

D='.nodes["test.naming.accepted_values_payments_method__card__cash__voucher__transfer.a559ef33fa"]'
expect_json $M "$D.description" "The methods the shop takes" "a test's description: describes it"
expect_js "'description' in d$D.test_metadata.kwargs" "false" "a description is no argument"

R='.nodes["test.naming.relationships_payments_order_id__order_id__ref_orders_.b48100673e"]'
expect_json $M "$R.refs.map(r => r.name)" '["orders","payments"]' "the arguments' refs come before the model's"
expect_json $M "$R.depends_on.nodes" '["model.naming.orders","model.naming.payments"]'
expect_json $M "$R.attached_node" "model.naming.payments"
expect_json $M "$R.file_key_name" "models.payments"

S='.nodes["test.naming.source_not_null_raw_events_id.e0dfd1a6a7"]'
expect_json $M "$S.attached_node" "null" "a source's test is attached to nothing"
expect_json $M "$S.file_key_name" "sources.raw"
expect_json $M "$S.sources" '[["raw","events"]]'

# macros the model's own code calls, not those they call in turn
expect_json $M '.nodes["model.naming.orders"].depends_on.macros' '["macro.naming.money"]'
expect_json $M '.nodes["model.naming.payments"].depends_on.macros' '[]'

# primary_key: a model constraint, a column constraint, a unique and not_null pair
expect_json $M '.nodes["model.naming.order_lines"].primary_key' '["line_no","order_id"]'
expect_json $M '.nodes["model.naming.orders"].primary_key' '["order_id"]'
expect_json $M '.nodes["model.naming.payments"].primary_key' '["payment_id"]'
expect_json $M '.nodes["model.naming.order_lines"].constraints[0]' \
	'{"type":"primary_key","name":null,"expression":null,"warn_unenforced":true,"warn_unsupported":true,"to":null,"to_columns":[],"columns":["order_id","line_no"]}'
expect_json $M '.nodes["model.naming.orders"].columns.order_id.config' '{"meta":{},"tags":[]}'

# a file's checksum is that of its stripped text, as dbt hashes it
want=$(printf '%s' "$(cat models/payments.sql)" | sha256sum | cut -d' ' -f1)
expect_json $M '.nodes["model.naming.payments"].checksum.checksum' "$want" "a model's checksum is that of its stripped text"

# ls: sources carry source_name, in dbt's key order
run ls --output json --resource-type source
expect_out '{"name": "events", "resource_type": "source", "package_name": "naming", "original_file_path": "models/schema.yml", "unique_id": "source.naming.raw.events", "source_name": "raw", "tags": [], "config": {"enabled": true' \
	"ls --output json of a source"

# compiled, a not_null test also lists get_where_subquery, and its SQL goes under its short name
run run -s payments orders
expect_rc 0 "run"
run compile -s payments
expect_rc 0 "compile"
expect_json $M "$N.depends_on.macros" '["macro.dbt.test_not_null","macro.dbt.get_where_subquery"]' \
	"a compiled not_null test also lists get_where_subquery"
expect_json $M "$H.compiled_path" "target/compiled/naming/models/schema.yml/$SHORT.sql"
expect_file "target/compiled/naming/models/schema.yml/$SHORT.sql"

done_testing
