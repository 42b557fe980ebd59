#!/usr/bin/env bash
# sluice clean reads dbt_project.yml alone, as dbt clean does: a model, macro or properties file
# that does not parse never stops it, and no profile is needed.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/cl/models" "$WORK/cl/macros" && cd "$WORK/cl"
printf 'name: cl\nprofile: nowhere_to_be_found\nclean-targets: [target, dbt_packages]\n' >dbt_project.yml
echo "select {{ ref('missing' }}" >models/broken.sql
echo "{% macro half( %}" >macros/broken.sql
printf 'version: 2\nmodels:\n  - name: broken\n    columns: [{name: a, tests: [unique]\n' >models/schema.yml
mkdir -p target/run dbt_packages/pkg
touch target/manifest.json dbt_packages/pkg/dbt_project.yml
run clean
expect_rc 0 "clean succeeds in a project whose files do not parse"
expect_out "Cleaned target/*"
expect_out "Cleaned dbt_packages/*"
if [ ! -e target ] && [ ! -e dbt_packages ]; then ok "the clean-targets are gone"
else not_ok "the clean-targets are gone" "$(ls)"; fi
expect_no_out "error" "nothing about the broken files"

printf 'name: cl\nprofile: p\nclean-targets: [target\n' >dbt_project.yml
run clean
expect_rc 2 "a dbt_project.yml that does not parse still stops clean"
expect_err "dbt_project.yml:"
done_testing
