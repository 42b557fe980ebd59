#!/usr/bin/env bash
# t417_context.sh, written for DuckDB, run unchanged on PostgreSQL: the dbt Jinja context.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"
pg_start
pg_run_duckdb_test t417_context.sh
