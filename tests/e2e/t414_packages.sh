#!/usr/bin/env bash
# Packages: sluice deps installs local packages; their models and macros join the project; the
# root project configures them and overrides their dispatched macros; a hub that cannot be reached
# is an error naming the package and the address, and leaves what was installed; packages named but
# not installed are an error. (Hub and git installs themselves: t240-t245.)
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
echo "select {{ util.plus_one('answer') }} as a, {{ util.shout(\"'Hi'\") }} as s from {{ ref('util_answer') }}" >models/uses.sql

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
DBT_PACKAGE_HUB_URL=http://127.0.0.1:9/ run deps
expect_rc 2 "a hub that cannot be reached is an error"
expect_err "packages.yml:3:14: error: cannot install package 'dbt-labs/dbt_utils': the package hub at http://127.0.0.1:9/api/v1/index.json did not answer"
expect_err "check your network access" "says what to do"
expect_no_out "Installed" "nothing is installed when a package cannot be fetched"
if [ -L dbt_packages/util ]; then ok "what was installed before is left in place"; else not_ok "what was installed before is left in place"; fi

# packages of packages: a package's own packages.yml is installed too (its paths relative to it);
# package vars, hooks, properties files with tests, seeds and docs join the project
mkdir -p "$WORK/pk/base/models" "$WORK/pk/util/seeds"
printf 'name: base\nvars:\n  base_v: 7\n  base_w: 1\n' >"$WORK/pk/base/dbt_project.yml"
echo "select {{ var('base_v') }} as v, {{ var('base_w') }} as w" >"$WORK/pk/base/models/base_m.sql"
printf 'packages:\n  - local: ../base\n' >"$WORK/pk/util/packages.yml"
cat >"$WORK/pk/util/dbt_project.yml" <<'EOS'
name: util
models:
  util:
    +materialized: table
on-run-start: "create table if not exists hook_log (who varchar)"
on-run-end: "insert into hook_log values ('util end')"
EOS
echo "select * from {{ ref('base_m') }}" >"$WORK/pk/util/models/from_base.sql"
printf 'version: 2\nmodels:\n  - name: from_base\n    description: "{{ doc(\x27udoc\x27) }}"\n    columns:\n      - name: v\n        tests: [not_null]\n' >"$WORK/pk/util/models/schema.yml"
printf '{%% docs udoc %%}Docs of util{%% enddocs %%}\n' >"$WORK/pk/util/models/docs.md"
printf 'id,name\n1,a\n2,b\n' >"$WORK/pk/util/seeds/util_seed.csv"
rm packages.yml
printf 'packages:\n  - local: ../util\n' >dependencies.yml
cat >dbt_project.yml <<'EOS'
name: shop
profile: shop
vars:
  base:
    base_w: 2
on-run-end: "insert into hook_log values ('shop end')"
EOS
echo "select v, w, '{{ doc(\"util\", \"udoc\") }}' as d from {{ ref('util', 'from_base') }}" >models/uses_base.sql
rm -rf dbt_packages package-lock.yml
run deps
expect_rc 0 "deps reads dependencies.yml"
expect_out "Installed 2 packages" "and installs the packages of packages"
if [ -L dbt_packages/base ]; then ok "a package's own local package is installed"; else not_ok "a package's own local package is installed"; fi
run build -s +uses_base util_seed
expect_rc 0 "a build over packages of packages"
expect_out "OK loaded seed file main.util_seed" "a package's seeds load"
expect_out "PASS not_null_from_base_v" "a package's properties file adds tests"
expect_out "1 of 1 START hook: util.on-run-start.0" "a package's on-run-start hook runs"
expect_out "1 of 2 START hook: util.on-run-end.0" "package hooks run before the root project's"
expect_out "2 of 2 START hook: shop.on-run-end.0"
expect_query "select v, w, d from {{ ref('uses_base') }}" "7|2|Docs of util" "package vars are defaults the root project overrides; doc('pkg', 'name')"
expect_query "select who from hook_log" "util end
shop end"
expect_json target/manifest.json '.nodes["model.util.from_base"].description' "Docs of util" "doc() in a package's description"
expect_json target/manifest.json '.nodes["model.base.base_m"].fqn' '["base","base_m"]'

# secrets are allowed in packages.yml and never shown
printf 'packages:\n  - git: "file:///nonexistent/{{ env_var(\x27DBT_ENV_SECRET_GIT_TOKEN\x27) }}/x.git"\n' >dependencies.yml
DBT_ENV_SECRET_GIT_TOKEN=s3cr3t_tok run deps
expect_rc 2
expect_err "cannot clone git package 'file:///nonexistent/*****/x.git'" "a secret env var in packages.yml is rendered and redacted"
expect_no_out "s3cr3t_tok"

done_testing
