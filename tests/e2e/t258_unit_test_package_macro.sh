#!/usr/bin/env bash
# A unit test's `overrides: macros:` may name a package's macro as "package.macro": calls through
# that package's namespace get the override's value, as in dbt (dbt-audit-helper's suite overrides
# audit_helper._get_comparison_bounds with a mapping this way).
. "$(dirname "$0")/lib.sh"

P="$WORK/pkg"
mkdir -p "$P/macros" "$WORK/p/models"
printf 'name: pkg\n' >"$P/dbt_project.yml"
cat >"$P/macros/bounds.sql" <<'SQL'
{% macro bounds() %}{{ return({'lo': 0, 'hi': 0}) }}{% endmacro %}
{% macro limit_clause() %}{% set b = pkg.bounds() %}where n between {{ b['lo'] }} and {{ b['hi'] }}{% endmacro %}
SQL
cd "$WORK/p" || exit 2
printf 'name: p\n' >dbt_project.yml
printf 'packages:\n  - local: ../pkg\n' >packages.yml
echo "select 1 as n union all select 2 union all select 3" >models/nums.sql
echo "select n from {{ ref('nums') }} {{ pkg.limit_clause() }}" >models/bounded.sql
cat >models/unit.yml <<'YML'
unit_tests:
  - name: bounded_by_override
    model: bounded
    overrides:
      macros:
        pkg.bounds: {"lo": 2, "hi": 3}
    given:
      - input: ref('nums')
        rows: [{n: 1}, {n: 2}, {n: 3}, {n: 4}]
    expect:
      rows: [{n: 2}, {n: 3}]
YML
run deps
expect_rc 0 "deps"
run build
expect_rc 0 "build"
expect_out_re "PASS .*bounded_by_override" "the package macro's override applies"
expect_query "select count(*) from {{ ref('bounded') }}" "0" "the model itself still uses the macro"

done_testing
