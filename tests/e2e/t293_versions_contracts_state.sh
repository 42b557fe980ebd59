#!/usr/bin/env bash
# A model version written as a string in YAML (v: "2") stays a string in the manifest, as dbt keeps
# it (NodeVersion = Union[str, float]), and so does ref('m', v='2') in refs; a foreign key's
# `to: ref('m', v=1)` names that version; the model context's column data types follow the
# contract's alias_types whether or not the contract is enforced (ProviderContext.ctx_model);
# state:modified sees a change to a unit test's fixture file, whose rows the manifest holds.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/p/models" "$WORK/p/tests/fixtures"
cd "$WORK/p" || exit 2
printf 'name: p\n' >dbt_project.yml
echo "select 1 as id" >models/m_v1.sql
echo "select 2 as id" >models/m_v2.sql
cat >models/c.sql <<'SQL'
select * from {{ ref('m', v='2') }} union all select * from {{ ref('m', v=1) }}
SQL
echo "select * from {{ ref('m', v='2') }}" >models/c_two.sql
echo "select 1 as id" >models/fk.sql
cat >models/types.sql <<'SQL'
select '{% if execute %}{{ model.columns["name"].data_type }}{% endif %}' as t
SQL
cat >models/types_off.sql <<'SQL'
select '{% if execute %}{{ model.columns["name"].data_type }}{% endif %}' as t
SQL
cat >models/schema.yml <<'YML'
models:
  - name: m
    latest_version: 1
    config: {materialized: table, contract: {enforced: true}}
    columns:
      - name: id
        data_type: integer
        constraints: [{type: primary_key}]
    versions:
      - v: 1
      - v: "2"
  - name: fk
    config: {materialized: table, contract: {enforced: true}}
    columns:
      - name: id
        data_type: integer
        constraints:
          - type: foreign_key
            to: ref('m', v=1)
            to_columns: [id]
  - name: types
    columns:
      - name: name
        data_type: string
  - name: types_off
    config: {contract: {alias_types: false}}
    columns:
      - name: name
        data_type: string
unit_tests:
  - name: c_reads_both
    model: c_two
    given:
      - input: ref('m', v='2')
        format: csv
        fixture: m_rows
    expect:
      rows: [{id: 5}]
YML
printf 'id\n5\n' >tests/fixtures/m_rows.csv

M=target/manifest.json
run parse
expect_rc 0 "parse"
expect_json $M '.nodes["model.p.m.v2"].version.constructor.name' "String" "v: \"2\" is a string version"
expect_json $M '.nodes["model.p.m.v2"].version' "2"
expect_json $M '.nodes["model.p.m.v1"].version.constructor.name' "Number" "v: 1 is a number"
expect_json $M '.nodes["model.p.c"].refs' '[{"name":"m","package":null,"version":"2"},{"name":"m","package":null,"version":1}]' \
	"ref()'s versions are kept as called: '2' a string, 1 a number"
expect_json $M '.nodes["model.p.fk"].depends_on.nodes' '["model.p.m.v1"]' "the foreign key's to: ref('m', v=1) depends on version 1"
expect_json $M '.nodes["model.p.fk"].refs' '[{"name":"m","package":null,"version":1}]'
expect_json $M '.unit_tests["unit_test.p.c_two.c_reads_both"].given[0].rows' '[{"id":"5"}]' \
	"a fixture file's rows are in the manifest, as dbt reads them"

run build
expect_rc 0 "build"
expect_query "select constraint_text from duckdb_constraints() where table_name = 'fk' and constraint_type = 'FOREIGN KEY'" \
	'FOREIGN KEY (id) REFERENCES main.m_v1(id)' "the foreign key references m_v1"
expect_query "select t from types" "TEXT" "alias_types turns string into TEXT without an enforced contract"
expect_query "select t from types_off" "string" "alias_types: false keeps the type as written"

# state:modified: nothing changed, then the unit test's fixture file
mkdir -p state && cp $M state/manifest.json
run ls -s state:modified --state state --resource-type unit_test
expect_rc 0 "ls state:modified"
expect_no_out "c_reads_both" "an unchanged unit test is not modified"
printf 'id\n6\n' >tests/fixtures/m_rows.csv
run ls -s state:modified --state state --resource-type unit_test
expect_out "c_reads_both" "a changed fixture file makes its unit test modified"

done_testing
