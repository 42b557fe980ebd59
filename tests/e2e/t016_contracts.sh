#!/usr/bin/env bash
# Model contracts on DuckDB: the pre-flight check of a query's columns and types against the
# contract (dbt's mismatch table), tables created with their types and constraints (column and
# model level, foreign keys to a ref()), constraints the engine enforces on the data, views
# checked, data_type required, the errors of wrong constraints at their line, the manifest's
# contract checksum, state:modified.contract.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/ct/models" && cd "$WORK/ct"
printf 'name: ct\nprofile: ct\n' >dbt_project.yml
cat >models/customers.sql <<'EOS'
{{ config(materialized='table') }}
select {{ var('cid', 1) }} as id, '{{ var('cname', 'ann') }}' as name
EOS
cat >models/orders.sql <<'EOS'
{{ config(materialized='table') }}
select 10 as order_id, 1 as customer_id, 2.5::decimal(10,2) as amount
EOS
cat >models/v_orders.sql <<'EOS'
select order_id, amount from {{ ref('orders') }}
EOS
cat >models/schema.yml <<'EOS'
models:
  - name: customers
    config:
      contract: {enforced: true}
    columns:
      - name: id
        data_type: integer
        constraints:
          - type: not_null
          - type: primary_key
      - name: name
        data_type: string
        constraints:
          - type: check
            expression: "length(name) > 0"
  - name: orders
    config:
      contract: {enforced: true}
    constraints:
      - type: primary_key
        columns: [order_id]
      - type: foreign_key
        columns: [customer_id]
        to: ref('customers')
        to_columns: [id]
    columns:
      - name: order_id
        data_type: int
      - name: customer_id
        data_type: int
      - name: amount
        data_type: decimal(10,2)
  - name: v_orders
    config:
      contract: {enforced: true}
    columns:
      - name: order_id
        data_type: int
        constraints: [{type: not_null}]
      - name: amount
        data_type: decimal(10,2)
EOS

run run
expect_rc 0 "contracted tables and a contracted view are built"
expect_err "Constraint types are not supported for view materializations and will be ignored" \
	"a view's constraints are warned of when the project is read"
expect_query "select table_name, constraint_type, array_to_string(constraint_column_names, ',') from duckdb_constraints() where table_name in ('customers', 'orders') order by all" \
	"customers|CHECK|name
customers|NOT NULL|id
customers|PRIMARY KEY|id
orders|FOREIGN KEY|customer_id
orders|NOT NULL|order_id
orders|PRIMARY KEY|order_id" "the tables carry their column and model constraints"
expect_query "select column_name, data_type from information_schema.columns where table_name = 'orders' order by ordinal_position" \
	"order_id|INTEGER
customer_id|INTEGER
amount|DECIMAL(10,2)" "the columns have the contract's types"
if grep -q 'references "main"."customers" (id)' target/run/ct/models/orders.sql; then
	ok "the foreign key's ref() renders as the relation"
else
	not_ok "the foreign key's ref() renders as the relation" "$(cat target/run/ct/models/orders.sql)"
fi
expect_json target/manifest.json '.nodes["model.ct.orders"].depends_on.nodes' '["model.ct.customers"]' \
	"the foreign key makes the referenced model a dependency"
expect_json target/manifest.json '.nodes["model.ct.orders"].constraints[1].to' "ref('customers')"
expect_json target/manifest.json '.nodes["model.ct.customers"].columns.id.constraints[0].type' "not_null"
sum=$(json_get target/manifest.json '.nodes["model.ct.customers"].contract.checksum')
if [[ "$sum" =~ ^[0-9a-f]{64}$ ]]; then ok "the manifest has the contract's checksum"; else not_ok "the manifest has the contract's checksum" "$sum"; fi
expect_json target/manifest.json '.nodes["model.ct.orders"].contract.enforced' "true"
cp -r target "$WORK/prod"

# the engine enforces the constraints on the data; the previous table stays
run run -s customers --vars '{cname: ""}'
expect_rc 1 "a row that breaks the check constraint fails the model"
expect_out "CHECK constraint failed" "the engine's constraint error is reported"
expect_query "select name from main.customers" "ann" "the previous table is left as it was"

# the pre-flight check: dbt's table of mismatches, sorted by column name
cat >models/bad.sql <<'EOS'
{{ config(materialized='table') }}
select 'x' as id, 3 as extra
EOS
cat >models/bad.yml <<'EOS'
models:
  - name: bad
    config:
      contract: {enforced: true}
    columns:
      - name: id
        data_type: int
      - name: other
        data_type: varchar
