#!/usr/bin/env bash
# Incremental models beyond the basics: merge through MERGE INTO (merge_update_columns,
# merge_exclude_columns), incremental_predicates, a project's own strategy macro, the full_refresh
# config against --full-refresh, a run that fails after its delete leaving the previous table,
# sync_all_columns with a changed type, and the adapter/Column methods incremental code uses.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/is/models" "$WORK/is/macros" && cd "$WORK/is"
printf 'name: is\nprofile: is\n' >dbt_project.yml
# rows (id, a, b, ver): each run sends ids lo..hi-1
rows='select * from (values {% for i in range(var("lo", 1), var("hi", 3)) %}({{ i }}, {{ i }} * 10 + {{ var("ver", 1) }}, {{ var("ver", 1) }}, {{ var("ver", 1) }}){% if not loop.last %}, {% endif %}{% endfor %}) as t(id, a, b, ver)'
cat >models/m_all.sql <<EOS
{{ config(materialized='incremental', incremental_strategy='merge', unique_key='id') }}
$rows
EOS
cat >models/m_excl.sql <<EOS
{{ config(materialized='incremental', incremental_strategy='merge', unique_key='id', merge_exclude_columns=['b']) }}
$rows
EOS
cat >models/m_only.sql <<EOS
{{ config(materialized='incremental', incremental_strategy='merge', unique_key='id', merge_update_columns=['a']) }}
$rows
EOS
cat >models/di_pred.sql <<EOS
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='id', incremental_predicates=['DBT_INTERNAL_DEST.id > 1']) }}
$rows
EOS
cat >models/own.sql <<EOS
{{ config(materialized='incremental', incremental_strategy='replace_all') }}
$rows
EOS
cat >models/keep.sql <<EOS
{{ config(materialized='incremental', full_refresh=false) }}
select {{ var('ver', 1) }} as ver{% if is_incremental() %} where {{ var('ver', 1) }} > (select max(ver) from {{ this }}){% endif %}
EOS
# a strategy of the project's own: every row of the target replaced by the new ones
cat >macros/strategies.sql <<'EOS'
{% macro get_incremental_replace_all_sql(arg_dict) %}
  {%- set cols = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
  delete from {{ arg_dict['target_relation'] }};
  insert into {{ arg_dict['target_relation'] }} ({{ cols }}) select {{ cols }} from {{ arg_dict['temp_relation'] }}
{% endmacro %}
EOS
run run
expect_rc 0 "first run"
run run --vars '{lo: 2, hi: 4, ver: 2}'
expect_rc 0 "second run"
expect_query "select id, a, b, ver from m_all order by id" "1|11|1|1
2|22|2|2
3|32|2|2" "merge: matched rows are updated, new ones inserted"
expect_query "select id, a, b, ver from m_excl order by id" "1|11|1|1
2|22|1|2
3|32|2|2" "merge_exclude_columns leaves those columns of matched rows"
expect_query "select id, a, b, ver from m_only order by id" "1|11|1|1
2|22|1|1
3|32|2|2" "merge_update_columns updates only those"
if grep -qi "merge into" target/run/is/models/m_all.sql; then ok "merge runs MERGE INTO"; else not_ok "merge runs MERGE INTO" "$(cat target/run/is/models/m_all.sql)"; fi
run run -s di_pred --vars '{lo: 1, hi: 3, ver: 3}'
expect_query "select id, ver from di_pred order by id, ver" "1|1
1|3
2|3
3|2" "incremental_predicates narrow the rows delete+insert removes"
expect_query "select id, ver from own order by id" "2|2
3|2" "a project's own strategy macro"
run run -s keep --full-refresh --vars '{ver: 3}'
expect_rc 0
expect_query "select ver from keep order by 1" "1
2
3" "full_refresh: false keeps the table under --full-refresh, and is_incremental() is true"

# a run that fails after its delete ran leaves the previous rows: b turns into text that cannot be
# inserted into the integer column
cat >models/fragile.sql <<'EOS'
{{ config(materialized='incremental', unique_key='id') }}
select 1 as id, {{ var('b', '1') }} as b
EOS
run run -s fragile
expect_rc 0
run run -s fragile --vars "{b: \"'text'\"}"
expect_rc 1 "an insert that fails fails the model"
expect_query "select id, b from fragile" "1|1" "the delete is rolled back with it"
expect_query "select count(*) from information_schema.tables where table_name like '%dbt_tmp%'" "0" "no temporary table is left"

# sync_all_columns follows a changed type
cat >models/retype.sql <<'EOS'
{{ config(materialized='incremental', on_schema_change='sync_all_columns') }}
select {{ var('x', '1') }} as x
EOS
run run -s retype
run run -s retype --vars "{x: \"'abc'\"}"
expect_rc 0 "sync_all_columns with a new type"
expect_query "select data_type from information_schema.columns where table_name = 'retype'" "VARCHAR"
expect_query "select x from retype order by x" "1
abc"

# an unknown strategy names the macro to write
echo "{{ config(materialized='incremental', incremental_strategy='nope') }} select 1 as id" >models/bad.sql
run run -s bad
run run -s bad
expect_rc 1 "an unknown strategy fails"
expect_out "define a macro named 'get_incremental_nope_sql'"
rm models/bad.sql

# adapter and Column methods
expect_query "select '{{ adapter.get_missing_columns(ref('m_all'), ref('keep')) | map(attribute='name') | join(',') }}'" "id,a,b" "adapter.get_missing_columns"
expect_query "select {{ adapter.already_exists('main', 'm_all') }}, {{ adapter.already_exists('main', 'nope') }}" "true|false" "adapter.already_exists"
cat >models/cols.sql <<'EOS'
select 1::decimal(10,2) as d, 'x'::varchar as s, 1::bigint as i, 1.5::double as f
EOS
run run -s cols
expect_query "{% if execute %}{% set c = adapter.get_columns_in_relation(ref('cols')) %}{% endif %}select '{% if execute %}{{ c[0].numeric_precision }}/{{ c[0].numeric_scale }}/{{ c[0].is_numeric() }}/{{ c[1].is_string() }}/{{ c[2].is_integer() }}/{{ c[3].is_float() }}/{{ c[2].is_number() }}/{{ c[1].quoted | length }}/{{ c[0].dtype }}{% endif %}' as v" '10/2/True/True/True/True/True/3/DECIMAL(10,2)' "Column accessors"
expect_query "select {{ api.Column.create('n', 'string').literal(\"'7'\") }} || '-' || '{{ api.Column.translate_type('float') }}'" "7-float" "api.Column"

done_testing
