#!/usr/bin/env bash
# The command line itself: version, help, usage errors and their exit codes.
. "$(dirname "$0")/lib.sh"

run --version
expect_rc 0 "--version exits 0"
expect_out "sluice 0." "--version prints the version"

run --help
expect_rc 0 "--help exits 0"
for c in run compile ls parse debug clean show jinja; do expect_out "$c" "--help lists $c"; done

for c in run compile ls parse debug clean show; do
	run "$c" --help
	expect_rc 0 "$c --help exits 0"
	expect_out "Usage: sluice $c" "$c --help shows its usage"
done

run frobnicate
expect_rc 2 "an unknown command exits 2"
expect_err "No such command 'frobnicate'"

run run --frobnicate
expect_rc 2 "an unknown flag exits 2"
expect_err "No such option: --frobnicate"

run run --threads
expect_rc 2 "a flag without its value exits 2"
expect_err "requires an argument"

run run --threads abc
expect_rc 2 "a bad number exits 2"

run ls --output yaml
expect_rc 2 "a bad --output exits 2"

run run --log-format xml
expect_rc 2 "a bad --log-format exits 2"

done_testing
