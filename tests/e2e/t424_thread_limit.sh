#!/usr/bin/env bash
# A thread count past what a run can use is clamped with a warning, from --threads (a huge value
# included) and from the profile's threads:, instead of starting that many threads.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/tl/models" && cd "$WORK/tl"
printf 'name: tl\nprofile: tl\n' >dbt_project.yml
for i in 1 2 3; do echo "select $i as x" >models/m$i.sql; done

run run --threads 100000
expect_rc 0 "a run with --threads 100000 succeeds"
expect_err "warning: --threads 100000 is more threads than Sluice runs: using 128"
expect_out "Concurrency: 128 threads"
if [ "$(grep -c "is more threads than" "$ERR")" = 1 ]; then ok "the warning is printed once"
else not_ok "the warning is printed once" "$(cat "$ERR")"; fi
expect_json target/run_results.json '.results.length' 3

run run --threads 99999999999
expect_rc 0 "a count past int is clamped too"
expect_out "Concurrency: 128 threads"

run run --threads 4
expect_rc 0
expect_out "Concurrency: 4 threads"
expect_no_out "more threads than"

printf 'tl:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: tl.duckdb\n      threads: 5000\n' >profiles.yml
run run
expect_rc 0 "a profile asking for 5000 threads runs"
expect_err "profiles.yml:7:16: warning: threads: 5000 is more threads than Sluice runs: using 128"
expect_out "Concurrency: 128 threads"

# dbt renders profiles natively: threads from an env var (a string once rendered) is the number
printf 'tl:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: tl.duckdb\n      threads: "{{ env_var(\x27TL_THREADS\x27, \x273\x27) }}"\n' >profiles.yml
TL_THREADS=2 run run
expect_rc 0 "threads from an env var"
expect_out "Concurrency: 2 threads"
run run
expect_out "Concurrency: 3 threads" "and from its default"
printf 'tl:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: tl.duckdb\n      threads: many\n' >profiles.yml
run run
expect_rc 2 "threads that is no number"
expect_err "expected an integer for 'threads'"

done_testing
