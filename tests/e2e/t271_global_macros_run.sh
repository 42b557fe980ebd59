#!/usr/bin/env bash
# The macros of dbt's global project beyond what Sluice's own materializations call, run on
# DuckDB: the catalog queries, the seed steps (a project's seed materialization built from them),
# the insert_overwrite and microbatch strategies, the materialized-view steps (DuckDB has none,
# as with dbt-duckdb), the Python-model code, clone and index SQL, _split_part_negative and the
# unit-test SQL.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/gr/models" "$WORK/gr/macros" "$WORK/gr/seeds" && cd "$WORK/gr"
printf 'name: gr\nprofile: gr\n' >dbt_project.yml
echo "select 1 as id, 'x' as v" >models/a.sql
cat >macros/ops.sql <<'EOS'
{% macro show_catalog() %}
  {%- for r in get_catalog(target.database, ['main']).rows if r['table_name'] == 'a' -%}
    {{ log('CAT ' ~ (r.values() | join('|')), info=true) }}
  {%- endfor -%}
  {%- set t = get_catalog_relations(none, [ref('a')]) -%}
  {{ log('RELS ' ~ (t.column_names | join(',')) ~ ' ' ~ (t.rows | length), info=true) }}
  {%- set t = get_catalog_for_single_relation(ref('a')) -%}
  {{ log('ONE ' ~ t.rows[0]['table_name'] ~ ' ' ~ t.rows[1]['column_name'] ~ ' ' ~ t.rows[1]['column_type'], info=true) }}
  {{ log('NONE ' ~ (get_catalog(target.database, []).rows | length), info=true) }}
{% endmacro %}

{% macro show_sql() %}
  {{ log('CLONE ' ~ create_or_replace_clone(ref('a'), api.Relation.create(database='other', schema='main', identifier='a')) | trim, info=true) }}
  {%- set r = run_query("select " ~ _split_part_negative("'a.b.c'", "'.'", -1) ~ ", " ~ _split_part_negative("'a--b--c'", "'--'", -2)) -%}
  {{ log('SPLIT ' ~ r.rows[0].values() | join('|'), info=true) }}
  {{ log('QUOTE ' ~ adapter.quote_seed_column('Name', true) ~ ' ' ~ adapter.quote_seed_column('Name', false) ~ ' ' ~ adapter.quote_seed_column('Name', none), info=true) }}
{% endmacro %}

{% macro show_time_types() %}
  {{ log('UPDATED_AT ' ~ get_updated_at_column_data_type("select 1 as id, timestamp '2024-01-01' as dbt_updated_at"), info=true) }}
  {{ log('NO UPDATED_AT ' ~ get_updated_at_column_data_type("select 1 as id"), info=true) }}
  {%- do check_time_data_types("select timestamptz '2024-01-01 00:00:00+00' as dbt_updated_at") -%}
  {%- do check_time_data_types("select timestamp '2024-01-01' as dbt_updated_at") -%}
{% endmacro %}

{% macro show_index_sql() %}
  {{ get_show_indexes_sql(ref('a')) }}
{% endmacro %}

{% macro show_unit_sql() %}
  {%- set types = {'id': 'integer', 'v': 'varchar'} -%}
  {%- set quoted = {'id': '"id"', 'v': '"v"'} -%}
  {%- set expected = get_expected_sql([{'ID': 1, 'v': "it's"}, {'id': 2, 'v': none}], types, quoted) -%}
  {%- set sql = get_unit_test_sql("select 2 as id, null as v union all select 1, 'it''s'", expected, ['"id"', '"v"']) -%}
  {%- for r in run_query(sql ~ ' order by 3, 1').rows -%}
    {{ log('UNIT ' ~ (r.values() | join('|')), info=true) }}
  {%- endfor -%}
  {%- for r in run_query(get_fixture_sql([{'v': 'p'}, {'id': 7}], types)).rows -%}
    {{ log('FIXTURE ' ~ (r.values() | join('|')), info=true) }}
  {%- endfor -%}
  {{ log('EMPTY ' ~ (run_query(get_fixture_sql([], types)).rows | length), info=true) }}
  {{ log('EXPECTED NONE ' ~ get_expected_sql([], types, quoted) | replace('\n', ' '), info=true) }}
  {%- do format_row({'nope': 1}, types) -%}
{% endmacro %}
EOS
run run
expect_rc 0 "the project builds"

