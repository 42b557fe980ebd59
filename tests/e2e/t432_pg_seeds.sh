#!/usr/bin/env bash
# Seeds on PostgreSQL: types inferred as dbt-postgres infers them, column_types, delimiter, quoted
# fields with delimiters and line breaks, a byte-order mark, NULLs, a malformed file that fails with
# its line and leaves the previous table, and 100,000 rows through COPY.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"
pg_start

mkdir -p "$WORK/sd/seeds" "$WORK/sd/models" && cd "$WORK/sd"
printf 'name: sd\nprofile: sd\nseeds:\n  sd:\n    typed:\n      +column_types: {code: varchar(8), amount: "numeric(10,2)"}\n    semi:\n      +delimiter: ";"\n' >dbt_project.yml
pg_profile sd raw
printf '\xef\xbb\xbfid,Name,amount,day,at,flag,big,note\n1,apple,1.5,2024-01-02,2024-01-02 03:04:05,true,3000000000,"a, ""quoted""\nline"\n2,pear,2,2024-02-03,2024-02-03T10:00:00,false,1,\n' >seeds/kinds.csv
printf 'code,amount\n007,1.10\n008,2\n' >seeds/typed.csv
printf 'a;b\n1;x;y\n' >seeds/bad.csv
printf 'a;b\n1;2\n' >seeds/semi.csv
run seed --exclude bad
expect_rc 0 "seeds load"
expect_out "OK loaded seed file raw.kinds" "a progress line per seed"
expect_out_re "INSERT 2" "the rows loaded are reported"
expect_query "select column_name || ':' || data_type from information_schema.columns where table_schema = 'raw' and table_name = 'kinds' order by ordinal_position" \
"id:integer
name:text
amount:double precision
day:date
at:timestamp without time zone
flag:boolean
big:bigint
note:text" "types inferred as dbt-postgres does; the header's names unquoted, so lower case"
expect_query "select id, name, amount, day, at, flag, big, coalesce(note, 'NULL') from {{ ref('kinds') }} order by id" \
'1|apple|1.5|2024-01-02|2024-01-02 03:04:05|true|3000000000|a, \"quoted\"\nline
2|pear|2.0|2024-02-03|2024-02-03 10:00:00|false|1|NULL' "values, quotes, line breaks and NULLs survive"
expect_query "select column_name || ':' || data_type from information_schema.columns where table_schema = 'raw' and table_name = 'typed' order by ordinal_position" \
"code:character varying
amount:numeric" "column_types win"
expect_query "select code from {{ ref('typed') }} order by 1" "007
008" "so leading zeros are kept"
expect_query "select a + b from {{ ref('semi') }}" "3" "the delimiter config"

cp seeds/semi.csv seeds/bad.csv
run seed -s bad --vars '{}'
printf 'a,b\n1,2\n3\n' >seeds/bad.csv
run seed -s bad
expect_rc 0 "a short row is padded with NULLs, as agate pads it"
expect_query "select a, coalesce(b::text, 'NULL') from raw.bad order by a" "1|2
3|NULL"
printf 'a,b\n1,2\n3,4,5\n' >seeds/bad.csv
run seed -s bad
expect_rc 1 "a malformed seed fails"
expect_out "seeds/bad.csv:3:5: error: row 2 has 3 fields, but the header has 2" "the error names the file and line"
printf 'a,b\n1,"open\n' >seeds/bad.csv
run seed -s bad
expect_rc 1 "an unclosed quote fails"
expect_out "seeds/bad.csv:2:3: error: this quoted field is never closed"
expect_query "select count(*) from raw.bad" "2" "the previous table is left as it was"

# 100,000 rows: streamed with COPY, counted, and in a few seconds even on a busy machine
awk 'BEGIN { print "id,name,price,day"; for (i = 1; i <= 100000; i++) printf "%d,item %d,%d.%02d,2024-%02d-%02d\n", i, i, i % 1000, i % 100, i % 12 + 1, i % 28 + 1 }' >seeds/big.csv
start=$(date +%s%N)
run seed -s big
took=$(( ($(date +%s%N) - start) / 1000000 ))
expect_rc 0 "100k rows load"
expect_out "INSERT 100000"
echo "# 100k-row seed loaded in ${took} ms"
expect_query "select count(*), sum(id), min(day), max(price) from {{ ref('big') }}" "100000|5000050000|2024-01-01|999.99" \
	"every row arrived with its types"
