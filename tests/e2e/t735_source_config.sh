#!/usr/bin/env bash
# A source table's config, as dbt 1.9 composes it (SourcePatcher._generate_source_config):
# dbt_project.yml's `sources:` along the fqn (project, source, table), then the source's `config:`,
# then the table's. `enabled: false` (a package's sources switched off from the project, or a
# `config: enabled: "{{ var(...) }}"` as many packages write it) puts the table under `disabled`,
# disables its tests with a warning, and makes a model that reads it an error; the project's
# +freshness applies when the properties file sets none.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/sc/models" && cd "$WORK/sc"
cat >dbt_project.yml <<'EOS'
name: sc
profile: sc
sources:
  sc:
    +tags: [from_project]
    raw:
      +meta: {owner: team_a}
      +freshness: {warn_after: {count: 2, period: day}}
      orders:
        +enabled: false
EOS
cat >models/sources.yml <<'EOS'
sources:
  - name: raw
    schema: main
    config:
      event_time: loaded_at
    tables:
      - name: orders
        columns:
          - name: id
            data_tests: [not_null]
      - name: customers
        tags: [own]
        config:
          enabled: "{{ var('use_customers', true) }}"
        columns:
          - name: id
            data_tests: [unique]
      - name: events
        freshness: {error_after: {count: 1, period: hour}}
EOS
echo "select * from {{ source('raw', 'customers') }}" >models/stg_customers.sql

run parse
expect_rc 0 "parse"
expect_err "depends on a source named 'raw.orders' which is disabled" "the disabled table's test warns"
M=target/manifest.json
expect_json "$M" '.sources["source.sc.raw.orders"]' undefined "a table the project disables is not among the sources"
expect_json "$M" '.disabled["source.sc.raw.orders"][0].config.enabled' false "it is under disabled"
expect_json "$M" '.disabled["test.sc.source_not_null_raw_orders_id.f232a64478"][0].config.enabled' false \
	"and so is its test"
expect_json "$M" '.sources["source.sc.raw.customers"].config.event_time' loaded_at "the source's config: reaches its tables"
expect_json "$M" '.sources["source.sc.raw.customers"].config.meta.owner' team_a "the project's +meta reaches the config"
expect_json "$M" '.sources["source.sc.raw.customers"].tags' '["own","from_project"]' \
	"the project's +tags join the table's own"
expect_json "$M" '.sources["source.sc.raw.customers"].unrendered_config.meta.owner' team_a "and the unrendered config"
expect_json "$M" '.sources["source.sc.raw.customers"].freshness.warn_after.count' 2 \
	"a table whose file sets no freshness gets the project's"
expect_json "$M" '.sources["source.sc.raw.events"].freshness.error_after.count' 1 "one that sets it keeps its own"
expect_json "$M" '.sources["source.sc.raw.events"].freshness.warn_after.count' null "(not merged with the project's)"

run ls -s tag:from_project --resource-type source
expect_rc 0 "ls by the project's tag"
expect_out "source:sc.raw.customers"
expect_no_out "source:sc.raw.orders" "the disabled table is not listed"

# a table switched off from its properties file, by a var, as packages do
run parse --vars '{use_customers: false}'
expect_rc 2 "a model that reads a disabled source is an error"
expect_err "models/stg_customers.sql:1:18: error: model 'stg_customers' depends on a source named 'raw.customers' which is disabled"
expect_err "hint: enable the source table"
rm models/stg_customers.sql
run parse --vars '{use_customers: false}'
expect_rc 0 "parse without that model"
expect_json "$M" '.disabled["source.sc.raw.customers"][0].config.enabled' false "the var disables the table"
expect_json "$M" '.sources["source.sc.raw.events"].config.enabled' true "the others stay"

# the disabled tables' tests do not run
run show --inline "create table events as select 1 as id, now() as loaded_at; select 1"
expect_rc 0 "the events table"
run test --vars "{use_customers: false}"
expect_rc 0 "test"
expect_out "Nothing to do" "the disabled tables' tests are left out"
done_testing
