# A PostgreSQL server of the test's own, for e2e tests of the postgres adapter. Source it after
# lib.sh, then call pg_start: it runs initdb into a fresh folder and pg_ctl on a free loopback port,
# as an unprivileged user (PostgreSQL refuses to run as root: under root the server runs as
# $SLUICE_PG_USER, default `nobody`), with password authentication over TCP. The server is stopped
# and its folder removed when the test exits, whether it passed, failed or was interrupted.
#
# After pg_start: PG_HOST, PG_PORT, PG_USER, PG_PASSWORD, PG_DB name the server, and
# pg_profile NAME [SCHEMA] [EXTRA_YAML] writes a profiles.yml for profile NAME in the current folder.
# pg_sql SQL runs SQL through psql as the superuser and prints unaligned rows ("a|b").
#
# PG_SERVER_OPTS adds server options ("-c name=value ...") to those pg_start gives.
# When no PostgreSQL server binaries are installed, pg_start exits the test with a message
# (exit 0 and a TAP skip line): run scripts/bootstrap.sh to install them.

PG_HOST=127.0.0.1
PG_PORT=
PG_USER=sluice_admin
PG_PASSWORD="pw-$$-$RANDOM-secret"
PG_DB=sluice_test
PG_DIR=
PG_AS=()

pg_bin() {
	local b
	for b in "$(command -v "$1" 2>/dev/null)" /usr/lib/postgresql/*/bin/"$1"; do
		if [ -n "$b" ] && [ -x "$b" ]; then echo "$b"; return 0; fi
	done
	return 1
}

# pg_stop: stops the server (fast, then immediate) and removes its folder; safe to call twice
pg_stop() {
	if [ -n "$PG_DIR" ] && [ -d "$PG_DIR" ]; then
		if [ -f "$PG_DIR/data/postmaster.pid" ]; then
			"${PG_AS[@]}" "$PG_CTL" -D "$PG_DIR/data" -m fast -w -t 20 stop >/dev/null 2>&1 ||
				"${PG_AS[@]}" "$PG_CTL" -D "$PG_DIR/data" -m immediate -w -t 10 stop >/dev/null 2>&1
		fi
		rm -rf "$PG_DIR"
	fi
	PG_DIR=
}

pg_port_free() {
	! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

pg_start() {
	local initdb
	initdb=$(pg_bin initdb) && PG_CTL=$(pg_bin pg_ctl) || {
		echo "ok 1 # skip PostgreSQL server binaries (initdb, pg_ctl) not found: run scripts/bootstrap.sh"
		echo "1..1"
		exit 0
	}
	PG_DIR=$(mktemp -d /tmp/sluice-pg.XXXXXX)
	at_exit pg_stop
	chmod 755 "$PG_DIR"
	if [ "$(id -u)" -eq 0 ]; then
		local who=${SLUICE_PG_USER:-nobody}
		chown "$who" "$PG_DIR"
		PG_AS=(setpriv --reuid="$who" --regid="$(id -g "$who")" --clear-groups --)
	fi
	printf '%s\n' "$PG_PASSWORD" >"$PG_DIR/pw"
	chmod 644 "$PG_DIR/pw"
	if ! "${PG_AS[@]}" "$initdb" -D "$PG_DIR/data" -U "$PG_USER" --pwfile="$PG_DIR/pw" \
		--auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1; then
		echo "Bail out! initdb failed: $(tail -5 "$PG_DIR/initdb.log")"
		exit 2
	fi
	rm -f "$PG_DIR/pw"
	local try
	for try in 1 2 3 4 5 6 7 8; do
		PG_PORT=$((20000 + (RANDOM * 7 + $$ + try * 131) % 40000))
		pg_port_free "$PG_PORT" || continue
		if "${PG_AS[@]}" "$PG_CTL" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
			-o "-c listen_addresses=127.0.0.1 -p $PG_PORT -c unix_socket_directories=$PG_DIR \
			    -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
			    -c max_connections=40 -c shared_buffers=32MB ${PG_SERVER_OPTS:-}" start >/dev/null 2>&1; then
			break
		fi
		PG_PORT=
	done
	if [ -z "$PG_PORT" ]; then
		echo "Bail out! the PostgreSQL server did not start: $(tail -5 "$PG_DIR/server.log" 2>/dev/null)"
		exit 2
	fi
	PSQL=$(pg_bin psql)
	"$PSQL" -h "$PG_DIR" -p "$PG_PORT" -U "$PG_USER" -d postgres -qAtX \
		-c "create database $PG_DB" >/dev/null || { echo "Bail out! cannot create the test database"; exit 2; }
}

# pg_sql SQL [DB]: runs SQL as the superuser over the server's own socket
pg_sql() {
	"$PSQL" -h "$PG_DIR" -p "$PG_PORT" -U "$PG_USER" -d "${2:-$PG_DB}" -qAtX -v ON_ERROR_STOP=1 -c "$1"
}

# pg_profile NAME [SCHEMA] [EXTRA] [DBNAME]: profiles.yml with a `pg` target (the default) for
# profile NAME; EXTRA is YAML appended to the target (indented 6 spaces). The password comes from
# env_var(), or is written out when PG_LITERAL_PASSWORD is set (for tests that clear the
# environment).
pg_profile() {
	export SLUICE_TEST_PG_PASSWORD="$PG_PASSWORD"
	local pw="{{ env_var('SLUICE_TEST_PG_PASSWORD') }}"
	[ -z "${PG_LITERAL_PASSWORD:-}" ] || pw=$PG_PASSWORD
	cat >profiles.yml <<EOF
$1:
  target: pg
  outputs:
    pg:
      type: postgres
      host: $PG_HOST
      port: $PG_PORT
      user: $PG_USER
      password: "$pw"
      dbname: ${4:-$PG_DB}
      schema: ${2:-public}
      threads: ${PG_THREADS:-4}
${3:-}
EOF
}

# pg_run_duckdb_test FILE: runs an e2e test written for the embedded DuckDB on the server instead.
# Every project the test makes without a profile gets one for PostgreSQL (schema main, as DuckDB's,
# first in the search_path so that unqualified names find the project's relations)
# in a database of its own, just before its first command, so the test's own checks apply as they
# are. Call it after pg_start; it ends the test.
pg_run_duckdb_test() {
	eval "$(declare -f run | sed '1s/^run/pg_duck_run/')"
	eval "$(declare -f query | sed '1s/^query/pg_duck_query/')"
	run() { pg_auto_profile; pg_duck_run "$@"; }
	query() { pg_auto_profile; pg_duck_query "$@"; }
	# shellcheck disable=SC1090
	. <(sed '/^\. "\$(dirname "\$0")\/lib.sh"/d' "$DATA/e2e/$1")
}

pg_auto_profile() {
	[ -f dbt_project.yml ] && [ ! -f profiles.yml ] || return 0
	local name db
	name=$(sed -n "s/^profile: *['\"]\{0,1\}\([A-Za-z0-9_]*\).*/\1/p" dbt_project.yml | head -1)
	[ -n "$name" ] || return 0
	db="p_$(basename "$PWD" | tr -c 'A-Za-z0-9_\n' _)"
	[ "$(pg_sql "select count(*) from pg_database where datname = '$db'" postgres)" = 1 ] ||
		pg_sql "create database $db" postgres
	PG_LITERAL_PASSWORD=1 pg_profile "$name" main "      search_path: main,public" "$db"
}
