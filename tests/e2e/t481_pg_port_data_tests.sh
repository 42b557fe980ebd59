#!/usr/bin/env bash
# t410_data_tests.sh, written for DuckDB, run unchanged on PostgreSQL: data tests, singular and generic, severity, store_failures.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"
pg_start
pg_run_duckdb_test t410_data_tests.sh
