#!/usr/bin/env bash
# Package discovery: only the direct children of the packages folder are packages, and no walk
# follows a symbolic link back into a folder it is inside. A package's repository whose
# integration project installs the package with 'local: ../' (so that
# integration_tests/dbt_packages/<pkg> links back to the repository, as dbt-utils' does) parses
# at once and its models and macros are read once.
. "$(dirname "$0")/lib.sh"

P="$WORK/pkgrepo"
mkdir -p "$P/models" "$P/macros" "$P/integration_tests/models"
printf 'name: pkg\n' >"$P/dbt_project.yml"
echo "select 1 as one" >"$P/models/pkg_model.sql"
echo "{% macro pkg_macro() %}7{% endmacro %}" >"$P/macros/m.sql"
# a folder of the package that links back to itself: walking it must not loop
ln -s . "$P/models/loop"
cd "$P/integration_tests"
printf 'name: pkg_integration_tests\nprofile: shop\n' >dbt_project.yml
printf 'packages:\n  - local: ../\n' >packages.yml
echo "select {{ pkg.pkg_macro() }} as seven from {{ ref('pkg_model') }}" >models/uses_pkg.sql

run deps
expect_rc 0 "deps installs the repository as a local package"
if [ -L dbt_packages/pkg ]; then ok "linked into dbt_packages"; else not_ok "linked into dbt_packages"; fi
# the loop: a second project inside the package links the package again, and a stray folder and
# a hidden one in dbt_packages are no packages
mkdir -p "$P/other_tests/dbt_packages" dbt_packages/not_a_package/models dbt_packages/.hidden
ln -s ../.. "$P/other_tests/dbt_packages/pkg"
printf 'name: hidden\n' >dbt_packages/.hidden/dbt_project.yml

start=$(date +%s)
timeout 60 "$SLUICE" parse >"$OUT" 2>"$ERR"
RC=$?
secs=$(( $(date +%s) - start ))
expect_rc 0 "parse ends"
if [ "$secs" -lt 20 ]; then ok "and quickly (${secs}s)"; else not_ok "and quickly" "took ${secs}s"; fi
expect_json target/manifest.json '.nodes["model.pkg.pkg_model"].package_name' pkg "the package's model is read"
n=$(grep -o '"model\.pkg\.[a-z_]*"' target/manifest.json | sort -u | wc -l)
if [ "$n" -eq 1 ]; then ok "once"; else not_ok "once" "$(grep -o '"model\.pkg\.[a-z_]*"' target/manifest.json | sort -u)"; fi
expect_no_out "hidden" "hidden folders of dbt_packages are no packages"
run run
expect_rc 0 "the project builds"
expect_query "select seven from {{ ref('uses_pkg') }}" "7"

done_testing
