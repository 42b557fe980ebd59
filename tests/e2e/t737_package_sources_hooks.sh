#!/usr/bin/env bash
# Two packages may each declare a source of the same name (their unique_ids name the package),
# and source() resolves as dbt's Manifest.resolve_source does: the root project first, then the
# calling node's package, then any package. The same table twice in one package is still an
# error. A package's on-run-start hook reads that package's vars, as dbt renders it in its own
# project's context (fivetran's packages check their vars so).
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/ps/models" "$WORK/ps/dbt_packages/pk/models" && cd "$WORK/ps"
cat >dbt_project.yml <<'EOS'
name: ps
profile: ps
EOS
cat >models/sources.yml <<'EOS'
sources:
  - name: raw
    schema: main
    tables:
      - name: orders
        identifier: orders_root
EOS
echo "select * from {{ source('raw', 'orders') }}" >models/root_orders.sql
echo "select * from {{ source('raw', 'items') }}" >models/root_items.sql
cat >dbt_packages/pk/dbt_project.yml <<'EOS'
name: pk
on-run-start: "{% if execute and not var('pk_enabled') %}{{ exceptions.raise_compiler_error('pk_enabled is off') }}{% endif %}"
vars:
  pk:
    pk_enabled: true
EOS
cat >dbt_packages/pk/models/sources.yml <<'EOS'
sources:
  - name: raw
    schema: main
    tables:
      - name: orders
        identifier: orders_pkg
      - name: items
        identifier: items_pkg
EOS
echo "select * from {{ source('raw', 'orders') }}" >dbt_packages/pk/models/pk_orders.sql
echo "select * from {{ source('raw', 'items') }}" >dbt_packages/pk/models/pk_items.sql

run parse
expect_rc 0 "two packages declare source raw.orders"
M=target/manifest.json
expect_json "$M" '.sources["source.ps.raw.orders"].identifier' orders_root "the root project's"
expect_json "$M" '.sources["source.pk.raw.orders"].identifier' orders_pkg "and the package's"
expect_json "$M" '.nodes["model.ps.root_orders"].depends_on.nodes' '["source.ps.raw.orders"]' \
	"a root model reads the root project's"
expect_json "$M" '.nodes["model.pk.pk_orders"].depends_on.nodes' '["source.ps.raw.orders"]' \
	"so does a package's model: the root project comes first"
expect_json "$M" '.nodes["model.pk.pk_items"].depends_on.nodes' '["source.pk.raw.items"]' \
	"a table only the package declares is its own"
expect_json "$M" '.nodes["model.ps.root_items"].depends_on.nodes' '["source.pk.raw.items"]' \
	"and the root project finds it in any package"

run show --inline "create table orders_root as select 1 as id; create table items_pkg as select 2 as id; select 1"
expect_rc 0 "the tables"
run run
expect_rc 0 "run: the package's hook reads the package's own var"
expect_query "select id from {{ ref('pk_orders') }}" "1" "the package's model read the root project's table"

# a third package that declares raw.items too, loaded before pk: a unit test of pk's model gives
# the table pk's model reads (pk's own), not the first package's
mkdir -p dbt_packages/aa/models
printf 'name: aa\n' >dbt_packages/aa/dbt_project.yml
printf 'sources:\n  - name: raw\n    schema: main\n    tables:\n      - name: items\n        identifier: items_aa\n' \
	>dbt_packages/aa/models/sources.yml
cat >dbt_packages/pk/models/unit.yml <<'EOS'
unit_tests:
  - name: pk_items_passes_rows
    model: pk_items
    given:
      - input: source('raw', 'items')
        rows: [{id: 5}]
    expect:
      rows: [{id: 5}]
EOS
run test -s pk_items
expect_rc 0 "the unit test's given input stands for the source pk's model reads"
expect_out_re "PASS pk_items::pk_items_passes_rows"
rm -r dbt_packages/aa dbt_packages/pk/models/unit.yml

sed -i 's/pk_enabled: true/pk_enabled: false/' dbt_packages/pk/dbt_project.yml
run run
expect_rc 1 "the hook sees the package's var change"
expect_err "pk_enabled is off"

cat >>dbt_packages/pk/models/sources.yml <<'EOS'
  - name: raw
    tables:
      - name: items
EOS
run parse
expect_rc 2 "the same table twice in one package"
expect_err "source table 'raw.items' is declared twice"
done_testing
