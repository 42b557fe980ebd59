#!/usr/bin/env bash
# t416_snapshots.sh, written for DuckDB, run unchanged on PostgreSQL: snapshots.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"
pg_start
pg_run_duckdb_test t416_snapshots.sh
