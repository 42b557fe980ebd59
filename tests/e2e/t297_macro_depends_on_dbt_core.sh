#!/usr/bin/env bash
# Sluice's rules for a macro's depends_on.macros give what dbt-core 1.9.8 itself wrote, on dbt's
# own macros: macro-deps-check reads the reference manifest dbt-core wrote for jaffle_shop_duckdb
# on PostgreSQL (SLUICE_DBT_REFERENCE, by default /work/shared/reference/dbt-core-artifacts; the
# committed copy leaves its macros out), recomputes the depends_on.macros of every macro of the
# dbt and dbt_postgres packages from their macro_sql, and compares. Skips when the reference is
# not at hand.
. "$(dirname "$0")/lib.sh"

BUILD=${SLUICE_BUILD_DIR:?SLUICE_BUILD_DIR must name the build folder}
CHECK="$BUILD/tests/macro-deps-check"
REF="${SLUICE_DBT_REFERENCE:-/work/shared/reference/dbt-core-artifacts}/jaffle_shop_duckdb/manifest.json"

if [ ! -f "$REF" ]; then
	echo "# skip: dbt-core's reference manifest is not at $REF (set SLUICE_DBT_REFERENCE)"
	ok "skipped: dbt-core's reference is not at hand"
	done_testing
fi

if "$CHECK" --adapter postgres "$REF" >"$WORK/cmp" 2>&1; then
	ok "every macro of dbt and dbt_postgres lists what dbt-core wrote ($(tail -1 "$WORK/cmp"))"
else
	not_ok "every macro of dbt and dbt_postgres lists what dbt-core wrote" "$(head -40 "$WORK/cmp")"
fi
# with another adapter's prefixes dispatch finds other macros: the check sees it
if "$CHECK" --adapter duckdb --internal dbt_postgres,dbt "$REF" >"$WORK/cmp" 2>&1; then
	not_ok "the wrong adapter is a difference" "$(tail -3 "$WORK/cmp")"
else
	grep -q '^  dbt:  macro.dbt_postgres.postgres__split_part$' "$WORK/cmp" &&
		grep -q '^  ours: macro.dbt.default__split_part$' "$WORK/cmp" &&
		ok "the wrong adapter is a difference" || not_ok "the wrong adapter is a difference" "$(head -20 "$WORK/cmp")"
fi

done_testing
