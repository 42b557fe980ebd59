#!/usr/bin/env bash
# dbt_project.yml's configs are rendered natively, as dbt's DbtProjectYamlRenderer renders them:
# `+enabled: "{{ target.type == 'snowflake' }}"` is the boolean false, not the text "False" (which
# would enable the node), as packages' integration projects switch seeds per warehouse. And a
# package's properties file reads that package's vars (the root project's `vars: {pkg: ...}`), as
# dbt's SchemaYamlContext does: fivetran's source packages name their tables that way.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/nr/models/retired" "$WORK/nr/seeds" "$WORK/nr/dbt_packages/pk/models" && cd "$WORK/nr"
cat >dbt_project.yml <<'EOS'
name: nr
profile: nr
vars:
  pk:
    pk_orders_identifier: orders_data
seeds:
  nr:
    +quote_columns: "{{ target.type == 'postgres' }}"
    only_on_snowflake:
      +enabled: "{{ true if target.type == 'snowflake' else false }}"
      +alias: orders_data
models:
  nr:
    +tags: "{{ ['from', target.name] }}"
    +alias: "{{ 'm' ~ '01' }}"
    retired:
      +enabled: "{{ target.type == 'snowflake' }}"
    picked:
      +schema: "{{ 'warehouse' if target.type == 'snowflake' else 'picked' }}"
EOS
mkdir -p models/picked
echo "select 1 as id" >models/picked/chosen.sql
printf 'id\n1\n2\n' >seeds/orders_data.csv
printf 'id\n7\n' >seeds/only_on_snowflake.csv
echo "select 1 as id" >models/retired/gone.sql
echo "select count(*) as n from {{ source('raw', 'orders') }}" >models/counts.sql
cat >dbt_packages/pk/dbt_project.yml <<'EOS'
name: pk
EOS
cat >dbt_packages/pk/models/src.yml <<'EOS'
sources:
  - name: raw
    schema: main
    tables:
      - name: orders
        identifier: "{{ var('pk_orders_identifier', 'orders') }}"
EOS

run parse
expect_rc 0 "parse: the seed switched off on this target does not clash with the one it stands in for"
M=target/manifest.json
expect_json "$M" '.disabled["seed.nr.only_on_snowflake"][0].config.enabled' false "a ternary that renders false disables"
expect_json "$M" '.disabled["model.nr.gone"][0].config.enabled' false "so does a comparison"
expect_json "$M" '.nodes["seed.nr.orders_data"].config.quote_columns' false "a boolean config is a boolean"
expect_json "$M" '.nodes["model.nr.counts"].config.tags' '["from","dev"]' "a list is a list (one that reads a name: a constant one Jinja folds into text)"
expect_json "$M" '.nodes["model.nr.counts"].alias' m01 "and text stays text"
expect_json "$M" '.nodes["model.nr.chosen"].relation_name' '"nr"."main_picked"."m01"' \
	"a string the expression picks is whole where it is used (a schema's name)"
expect_json "$M" '.sources["source.pk.raw.orders"].identifier' orders_data \
	"the package's properties file reads the var the root project sets for the package"

# the package's source reads the seed, under the name the var gives (the seed first: nothing
# orders a source's table before its readers, and dbt starts the two roots by name)
run seed -s orders_data
run build -s counts
expect_rc 0 "build"
expect_query "select n from {{ ref('counts') }}" "2" "the model reads the table the var names"
done_testing
