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
