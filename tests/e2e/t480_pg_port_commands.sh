#!/usr/bin/env bash
# t404_commands.sh, written for DuckDB, run unchanged on PostgreSQL: commands (compile, ls, show, run-operation, build, retry...).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"
pg_start
pg_run_duckdb_test t404_commands.sh
