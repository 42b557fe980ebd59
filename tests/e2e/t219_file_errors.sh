#!/usr/bin/env bash
# Errors at the right place: an empty, NUL-filled or non-UTF-8 model file is an error at that
# file (line and column of the first bad byte), before any SQL reaches the database; a model
# that fails on a missing env var is not followed by warnings that its properties describe
# "no such model".
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/fe/models" && cd "$WORK/fe"
printf 'name: fe\nprofile: fe\n' >dbt_project.yml
echo "select 1 as id" >models/ok.sql

printf '  \n\n' >models/empty.sql
run run
expect_rc 2 "an empty model is a project error"
expect_err "models/empty.sql:1:1: error: 'models/empty.sql' is empty"
expect_no_out "Database Error"
rm models/empty.sql

printf 'select 1\n  as \0\0\0' >models/nul.sql
run run
expect_rc 2 "a model with NUL bytes is a project error"
expect_err "models/nul.sql:2:6: error: 'models/nul.sql' holds a NUL byte"
rm models/nul.sql

printf 'select 1 as a,\n  \xff\xfe as x' >models/latin.sql
run run
expect_rc 2 "a model that is not UTF-8 is a project error"
expect_err "models/latin.sql:2:3: error: 'models/latin.sql' is not valid UTF-8 (byte 0xff)"
expect_err "save the file as UTF-8"
rm models/latin.sql

printf 'select 1 as caf\xc3\xa9' >models/utf8.sql
run run -s utf8
expect_rc 0 "UTF-8 text is fine"

unset SLUICE_T219_UNSET
echo "select '{{ env_var('SLUICE_T219_UNSET') }}' as id" >models/envy.sql
echo "select * from {{ ref('envy') }}" >models/down.sql
printf 'version: 2\nmodels:\n  - name: envy\n    columns:\n      - name: id\n        tests: [unique]\n' >models/schema.yml
run run
expect_rc 2 "a missing env var is an error"
expect_err "models/envy.sql:1:12: error: env var required but not provided: 'SLUICE_T219_UNSET'"
expect_no_out "no such model"
expect_no_out "warning"
done_testing
