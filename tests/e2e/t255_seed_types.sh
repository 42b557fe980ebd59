#!/usr/bin/env bash
# Seed columns get the types dbt gives them on DuckDB (agate's inference, then the SQL adapter's
# names): whole numbers INTEGER, numbers with decimals DOUBLE, dates DATE, date-times TIMESTAMP,
# true/false BOOLEAN, anything else VARCHAR; an empty column is INTEGER; empty and "null" fields
# are NULL; column_types wins for the columns it names.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/p/seeds" "$WORK/p/models"
cd "$WORK/p" || exit 2
cat >dbt_project.yml <<'YML'
name: p
seeds:
  p:
    typed:
      +column_types:
        zip: varchar
YML
cat >seeds/typed.csv <<'CSV'
i,f,d,ts,iso,b,t,e,n,zip,mixed
1,1.5,2020-01-01,2020-01-01 10:00:00,2020-01-01T10:00:00,true,a,,null,00501,1
2,2,2020-02-29,2020-01-02 11:30:00,2020-01-02T11:30:00.5,False,b,,,00502,x
,3.25,,,,TRUE,null,,NULL,,2020-01-01
CSV
run seed
expect_rc 0 "seed"
expect_query "select column_name || ':' || data_type from information_schema.columns where table_name = 'typed' order by ordinal_position" \
"i:INTEGER
f:DOUBLE
d:DATE
ts:TIMESTAMP
iso:TIMESTAMP
b:BOOLEAN
t:VARCHAR
e:INTEGER
n:INTEGER
zip:VARCHAR
mixed:VARCHAR" "each column has dbt's type"
expect_query "select count(*) from {{ ref('typed') }} where i is null and t is null and n is null" "1" \
	"empty and null fields are NULL"
expect_query "select zip from {{ ref('typed') }} where zip is not null order by 1" "00501
00502" "column_types keeps the text"
expect_query "select b from {{ ref('typed') }} order by i nulls last" "true
false
true" "booleans in any case"

# agate strips a field before it compares it with its null values: a field of blanks, or "null"
# with blanks around, is none, even in a column column_types makes a timestamp
cat >seeds/blanks.csv <<'CSV'
id,cancelled_at,note
1, ,a
2,2024-01-02 03:04:05, null
3,  ," "
CSV
printf '    blanks:\n      +column_types:\n        cancelled_at: timestamp\n' >>dbt_project.yml
run seed -s blanks
expect_rc 0 "a seed with fields of blanks loads"
expect_query "select id || ':' || coalesce(cast(cancelled_at as varchar), '-') || ':' || coalesce(note, '-') from {{ ref('blanks') }} order by id" "1:-:a
2:2024-01-02 03:04:05:-
3:-:-" "they are NULL"

# a header that names a column twice: agate's Table renames the second name_2, and dbt creates
# the table with agate's names (DuckDB's own reader would say name_1)
printf 'id,flag,flag,flag_2\n1,a,b,c\n' >seeds/twice.csv
run seed -s twice
expect_rc 0 "a seed whose header names a column twice loads"
expect_query "select string_agg(column_name, ',' order by ordinal_position) from information_schema.columns where table_name = 'twice'" \
	"id,flag,flag_2,flag_2_2" "each name given again is renamed as agate renames it"

done_testing
