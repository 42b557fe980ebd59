#!/usr/bin/env bash
# Generic tests are named as dbt-core names them: the names tests/artdiff/test_names.py derives
# with dbt-core's rules (committed as the fixture's expected_test_names.jsonl) against the
# manifest's unique_id, name, alias, path, fqn and package_name, for the cases that go wrong:
# names of 64 characters or more, lists, dicts and nested values in arguments, where and other
# config among the arguments, custom names, the test_name form, quoted columns, source and seed
# tests, a disabled test and tests of a package.
. "$(dirname "$0")/lib.sh"

COMPARE="$DATA/artdiff/compare_test_names.js"
project test_names
mkdir -p dbt_packages
cp -r tn_pkg dbt_packages/tn_pkg

run parse
expect_rc 0 "parse"
if node "$COMPARE" target/manifest.json expected_test_names.jsonl >"$WORK/cmp" 2>&1; then
	ok "every generic test has dbt-core's names ($(tail -1 "$WORK/cmp"))"
else
	not_ok "every generic test has dbt-core's names" "$(head -40 "$WORK/cmp")"
fi
# a config: written inside arguments: is the test's config (dbt 1.10's extract_test_args merges
# arguments first, then takes config out), as is one beside it
cfg=$(node -e 'const m = require(process.argv[1]); const out = [];
for (const n of Object.values(m.nodes)) if (/^in_range_orders_[12]__/.test(n.name))
  out.push(n.name + " " + n.config.where + " " + n.config.severity + " " + JSON.stringify(n.test_metadata.kwargs));
console.log(out.sort().join("\n"))' "$PWD/target/manifest.json")
want='in_range_orders_1__50__amount id > 1 warn {"column_name":"amount","bounds":{"low":1,"high":50},"model":"{{ get_where_subquery(ref('"'"'orders'"'"')) }}"}
in_range_orders_2__60__amount id > 2 ERROR {"column_name":"amount","bounds":{"low":2,"high":60},"model":"{{ get_where_subquery(ref('"'"'orders'"'"')) }}"}'
[ "$cfg" = "$want" ] && ok "config inside and beside arguments: is config, not an argument" ||
	not_ok "config inside and beside arguments: is config, not an argument" "got: $cfg"
# the comparison sees a difference: a renamed test and a test dbt would not have
sed 's/"alias": "unique_orders_id"/"alias": "unique_orders_id_x"/' expected_test_names.jsonl >"$WORK/bad.jsonl"
grep -v '"name": "not_null_orders_id"' "$WORK/bad.jsonl" >"$WORK/bad2.jsonl"
if node "$COMPARE" target/manifest.json "$WORK/bad2.jsonl" >"$WORK/cmp" 2>&1; then
	not_ok "a different name is a difference" "$(cat "$WORK/cmp")"
else
	grep -q '^test.tn.unique_orders_id.1360ecc70e/alias: dbt "unique_orders_id_x", ours "unique_orders_id"$' "$WORK/cmp" &&
		grep -q '^not in dbt.s: test.tn.not_null_orders_id.84ef11d8fe$' "$WORK/cmp" &&
		ok "a different name and an extra test are differences" || not_ok "a different name and an extra test are differences" "$(cat "$WORK/cmp")"
fi

done_testing