EOS
run run -s bad
expect_rc 1 "a query that does not match its contract fails"
expect_out "This model has an enforced contract that failed."
expect_out "Please ensure the name, data_type, and number of columns in your contract match the columns in your model's definition."
for line in "| column_name | definition_type | contract_type | mismatch_reason       |" \
	"| ----------- | --------------- | ------------- | --------------------- |" \
	"| extra       | INTEGER         |               | missing in contract   |" \
	"| id          | VARCHAR         | INTEGER       | data type mismatch    |" \
	"| other       |                 | VARCHAR       | missing in definition |"; do
	expect_out "$line" "mismatch table line: $line"
done
expect_query "select count(*) from information_schema.tables where table_name like 'bad%'" "0" \
	"nothing is created when the check fails"

# a contracted column without data_type
cat >models/bad.yml <<'EOS'
models:
  - name: bad
    config:
      contract: {enforced: true}
    columns:
      - name: id
        data_type: varchar
      - name: extra
EOS
run run -s bad
expect_rc 1 "a column without data_type fails"
expect_out "Contracted models require data_type to be defined for each column. Please ensure that the column name and data_type are defined within the YAML configuration for the ['extra'] column(s)."
cat >models/bad.yml <<'EOS'
models:
  - name: bad
    config:
      contract: {enforced: true}
    columns:
      - name: id
        data_type: varchar
      - name: extra
        data_type: integer
EOS
run run -s bad
expect_rc 0 "the same model passes once its contract matches"

# wrong constraints are errors of the properties file, at their line
cat >models/bad.yml <<'EOS'
models:
  - name: bad
    config:
      contract: {enforced: true}
    constraints:
      - type: primary_kee
        columns: [id]
    columns:
      - name: id
        data_type: varchar
      - name: extra
        data_type: integer
EOS
run ls
expect_rc 2 "an unknown constraint type fails the project"
expect_err "models/bad.yml:6:9: error: Invalid constraint type on model bad: Type must be one of ['check', 'not_null', 'unique', 'primary_key', 'foreign_key', 'custom']"
cat >models/bad.yml <<'EOS'
models:
  - name: bad
    columns:
      - name: id
        constraints: [{type: primary_key}]
      - name: extra
        constraints: [{type: primary_key}]
EOS
run ls
expect_rc 2 "two column-level primary keys fail the project"
expect_err "Found 2 columns (['id', 'extra']) with primary key constraints defined. Primary keys for multiple columns must be defined as a model level constraint."
cat >models/bad.yml <<'EOS'
models:
  - name: bad
    constraints:
      - {type: foreign_key, columns: [id], to: "customers"}
EOS
run ls
expect_rc 2 "a foreign key whose to is not a ref() or source() fails"
expect_err "Invalid 'ref' or 'source' syntax on foreign key constraint 'to' on model bad: customers."
rm models/bad.yml models/bad.sql

# a contract's change is a state:modified.contract change; a body change is not
sed -i 's/data_type: decimal(10,2)$/data_type: decimal(12,2)/' models/schema.yml
run ls -s state:modified.contract --state "$WORK/prod" --output name
expect_rc 0 "ls state:modified.contract"
expect_err "Breaking change to contracted, unversioned model orders (models/orders.sql)"
expect_err "  - Columns with data_type changes: " "dbt's warning lists the breaking changes"
expect_err "    - amount (decimal(10,2) -> decimal(12,2))"
if [ "$(sort "$OUT" | tr '\n' ' ')" = "orders v_orders " ]; then ok "the changed contracts are selected"
else not_ok "the changed contracts are selected" "$(cat "$OUT")"; fi
run run -s orders
expect_rc 1 "the query no longer matches the new type"
expect_out "| amount      | DECIMAL(10,2)   | DECIMAL(12,2) | data type mismatch |"

# a breaking change to a versioned model's contract is an error
cat >models/versioned.yml <<'EOS'
models:
  - name: vmodel
    config: {contract: {enforced: true}, materialized: table}
    columns:
      - {name: id, data_type: int, constraints: [{type: not_null}]}
    versions: [{v: 1}]
EOS
echo "select 1 as id" >models/vmodel_v1.sql
run parse
expect_rc 0 "a contracted versioned model"
rm -rf "$WORK/prod2" && cp -r target "$WORK/prod2"
sed -i 's/constraints: \[{type: not_null}\]/constraints: []/' models/versioned.yml
run ls -s state:modified --state "$WORK/prod2"
expect_rc 2 "removing an enforced constraint of a versioned model is an error"
expect_err "While comparing to previous project state, dbt detected a breaking change to an enforced contract."
expect_err "  - Enforced column level constraints were removed: "
expect_err "    - 'not_null' constraint on column id"
expect_err "Otherwise, create a new model version"
run ls -s state:modified.body --state "$WORK/prod2"
expect_rc 0 "other state selectors do not compare contracts"

done_testing