run run-operation show_catalog
expect_rc 0 "get_catalog, get_catalog_relations and get_catalog_for_single_relation run"
expect_out "CAT gr|main|a|VIEW|None|id|1|INTEGER|None|None"
expect_out "CAT gr|main|a|VIEW|None|v|2|VARCHAR|None|None"
expect_out "RELS table_database,table_schema,table_name,table_type,table_comment,column_name,column_index,column_type,column_comment,table_owner 2"
expect_out "ONE a v VARCHAR"
expect_out "NONE 0"

run run-operation show_sql
expect_rc 0 "clone SQL renders and _split_part_negative runs"
expect_out 'CLONE create or replace table "gr"."main"."a" clone "other"."main"."a"'
expect_out "SPLIT c|b"
expect_out 'QUOTE "Name" Name Name'

run run-operation show_time_types
expect_rc 0 "get_updated_at_column_data_type and check_time_data_types run"
expect_out "UPDATED_AT TIMESTAMP"
expect_out "NO UPDATED_AT None"
if [ "$(cat "$OUT" "$ERR" | grep -c "warning: Data type of snapshot table timestamp columns (TIMESTAMP) doesn't match derived column 'updated_at' (TIMESTAMP WITH TIME ZONE)")" = 1 ] &&
	[ "$(cat "$OUT" "$ERR" | grep -c "warning:")" = 1 ]; then
	ok "check_time_data_types warns once, for the timestamp with time zone"
else not_ok "check_time_data_types warns once, for the timestamp with time zone" "$(cat "$OUT" "$ERR")"; fi

run run-operation show_index_sql
expect_rc 1 "get_show_indexes_sql stops as dbt's default does"
expect_err "get_show_indexes_sql has not been implemented for this adapter."

run run-operation show_unit_sql
expect_rc 1 "format_row refuses a column the relation lacks"
expect_out "UNIT 1|it's|actual"
expect_out "UNIT 2|None|actual"
expect_out "UNIT 1|it's|expected"
expect_out "UNIT 2|None|expected"
expect_out "FIXTURE None|p"
expect_out "FIXTURE 7|None"
expect_out "EMPTY 0"
expect_out "EXPECTED NONE select * from dbt_internal_unit_test_actual limit 0"
expect_err "Invalid column name: 'nope' in unit test fixture for expected output."

# a seed materialization of the project made of dbt's steps; a batch size of 2 rows
printf 'id,name,amount,day,ok\n1,Ann,1.5,2024-01-01,true\n2,O'"'"'Brien,,2024-01-02,false\n3,Cy,3,,true\n' >seeds/people.csv
cat >macros/seed.sql <<'EOS'
{% macro duckdb__get_batch_size() %}{{ return(2) }}{% endmacro %}
{% materialization seed, default %}
  {%- set agate_table = load_agate_table() -%}
  {%- set existing = adapter.get_relation(database=this.database, schema=this.schema, identifier=this.identifier) -%}
  {%- if existing is not none -%}
    {%- set create_sql = reset_csv_table(model, should_full_refresh(), existing, agate_table) -%}
  {%- else -%}
    {%- set create_sql = create_csv_table(model, agate_table) -%}
  {%- endif -%}
  {%- set insert_sql = load_csv_rows(model, agate_table) -%}
  {{ log('CSV SQL ' ~ (get_csv_sql(create_sql, insert_sql) | replace('\n', ' ') | replace('  ', '')), info=true) }}
  {{ adapter.commit() }}
  {{ return({'relations': [this]}) }}
{% endmaterialization %}
EOS
run seed
expect_rc 0 "a seed loaded by create_csv_table and load_csv_rows"
expect_out 'CSV SQL create table "gr"."main"."people" (id INTEGER, name VARCHAR, amount DOUBLE, day DATE, ok BOOLEAN);'
expect_out "-- dbt seed --"
expect_query "select id, name, coalesce(amount, -1), coalesce(cast(day as varchar), '-') as d, ok from people order by id" "1|Ann|1.5|2024-01-01|true
2|O'Brien|-1.0|2024-01-02|false
3|Cy|3.0|-|true" "the rows and the types of the CSV"
run seed
expect_rc 0 "a second load truncates the table"
expect_out 'CSV SQL truncate table "gr"."main"."people";'
expect_query "select count(*) from people" "3" "the rows are loaded once"
sed -i 's/^3,Cy,3,,true$/3,Cy,3,,true\n4,Di,4,2024-01-04,false/' seeds/people.csv
run seed --full-refresh
expect_rc 0 "a full refresh recreates the table"
expect_out 'CSV SQL create table "gr"."main"."people"'
expect_query "select count(*) from people" "4" "with the CSV's new row"
rm macros/seed.sql

# insert_overwrite replaces the rows the predicates select; microbatch replaces the event_time window
cat >models/io.sql <<'EOS'
{{ config(materialized='incremental', incremental_strategy='insert_overwrite', incremental_predicates=["DBT_INTERNAL_DEST.day >= date '2024-01-02'"]) }}
select * from (values (date '2024-01-02', 20), (date '2024-01-03', 30)) t(day, n)
{% if not is_incremental() %}union all select * from (values (date '2024-01-01', 10), (date '2024-01-02', 99), (date '2024-01-04', 40)) t(day, n){% endif %}
EOS
cat >models/mb.sql <<'EOS'
{{ config(materialized='incremental', incremental_strategy='microbatch', event_time='day', begin='2024-01-01',
          batch_size='day') }}
select * from (values (date '2024-01-02', 'new2'), (date '2024-01-03', 'new3')) t(day, v)
{% if not is_incremental() %}union all select * from (values (date '2024-01-01', 'old1'), (date '2024-01-02', 'old2'), (date '2024-01-05', 'old5')) t(day, v){% endif %}
EOS
run run --select io mb --event-time-start 2024-01-02 --event-time-end 2024-01-04
expect_rc 0 "the first run of insert_overwrite and microbatch models"
run run --select io mb --event-time-start 2024-01-02 --event-time-end 2024-01-04
expect_rc 0 "their incremental run"
expect_query "select cast(day as varchar) as d, n from io order by 1" "2024-01-01|10
2024-01-02|20
2024-01-03|30" "insert_overwrite: the selected rows replaced, the others kept"
expect_query "select cast(day as varchar) as d, v from mb order by 1, 2" "2024-01-01|old1
2024-01-02|new2
2024-01-03|new3
2024-01-05|old5" "microbatch: each batch's window replaced, the rows outside kept"
echo "{{ config(materialized='incremental', incremental_strategy='microbatch') }} select 1 as id" >models/mb2.sql
run run --select mb2
expect_rc 2 "microbatch without event_time does not load"
expect_err "Microbatch model 'mb2' must provide an 'event_time' (string) config"
rm models/mb2.sql

# materialized views: DuckDB has none, and the default stops with dbt's message
echo "{{ config(materialized='materialized_view') }} select 1 as id" >models/mv.sql
run run --select mv
expect_rc 1 "a materialized view fails on DuckDB"
expect_out "get_create_materialized_view_as_sql\` has not been implemented for this adapter."
rm models/mv.sql

# the code dbt appends to Python models
cat >models/py.sql <<'EOS'
-- depends_on: {{ ref('a') }}
{% if execute %}/*{{ py_script_postfix(model) }}*/{% endif %}
select 1 as one
EOS
run compile --select py
expect_rc 0 "py_script_postfix renders"
c=target/compiled/gr/models/py.sql
for want in 'refs = {"a": "\"gr\".\"main\".\"a\""}' 'sources = {}' 'config_dict = {}' 'meta_dict = {}' \
	'identifier = "py"' "return '\"gr\".\"main\".\"py\"'" 'self.is_incremental = False' \
	'dbt_load_df_function = kwargs.get("dbt_load_df_function")'; do
	if grep -qF -- "$want" "$c"; then ok "the Python code has: $want"; else not_ok "the Python code has: $want" "$(cat "$c")"; fi
done
done_testing
