#!/usr/bin/env bash
# Model contracts on PostgreSQL: tables created with the contract's types and every constraint type
# dbt-postgres supports (not null, unique, primary key, check, foreign key to a ref(), custom,
# named model-level ones), enforced by the server on the data; the pre-flight check with dbt's
# mismatch table; a table that a foreign key references is rebuilt (dbt-postgres drops the
# referencing constraint with the old table); incremental models with a contract.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"
pg_start

mkdir -p "$WORK/pc/models" && cd "$WORK/pc"
printf 'name: pc\nprofile: pc\n' >dbt_project.yml
pg_profile pc analytics
cat >models/customers.sql <<'EOS'
{{ config(materialized='table') }}
select {{ var('cid', 1) }} as id, '{{ var('cname', 'ann') }}'::text as name, 'a@x'::varchar(20) as email
EOS
cat >models/orders.sql <<'EOS'
{{ config(materialized='incremental', unique_key='order_id') }}
select {{ var('oid', 10) }} as order_id, {{ var('ocust', 1) }} as customer_id, 2.5::numeric(10,2) as amount
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
        data_type: text
        constraints:
          - type: check
            expression: "length(name) > 0"
      - name: email
        data_type: varchar(20)
        constraints:
          - type: unique
          - type: custom
            expression: "collate \"C\""
  - name: orders
    config:
      contract: {enforced: true}
    constraints:
      - type: primary_key
        columns: [order_id]
      - type: check
        name: orders_amount_positive
        expression: "amount > 0"
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
        data_type: numeric(10,2)
EOS

run run
expect_rc 0 "contracted tables are built on PostgreSQL"
got=$(pg_sql "select tc.table_name, tc.constraint_type, kcu.column_name from information_schema.table_constraints tc
	left join information_schema.key_column_usage kcu on kcu.constraint_name = tc.constraint_name and kcu.table_schema = tc.table_schema
	where tc.table_schema = 'analytics' and tc.constraint_type <> 'CHECK' order by 1, 2, 3")
want="customers|PRIMARY KEY|id
customers|UNIQUE|email
orders|FOREIGN KEY|customer_id
orders|PRIMARY KEY|order_id"
if [ "$got" = "$want" ]; then ok "primary keys, unique and foreign keys are created"; else not_ok "primary keys, unique and foreign keys are created" "$got"; fi
got=$(pg_sql "select conname from pg_constraint where conrelid = 'analytics.orders'::regclass and contype = 'c'")
if [ "$got" = "orders_amount_positive" ]; then ok "a named model-level constraint keeps its name"; else not_ok "a named model-level constraint keeps its name" "$got"; fi
got=$(pg_sql "select count(*) from pg_constraint where conrelid = 'analytics.customers'::regclass and contype = 'c' and pg_get_constraintdef(oid) like '%length(name) > 0%'")
if [ "$got" = "1" ]; then ok "the check constraint is created"; else not_ok "the check constraint is created" "$got"; fi
got=$(pg_sql "select column_name || ' ' || data_type || coalesce('(' || character_maximum_length || ')', '') || ' ' || is_nullable from information_schema.columns where table_schema = 'analytics' and table_name = 'customers' order by ordinal_position")
want="id integer NO
name text YES
email character varying(20) YES"
if [ "$got" = "$want" ]; then ok "the columns have the contract's types"; else not_ok "the columns have the contract's types" "$got"; fi

# the server enforces them; the previous rows stay
run run -s orders --vars '{oid: 11, ocust: 99}'
expect_rc 1 "an order of an unknown customer breaks the foreign key"
expect_out "violates foreign key constraint"
run run -s customers --vars '{cname: ""}'
expect_rc 1 "an empty name breaks the check constraint"
expect_out "violates check constraint"
if [ "$(pg_sql "select name from analytics.customers")" = "ann" ]; then ok "the previous table stays"; else not_ok "the previous table stays"; fi

# rebuilding a referenced table: the old table goes with the constraint that referenced it
run run -s customers --vars '{cname: bob}'
expect_rc 0 "a table that a foreign key references is rebuilt"
run run -s orders --vars '{oid: 12}'
expect_rc 0 "an incremental run of a contracted model"
if [ "$(pg_sql "select string_agg(order_id::text, ',' order by order_id) from analytics.orders")" = "10,12" ]; then
	ok "the incremental model adds its rows"; else not_ok "the incremental model adds its rows"; fi
run run -s orders --full-refresh
expect_rc 0 "a contracted incremental model is rebuilt"
got=$(pg_sql "select count(*) from pg_constraint where conrelid = 'analytics.orders'::regclass and contype = 'f'")
if [ "$got" = "1" ]; then ok "the rebuilt table has its foreign key again"; else not_ok "the rebuilt table has its foreign key again" "$got"; fi

# the pre-flight check, with PostgreSQL's type names
cat >models/bad.sql <<'EOS'
{{ config(materialized='table') }}
select 'x'::text as id, 3 as extra
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
expect_out_re "^.*\| column_name \| definition_type \| contract_type +\| mismatch_reason +\|$" "the table's header"
expect_out_re "^.*\| extra +\| integer +\| +\| missing in contract +\|$" "the extra column is missing in the contract"
expect_out_re "^.*\| id +\| text +\| integer +\| data type mismatch +\|$" "the type mismatch is reported"
expect_out_re "^.*\| other +\| +\| (character varying|varchar) +\| missing in definition \|$" "the missing column is reported"
if [ "$(pg_sql "select count(*) from information_schema.tables where table_name like 'bad%'")" = "0" ]; then
	ok "nothing is created when the check fails"; else not_ok "nothing is created when the check fails"; fi

done_testing
