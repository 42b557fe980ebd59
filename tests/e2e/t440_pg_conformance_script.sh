#!/usr/bin/env bash
# scripts/conformance_pg.sh on a small project with a profiles.yml of its own that reads the
# server from environment variables, as dbt-labs' packages' integration projects do: it starts a
# server, runs every step there and prints the table; the server is gone afterwards.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"
if ! pg_bin initdb >/dev/null; then
	echo "ok 1 # skip PostgreSQL server binaries not found"; echo "1..1"; exit 0
fi
mkdir -p "$WORK/it/models" "$WORK/it/seeds" && cd "$WORK/it" || exit 2
printf 'name: it\nprofile: integration_tests\nseed-paths: ["seeds"]\n' >dbt_project.yml
cat >profiles.yml <<'EOS'
integration_tests:
  target: postgres
  outputs:
    postgres:
      type: postgres
      host: "{{ env_var('POSTGRES_HOST') }}"
      user: "{{ env_var('POSTGRES_USER') }}"
      pass: "{{ env_var('DBT_ENV_SECRET_POSTGRES_PASS') }}"
      port: "{{ env_var('POSTGRES_PORT') | as_number }}"
      dbname: "{{ env_var('POSTGRES_DATABASE') }}"
      schema: "{{ env_var('POSTGRES_SCHEMA') }}"
      threads: 2
    duckdb:
      type: duckdb
      path: never.duckdb
EOS
printf 'id\n1\n2\n' >seeds/nums.csv
echo "select id, '{{ target.type }}' as engine from {{ ref('nums') }}" >models/m.sql
printf 'version: 2\nmodels:\n  - name: m\n    columns:\n      - name: engine\n        tests:\n          - accepted_values: {values: [postgres]}\n' >models/schema.yml
"$ROOT/scripts/conformance_pg.sh" "$WORK/it" >"$OUT" 2>"$ERR"
RC=$?
expect_rc 0 "every step passes"
expect_out_re '^seed +1 +0 +0 +0 +0 ' "the seed"
expect_out_re '^build +3 +0 +0 +0 +0 ' "build from an empty database: seed, model and test"
expect_out_re '^deps +1 ' "deps"
expect_file "$WORK/it/logs/conformance/reset.log" "the schemas were dropped before build"
expect_json target/manifest.json '.metadata.adapter_type' postgres "it ran on PostgreSQL"
if ls never.duckdb >/dev/null 2>&1; then not_ok "the DuckDB target was not used"; else ok "the DuckDB target was not used"; fi
done_testing
