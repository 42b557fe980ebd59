#!/usr/bin/env bash
# Packages: sluice deps installs local packages; their models and macros join the project; the
# root project configures them and overrides their dispatched macros; hub and git packages are
# refused with a clear message; packages named but not installed are an error.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/pk/util/models" "$WORK/pk/util/macros" "$WORK/pk/main/models" "$WORK/pk/main/macros"
cd "$WORK/pk"
printf 'name: util\nmodels:\n  util:\n    +materialized: table\n' >util/dbt_project.yml
echo "select 42 as answer" >util/models/util_answer.sql
cat >util/macros/m.sql <<'EOS'
{% macro shout(x) %}{{ return(adapter.dispatch('shout', 'util')(x)) }}{% endmacro %}
{% macro default__shout(x) %}upper({{ x }}){% endmacro %}
{% macro plus_one(x) %}({{ x }} + 1){% endmacro %}
EOS
cd main
cat >dbt_project.yml <<'EOS'
name: shop
profile: shop
dispatch:
  - macro_namespace: util
    search_order: [shop, util]
models:
  util:
    +schema: pkg
EOS
printf 'packages:\n  - local: ../util\n' >packages.yml
echo "select {{ util.plus_one('answer') }} as a, {{ shout(\"'Hi'\") }} as s from {{ ref('util_answer') }}" >models/uses.sql

run run
expect_rc 2 "packages named but not installed"
expect_err "1 package is named in packages.yml, but only 0 installed"
expect_err "run 'sluice deps'"

run deps
expect_rc 0 "deps installs a local package"
expect_out "Installed 1 package"
if [ -L dbt_packages/util ]; then ok "a local package is linked into dbt_packages"; else not_ok "a local package is linked into dbt_packages"; fi

run run
expect_rc 0 "the package's model builds"
expect_out "OK created sql table model main_pkg.util_answer" "the root project configures the package's models"
expect_query "select a, s from {{ ref('uses') }}" "43|HI" "package macros are callable as package.macro()"
expect_json target/manifest.json '.nodes["model.util.util_answer"].package_name' util
expect_json target/manifest.json '.macros["macro.util.plus_one"].package_name' util

echo "{% macro default__shout(x) %}lower({{ x }}){% endmacro %}" >macros/over.sql
run run -s uses
expect_rc 0
expect_query "select s from {{ ref('uses') }}" "hi" "the project overrides the package's default__ macro through dispatch"

cat >packages.yml <<'EOS'
packages:
  - local: ../util
  - package: dbt-labs/dbt_utils
    version: 1.1.1
  - git: "https://github.com/dbt-labs/dbt-audit-helper.git"
    revision: 0.9.0
EOS
run deps
expect_rc 2 "hub and git packages are refused"
expect_err "packages.yml:3:14: error: cannot install package 'dbt-labs/dbt_utils': hub packages are downloaded"
expect_err "packages.yml:5:10: error: cannot install package 'https://github.com/dbt-labs/dbt-audit-helper.git': git packages"
expect_err "local: path/to/it" "says what to do"

done_testing
