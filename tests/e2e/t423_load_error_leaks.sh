#!/usr/bin/env bash
# A project that fails to load after its properties declared tests exits 2 with its diagnostics,
# and frees what it had gathered: under the sanitizer build (make test-sanitize) LeakSanitizer
# would otherwise fail the process on each of these error paths.
. "$(dirname "$0")/lib.sh"

fresh() {
	rm -rf "${WORK:?}/$1"
	mkdir -p "$WORK/$1/models"
	cd "$WORK/$1" || exit 2
	printf 'name: %s\nprofile: p\n' "$1" >dbt_project.yml
	echo "select 1 as id" >models/a.sql
	printf 'version: 2\nmodels:\n  - name: a\n    data_tests: [unique]\n    columns:\n      - name: id\n        tests: [not_null, unique]\n' >models/schema.yml
}

no_sanitizer_report() {
	if grep -qE "LeakSanitizer|AddressSanitizer|runtime error:" "$ERR"; then not_ok "$1" "$(head -c 3000 "$ERR")"
	else ok "$1"; fi
}

# a model that does not parse: the failure comes after the tests were gathered
fresh jinja_error
echo "select {{ 1 + }} as id" >models/b.sql
run parse
expect_rc 2 "a Jinja error fails the load"
expect_err "models/b.sql:1:"
no_sanitizer_report "nothing leaks when parsing fails"

# a properties file with an error next to good tests
fresh yml_error
echo "select 2 as id" >models/b.sql
printf 'version: 2\nmodels:\n  - name: b\n    columns:\n      - description: no name\n        tests: [unique]\n' >models/more.yml
run run
expect_rc 2 "a column without a name fails the load"
expect_err "models/more.yml:5:"
no_sanitizer_report "nothing leaks when a properties file is wrong"

# a ref to a model that does not exist: the failure comes after the tests were built
fresh ref_error
echo "select * from {{ ref('nope') }}" >models/b.sql
run build
expect_rc 2 "a missing ref fails the load"
expect_err "nope"
no_sanitizer_report "nothing leaks when a ref cannot be resolved"

# two tests that would have the same name
fresh dup_tests
printf 'version: 2\nmodels:\n  - name: b\n    columns:\n      - name: id\n        tests: [unique, unique]\n' >models/more.yml
echo "select 2 as id" >models/b.sql
run test
expect_rc 2 "two tests of the same name fail the load"
expect_err "two tests would both be named"
no_sanitizer_report "nothing leaks when two tests collide"

# a YAML alias inside the node it names (found by fuzzing: it made a value that contains itself,
# and everything that walked it recursed until the stack ran out)
fresh yaml_cycle
printf 'name: yaml_cycle\nprofile: p\nvars: &v\n  again: *v\n' >dbt_project.yml
run parse
expect_rc 2 "a self-containing alias fails the load"
expect_err "dbt_project.yml:4:10: error: invalid YAML: the alias '*v' is inside the node it names"
no_sanitizer_report "nothing leaks on a YAML cycle"

done_testing
