#!/usr/bin/env bash
# `ls --output selector` prints what dbt's ListTask.generate_selectors prints: a source as
# source:package.source.table and a unit test as unit_test:package.name, whatever folder their
# file is in; a model by its fqn. Each printed selector selects its node again.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/ls/models/staging/deep" && cd "$WORK/ls"
printf 'name: ls\nprofile: ls\n' >dbt_project.yml
cat >models/staging/deep/sources.yml <<'EOS'
sources:
  - name: raw
    tables:
      - name: customers
EOS
echo "select 1 as id" >models/staging/deep/stg.sql
cat >models/staging/deep/unit.yml <<'EOS'
unit_tests:
  - name: stg_is_one
    model: stg
    given: []
    expect:
      rows:
        - {id: 1}
EOS

run ls --output selector
expect_rc 0 "ls runs"
expect_out "source:ls.raw.customers" "a source by package, source and table"
expect_no_out "source:ls.staging.deep.raw.customers" "not by its fqn"
expect_out "unit_test:ls.stg_is_one" "a unit test by package and name"
expect_out "ls.staging.deep.stg" "a model by its fqn"
run ls -s source:ls.raw.customers --output name
expect_out "raw.customers" "the source's selector selects it"
run ls -s unit_test:ls.stg_is_one --output name
expect_out "stg_is_one" "the unit test's selector selects it"
done_testing
