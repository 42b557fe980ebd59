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

# a typo gets click's hint; a name far from every command gets none
run rnu
expect_rc 2 "a mistyped command exits 2"
expect_err "No such command 'rnu'. Did you mean 'run'?"
run frobnicate
if grep -q "Did you mean" "$ERR"; then not_ok "no hint for a name far from every command" "$(cat "$ERR")"
else ok "no hint for a name far from every command"; fi
run run --thredas 2
expect_rc 2 "a mistyped flag exits 2"
expect_err "No such option: --thredas  Did you mean --threads?"
run run --full-refrsh
expect_err "Did you mean --full-refresh?"

# docs serve has a help of its own
run docs serve --help
expect_rc 0 "docs serve --help exits 0"
expect_out "Usage: sluice docs serve" "docs serve --help shows the server's usage"
expect_out "--port N" "docs serve --help lists --port"
run docs --help
expect_out "Usage: sluice docs generate" "docs --help shows generate's usage"

# every command's one-line description starts in the same column
run --help
cols=$(sed -n '/^Commands:/,/^$/p' "$OUT" | grep '^  [a-z]' | awk '{ match($0, /^  [a-z-]+ +/); print RLENGTH }' | sort -u)
if [ "$(printf '%s\n' "$cols" | wc -l)" -eq 1 ]; then ok "--help aligns the descriptions"
else not_ok "--help aligns the descriptions" "$(cat "$OUT")"; fi
for c in seed snapshot build run-operation docs jobs sql deps; do expect_out "$c" "--help lists $c"; done

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
