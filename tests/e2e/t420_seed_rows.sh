#!/usr/bin/env bash
# A seed whose rows do not match its header fails, names seeds/<file>.csv:<line> with the row and
# a caret, exits 1 as dbt does, and leaves the previous table as it was: a row with one field too
# many (the last row included, which once loaded as an empty table), too few, and an unclosed quote.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/sr/seeds" "$WORK/sr/models" && cd "$WORK/sr"
printf 'name: sr\nprofile: sr\n' >dbt_project.yml
printf 'id,name\n1,ann\n2,bob\n' >seeds/people.csv

run seed
expect_rc 0 "a sound seed loads"
expect_query "select count(*) from {{ ref('people') }}" "2"

# one field too many on the last row
printf 'id,name\n1,ann\n2,bob\n3,cy,extra\n' >seeds/people.csv
run seed
expect_rc 1 "a last row with a field too many fails"
expect_out "ERROR loading seed file main.people"
expect_out "seeds/people.csv:4:" "the error names the CSV and the line"
expect_out "row 3 has 3 fields, but the header has 2"
expect_out "    4 | 3,cy,extra" "the offending line is shown"
expect_out_re '[0-9] +\| +\^{5}$' "a caret underlines the extra field"
expect_out "hint: remove the extra fields"
expect_no_out "compiled code at" "no pointer at a compiled file that does not exist"
expect_no_out "target/compiled/sr/seeds"
expect_query "select id, name from {{ ref('people') }} order by id" "1|ann
2|bob" "the previous table is intact"
expect_json target/run_results.json '.results[0].status' error
expect_json target/run_results.json '.results[0].message.includes("seeds/people.csv:4:")' true

# too few in the middle, without a final newline: padded with NULLs, as agate pads a short row
printf 'id,name\n1,ann\n2\n3,cy' >seeds/people.csv
run seed
expect_rc 0 "a short row loads"
expect_query "select id, coalesce(name, 'NULL') as n from {{ ref('people') }} order by id" "1|ann
2|NULL
3|cy" "its missing field is NULL"

# an unclosed quote
printf 'id,name\n1,"ann\n2,bob\n' >seeds/people.csv
run seed
expect_rc 1 "an unclosed quote fails"
expect_out "seeds/people.csv:2:3: error: this quoted field is never closed"

# quoted delimiters, doubled quotes, a newline inside quotes, CRLF and blank lines are sound
printf 'id,name\r\n1,"a, b"\r\n\r\n2,"say ""hi"""\r\n3,"two\nlines"\r\n' >seeds/people.csv
run seed
expect_rc 0 "quoting and CRLF load"
expect_query "select count(*) from {{ ref('people') }} where name in ('a, b', 'say \"hi\"')" "2"

# the same check under build: the seed fails, its model is skipped, the table stays
echo "select * from {{ ref('people') }}" >models/m.sql
printf 'id;name\n1;ann;x\n' >seeds/people.csv
printf 'name: sr\nprofile: sr\nseeds:\n  sr:\n    +delimiter: ";"\n' >dbt_project.yml
run build
expect_rc 1 "build fails on the seed"
expect_out "seeds/people.csv:2:"
expect_out "SKIP relation main.m"
expect_query "select count(*) from {{ ref('people') }}" "3" "the previous table is kept"

done_testing
