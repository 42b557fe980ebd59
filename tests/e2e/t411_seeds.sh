#!/usr/bin/env bash
# Seeds: CSV files become tables with inferred types, column_types and delimiter configs, refs from
# models, a re-seed with changed data, a broken CSV that leaves the previous table, and a
# 100,000-row seed.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/sd/seeds/typed" "$WORK/sd/models" && cd "$WORK/sd"
cat >dbt_project.yml <<'EOS'
name: sd
profile: sd
seeds:
  sd:
    typed:
      +column_types:
        code: varchar
    semi:
      +delimiter: ";"
EOS
printf 'id,name,amount,day,flag\n1,ann,1.5,2024-01-02,true\n2,bob,2.25,2024-02-03,false\n' >seeds/people.csv
printf 'code,n\n007,1\n010,2\n' >seeds/typed/codes.csv
printf 'a;b\n1;x\n2;y\n' >seeds/semi.csv
echo "select p.name, c.code from {{ ref('people') }} p join {{ ref('codes') }} c on p.id = c.n" >models/joined.sql

run seed
expect_rc 0 "seed succeeds"
expect_out "Found 1 model, 3 seeds"
expect_out "OK loaded seed file main.people"
expect_out "[INSERT 2 in" "the status says how many rows"
expect_query "select column_name || ':' || data_type from information_schema.columns where table_name = 'people' order by ordinal_position" \
"id:INTEGER
name:VARCHAR
amount:DOUBLE
day:DATE
flag:BOOLEAN" "types are inferred as dbt infers them (integer, not bigint)"
expect_query "select code from {{ ref('codes') }} order by 1" "007
010" "column_types keeps leading zeros"
expect_query "select b from {{ ref('semi') }} order by a" "x
y" "the delimiter config is used"
expect_json target/manifest.json '.nodes["seed.sd.people"].resource_type' seed
expect_json target/run_results.json '.results.length' 3

run run
expect_rc 0 "a model reads the seeds"
expect_query "select name, code from {{ ref('joined') }} order by 1" "ann|007
bob|010"

printf 'id,name,amount,day,flag\n3,cy,9.5,2024-03-04,true\n' >seeds/people.csv
run seed -s people
expect_rc 0 "a re-seed succeeds"
expect_query "select id, name from {{ ref('people') }}" "3|cy" "a re-seed replaces the rows"

printf 'version: 2\nseeds:\n  - name: people\n    config:\n      column_types: {id: integer}\n' >seeds/props.yml
printf 'id,name\nnot_a_number,x\n' >seeds/people.csv
run seed -s people --full-refresh
expect_rc 1 "a CSV that does not fit its column types fails"
expect_out "ERROR loading seed file main.people"
expect_query "select id, name from {{ ref('people') }}" "3|cy" "the previous table is intact"

# 100,000 rows load in about a second
awk 'BEGIN { print "id,label,value"; for (i = 1; i <= 100000; i++) printf "%d,row%d,%d.5\n", i, i, i % 97 }' >seeds/big.csv
start=$(date +%s%N)
run seed -s big
end=$(date +%s%N)
expect_rc 0 "a 100,000-row seed loads"
expect_query "select count(*), sum(id) from {{ ref('big') }}" "100000|5000050000"
echo "# 100,000-row seed: $(( (end - start) / 1000000 )) ms"

done_testing
