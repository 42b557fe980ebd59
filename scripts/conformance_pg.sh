#!/usr/bin/env bash
# Runs a dbt project's integration suite on a PostgreSQL server of its own, with the project's own
# profiles.yml, as the project's CI does: a throwaway server (tests/e2e/pg.sh: initdb and pg_ctl on
# a free loopback port, as an unprivileged user when run as root) and the environment variables
# that dbt-labs' packages read for their `postgres` target (POSTGRES_HOST, POSTGRES_PORT,
# POSTGRES_USER, DBT_ENV_SECRET_POSTGRES_PASS, POSTGRES_DATABASE, POSTGRES_SCHEMA), then
# scripts/conformance.sh with --reset dropping the schemas before build. The server is stopped
# and removed at the end.
#
#   scripts/conformance_pg.sh [--target NAME] [conformance.sh options] DIR
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
target=postgres
if [ "${1:-}" = "--target" ]; then
	target=$2
	shift 2
fi
[ $# -ge 1 ] || { echo "usage: scripts/conformance_pg.sh [--target NAME] [options] DIR" >&2; exit 2; }
dir=${*: -1}
[ -f "$dir/profiles.yml" ] || { echo "conformance_pg.sh: $dir has no profiles.yml" >&2; exit 2; }
export SLUICE_BIN=${SLUICE_BIN:-$here/build/sluice} SLUICE_TEST_DATA=$here/tests
# shellcheck source=../tests/e2e/lib.sh
. "$here/tests/e2e/lib.sh"
# shellcheck source=../tests/e2e/pg.sh
. "$here/tests/e2e/pg.sh"
pg_start
export POSTGRES_HOST=$PG_HOST POSTGRES_PORT=$PG_PORT POSTGRES_USER=$PG_USER \
	DBT_ENV_SECRET_POSTGRES_PASS=$PG_PASSWORD POSTGRES_DATABASE=$PG_DB \
	POSTGRES_SCHEMA=${POSTGRES_SCHEMA:-conformance} DBT_TARGET=$target
reset="$PSQL -h '$PG_DIR' -p $PG_PORT -U $PG_USER -d $PG_DB -qAtX -c \"select 'drop schema ' || quote_ident(nspname) || ' cascade;' from pg_namespace where nspname not like 'pg_%' and nspname not in ('information_schema', 'public')\" | $PSQL -h '$PG_DIR' -p $PG_PORT -U $PG_USER -d $PG_DB -qX"
"$here/scripts/conformance.sh" --sluice "$SLUICE" --reset "$reset" --profiles-dir "$dir" "${@:1:$#-1}" "$dir"
exit $?
