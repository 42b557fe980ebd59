#!/usr/bin/env bash
# on-run-end sees what dbt's after_run gives it: schemas and database_schemas, the (database,
# schema) of the models, seeds and snapshots that ran without an error (a failed model's custom
# schema is not there, nor a test's audit schema), and results.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/rs/models" && cd "$WORK/rs"
cat >dbt_project.yml <<'EOS'
name: rs
profile: rs
on-run-end:
  - "{{ log('schemas=' ~ schemas | sort | join(',') ~ ' database_schemas=' ~ database_schemas | map('join', '.') | sort | join(',') ~ ' results=' ~ results | length, info=True) }}"
EOS
echo "select 1 as id" >models/ok.sql
echo "{{ config(schema='elsewhere') }} select 1 as id" >models/ok_elsewhere.sql
echo "{{ config(schema='broken') }} select * from no_such_table" >models/bad.sql
cat >models/schema.yml <<'EOS'
models:
  - name: ok
    columns:
      - name: id
        data_tests: [not_null]
EOS
run build
expect_rc 1 "the build fails on bad"
expect_out "schemas=main,main_elsewhere database_schemas=rs.main,rs.main_elsewhere results=4" \
	"the schemas of what ran, not bad's nor the tests'"
done_testing
