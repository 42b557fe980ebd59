#!/usr/bin/env bash
# A package's dbt_project.yml is rendered as the root project's is: a `+materialized:` written as
# Jinja becomes the materialization it evaluates to, not one named by the raw text. Hooks stay
# unrendered until they run, as in dbt.
. "$(dirname "$0")/lib.sh"

P="$WORK/pkg"
mkdir -p "$P/models" "$WORK/proj/models"
cat >"$P/dbt_project.yml" <<'YML'
name: pkg
models:
  pkg:
    +materialized: "{{ 'table' if target.type == 'duckdb' else 'view' }}"
    +schema: "{{ 'pk' ~ 'g' }}"
    +post-hook: "select '{{ this.name }}' as hooked"
YML
echo "select 1 as one" >"$P/models/pkg_model.sql"
cd "$WORK/proj" || exit 2
printf 'name: proj\n' >dbt_project.yml
printf 'packages:\n  - local: ../pkg\n' >packages.yml
echo "select one from {{ ref('pkg_model') }}" >models/uses.sql

run deps
expect_rc 0 "deps installs the local package"
run parse
expect_rc 0 "parse"
expect_json target/manifest.json '.nodes["model.pkg.pkg_model"].config.materialized' table \
	"the package's Jinja materialization is rendered"
expect_json target/manifest.json '.nodes["model.pkg.pkg_model"].config.schema' pkg \
	"the package's Jinja schema is rendered"
expect_json target/manifest.json '.nodes["model.pkg.pkg_model"].config["post-hook"][0].sql' \
	"select '{{ this.name }}' as hooked" "its hooks are left for run time"
run run
expect_rc 0 "the project builds"
expect_query "select table_type from information_schema.tables where table_name = 'pkg_model'" "BASE TABLE" \
	"the package model is a table"
expect_query "select one from {{ ref('uses') }}" "1"

done_testing
