#!/usr/bin/env bash
# require-dbt-version is checked, for the root project and each package, against the dbt version
# Sluice matches (1.9.8, which dbt_version and the artifacts give too), with dbt's message naming
# the package and the range; --no-version-check or DBT_VERSION_CHECK=false skips the check, as in
# dbt. A range that can never hold is its own error.
. "$(dirname "$0")/lib.sh"

P="$WORK/pkg"
mkdir -p "$P/models" "$WORK/p/models"
printf 'name: pkg\nrequire-dbt-version: [">=1.10.6", "<3.0.0"]\n' >"$P/dbt_project.yml"
echo "select 1 as one" >"$P/models/pkg_model.sql"
cd "$WORK/p" || exit 2
printf 'name: p\nrequire-dbt-version: [">=1.5.0", "<2.0.0"]\n' >dbt_project.yml
printf 'packages:\n  - local: ../pkg\n' >packages.yml
echo "select 1 as x" >models/m.sql

run deps
expect_rc 0 "deps: the root project's range admits 1.9.8"
run parse
expect_rc 2 "a package that needs a newer dbt stops parse"
expect_err "This version of dbt is not supported with the 'pkg' package." "with dbt's message"
expect_err "Installed version of dbt: =1.9.8" "naming the version Sluice matches"
expect_err "Required version of dbt for 'pkg': ['>=1.10.6', '<3.0.0']" "and the package's range"
expect_err "dbt_project.yml:2:" "at the package's require-dbt-version"
expect_err "--no-version-check" "saying how to go on"
run parse --no-version-check
expect_rc 0 "--no-version-check skips the check"
DBT_VERSION_CHECK=false run parse
expect_rc 0 "so does DBT_VERSION_CHECK=false"
expect_json target/manifest.json '.metadata.dbt_version' 1.9.8 "the artifacts name the same version"

printf 'name: p\nrequire-dbt-version: ">=2.0.0"\n' >dbt_project.yml
run parse --no-version-check
expect_rc 0 "the root project's range is skipped too"
run parse
expect_rc 2 "the root project's own range is checked"
expect_err "not supported with the 'p' package" "naming the root project"
printf 'name: p\nrequire-dbt-version: [">=2.0.0", "<1.0.0"]\n' >dbt_project.yml
run parse
expect_rc 2 "a range that can never hold"
expect_err "The package version requirement can never be satisfied for the 'p" "is dbt's other error"
rm -rf "$P"
printf 'name: p\nrequire-dbt-version: [">=1.9.0", "<1.10.0"]\n' >dbt_project.yml
rm packages.yml
run parse
expect_rc 0 "a range that admits 1.9.8 passes"

done_testing
