#!/usr/bin/env bash
# seed --show, as dbt's SeedTask.show_table: after the Finished line and before the run's end
# messages, each seed that loaded gets "Random sample of table: schema.alias", a line of dashes
# as long, and its rows in random order as agate prints them, at most ten and then a "..." row.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/ss/seeds" && cd "$WORK/ss"
printf 'name: ss\nprofile: ss\n' >dbt_project.yml
{ echo "id,name"; for i in $(seq 1 12); do echo "$i,name $i"; done; } >seeds/people.csv
printf 'a,b\n1,2\n' >seeds/small.csv
run seed
expect_rc 0 "seed"
expect_no_out "Random sample" "no sample without --show"
run seed --show
expect_rc 0 "seed --show"
expect_out "Random sample of table: main.people" "the header names the table"
expect_out "-----------------------------------" "a line of dashes as long as the header"
expect_out "| id | name    |" "the columns, as agate prints them"
expect_out "| ... | ...     |" "more than ten rows: the truncation row"
people=$(awk '/Random sample of table: main.people/{f=1} f && /^\| +[0-9]+ \| name/{n++} /Random sample of table: main.small/{f=0} END{print n+0}' "$OUT")
[ "$people" = 10 ] && ok "ten rows of the twelve" || not_ok "ten rows of the twelve" "got $people: $(cat "$OUT")"
expect_out "Random sample of table: main.small"
expect_out "| 1 | 2 |" "a small seed whole"
order=$(grep -nE "Finished running|Random sample of table: main.people|Completed successfully" "$OUT" | cut -d: -f1 | tr '\n' ' ')
set -- $order
[ "$#" = 3 ] && [ "$1" -lt "$2" ] && [ "$2" -lt "$3" ] && ok "between the Finished line and the end messages" \
	|| not_ok "between the Finished line and the end messages" "$(cat "$OUT")"
done_testing