if grep -qi "copy .* from stdin" logs/sluice.log target/run/sd/seeds/big.csv 2>/dev/null || [ "$took" -lt 20000 ]; then
	ok "loaded in ${took} ms"
else not_ok "loaded in ${took} ms"; fi

# agate strips a field before comparing it with its null values: " ", "NULL" and a quoted "" are
# NULL and no evidence of a column's type, as dbt-postgres loads them
printf 'id,n,at,note,none\n1, ,2024-01-02 03:04:05,a,\n2,NULL, ,"",\n3,7,null, null ,\n4,,,{ "k": "v" },\n' >seeds/blanks.csv
run seed -s blanks
expect_rc 0 "a seed with blank and null-like fields"
expect_query "select column_name || ':' || data_type from information_schema.columns where table_schema = 'raw' and table_name = 'blanks' order by ordinal_position" \
"id:integer
n:integer
at:timestamp without time zone
note:text
none:integer" "those fields leave the inferred types alone; a column of none is integer, agate's first type"
expect_query "select id || ':' || coalesce(n::text, '-') || ':' || coalesce(at::text, '-') || ':' || coalesce(note, '-') from {{ ref('blanks') }} order by id" \
"1:-:2024-01-02 03:04:05:a
2:-:-:-
3:7:-:-
4:-:-:{ \\\"k\\\": \\\"v\\\" }" "and are NULL; quotes inside an unquoted field are text, as Python's csv reads them"

# a column type dbt_project.yml picks with an expression (rendered natively): the type as picked
cat >>dbt_project.yml <<'EOS'
    picked:
      +column_types:
        id: "{{ 'int64' if target.type == 'bigquery' else 'bigint' }}"
EOS
printf 'id\n1\n' >seeds/picked.csv
run seed -s picked
expect_rc 0 "a seed whose column type is picked by an expression"
expect_query "select data_type from information_schema.columns where table_schema = 'raw' and table_name = 'picked'" \
	"bigint" "the type picked"

# a header that names a column twice: agate's names (name_2, then name_2_2 when name_2 is taken)
printf 'id,flag,flag,flag_2\n1,a,b,c\n' >seeds/twice.csv
run seed -s twice
expect_rc 0 "a seed whose header names a column twice"
expect_query "select string_agg(column_name, ',' order by ordinal_position) from information_schema.columns where table_schema = 'raw' and table_name = 'twice'" \
	"id,flag,flag_2,flag_2_2" "each name given again is renamed as agate renames it"

# a name of PostgreSQL's 63 bytes: the intermediate and backup tables beside it are cut to fit,
# as dbt-postgres names them, rather than cut by the server back to the target's own name
long=expected_results__compare_all_columns_concat_pk_without_summary
printf 'id\n1\n' >seeds/$long.csv
run seed -s $long
expect_rc 0 "a seed whose name is 63 bytes"
run seed -s $long
expect_rc 0 "and again, over the table it built"
expect_query "select count(*) from {{ ref('$long') }}" "1" "its rows"

# a seed loaded again with the same columns keeps its table, so the views on it stay (dbt truncates
# and inserts); new columns swap a new table in; --full-refresh drops the old one as dbt does
printf 'id,v\n1,a\n' >seeds/kept.csv
printf "select * from {{ ref('kept') }}\n" >models/on_kept.sql
run build -s kept on_kept
expect_rc 0 "a seed and a view on it"
printf 'id,v\n1,a\n2,b\n' >seeds/kept.csv
run seed -s kept
expect_rc 0 "the seed loaded again"
expect_query "select count(*) from {{ ref('on_kept') }}" "2" "the view on it stays, and reads the new rows"
printf 'id,v,w\n3,c,x\n' >seeds/kept.csv
run seed -s kept
expect_rc 0 "the seed loaded again with a new column"
expect_query "select string_agg(column_name, ',' order by ordinal_position) from information_schema.columns where table_schema = 'raw' and table_name = 'kept'" \
	"id,v,w" "a new table was swapped in"

done_testing
