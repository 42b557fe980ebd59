#!/usr/bin/env bash
# A key given twice in one YAML mapping (dbt_project.yml, a properties file, --vars) is never
# dropped silently: a warning names both places. The last value is kept, as YAML loaders do.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/dk/models" && cd "$WORK/dk"
cat >dbt_project.yml <<'EOS'
name: dk
profile: dk
vars:
  limit: 1
vars:
  limit: 2
EOS
echo "select {{ var('limit') }} as id" >models/a.sql
echo "select {{ var('extra', 0) }} as id" >models/b.sql
cat >models/schema.yml <<'EOS'
version: 2
models:
  - name: a
    columns:
      - name: id
        tests: [unique]
models:
  - name: b
    columns:
      - name: id
        tests: [not_null]
EOS
run parse
expect_rc 0 "duplicate keys are warnings"
expect_err "dbt_project.yml:5:1: warning: duplicate key 'vars'"
expect_err "dbt_project.yml:3:1: note: the first 'vars' is here"
expect_err "models/schema.yml:7:1: warning: duplicate key 'models'"
expect_err "models/schema.yml:2:1: note: the first 'models' is here"
expect_json target/manifest.json '.nodes, Object.keys(d.nodes).filter(k => k.startsWith("test.")).length' "1" "the last value is the one kept"

run compile -s a --vars '{extra: 1, extra: 2}'
expect_rc 0 "duplicate keys in --vars are warnings too"
expect_err "warning: duplicate key 'extra'"
done_testing
