#!/usr/bin/env bash
# The postgres profile: dbt-postgres's keys (pass, role, search_path, application_name,
# connect_timeout, keepalives_idle, retries, sslmode), and connection failures that say what is wrong
# and where, without ever showing the password.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"
pg_start
pg_sql "create role builder; grant create on database $PG_DB to builder; grant builder to $PG_USER"
pg_sql "create schema lib; create table lib.colors as select 'red'::text as c"

mkdir -p "$WORK/pr/models" && cd "$WORK/pr"
printf 'name: pr\nprofile: pr\n' >dbt_project.yml
# unqualified names resolve through search_path; the relations are owned by the role taken
echo "{{ config(materialized='table', post_hook=\"insert into public.seen select current_user, application_name from pg_stat_activity where pid = pg_backend_pid()\") }} select c from colors" >models/m.sql
pg_sql "create table public.seen (who text, app text); grant all on public.seen to builder; grant usage on schema lib to builder; grant select on lib.colors to builder"
cat >profiles.yml <<PROFILE
pr:
  target: pg
  outputs:
    pg:
      type: postgres
      host: $PG_HOST
      port: $PG_PORT
      user: $PG_USER
      pass: "{{ env_var('PGPW') }}"
      dbname: $PG_DB
      schema: built
      role: builder
      search_path: lib,public
      application_name: pr_app
      connect_timeout: 5
      keepalives_idle: 30
      retries: 0
      sslmode: prefer
      threads: 2
pr:
  target: pg
  outputs:
    pg:
      type: postgres
      host: $PG_HOST
      port: $PG_PORT
      user: $PG_USER
      pass: "{{ env_var('PGPW') }}"
      dbname: $PG_DB
      schema: built
      role: builder
      search_path: lib,public
      application_name: pr_app
      connect_timeout: 5
      keepalives_idle: 30
      retries: 0
      sslmode: prefer
      threads: 2
PROFILE
export PGPW=$PG_PASSWORD
run run
expect_rc 0 "a run with every key of the profile"
expect_query "select c from built.m" "red" "search_path found lib.colors"
expect_query "select who, app from public.seen" "builder|pr_app" "the role is taken and application_name set"
expect_query "select tableowner from pg_tables where schemaname = 'built' and tablename = 'm'" "builder" \
	"what the run builds belongs to the role"

# a wrong password: the server's refusal, the target, and no password anywhere
export PGPW="not-the-$PG_PASSWORD"
run run
expect_rc 2 "a wrong password fails the run"
if grep -qF "unable to connect to PostgreSQL at 127.0.0.1:$PG_PORT/$PG_DB as '$PG_USER'" "$OUT" "$ERR"; then
	ok "the server, database and user are named"
else not_ok "the server, database and user are named" "$(cat "$OUT" "$ERR")"; fi
if grep -qF "password authentication failed" "$OUT" "$ERR"; then ok "the server's reason is given"
else not_ok "the server's reason is given" "$(cat "$OUT" "$ERR")"; fi
if grep -rqF "not-the-" "$OUT" "$ERR" target logs 2>/dev/null; then not_ok "the wrong password is shown nowhere" "$(grep -rlF "not-the-" "$OUT" "$ERR" target logs)"
else ok "the wrong password is shown nowhere"; fi
export PGPW=$PG_PASSWORD

# sslmode: require on a server without SSL
sed -i 's/sslmode: prefer/sslmode: require/' profiles.yml
run debug
expect_rc 1 "debug reports the failed connection"
if grep -qiF "ssl" "$OUT" "$ERR"; then ok "the SSL refusal is explained"
else not_ok "the SSL refusal is explained" "$(cat "$OUT" "$ERR")"; fi
sed -i 's/sslmode: require/sslmode: disable/' profiles.yml

# nobody listening: the address is named, and retries tries again
free=$PG_PORT
for i in $(seq 1 50); do free=$((free + 1)); pg_port_free "$free" && break; done
sed -i "s/port: $PG_PORT/port: $free/; s/retries: 0/retries: 1/" profiles.yml
start=$(date +%s)
run run
took=$(( $(date +%s) - start ))
expect_rc 2 "no server at the port"
if grep -qF "127.0.0.1:$free/$PG_DB" "$OUT" "$ERR"; then ok "the error names host, port and database"
else not_ok "the error names host, port and database" "$(cat "$OUT" "$ERR")"; fi
if [ "$took" -ge 1 ]; then ok "retries: 1 tries again after a pause"; else not_ok "retries: 1 tries again after a pause" "took ${took}s"; fi
sed -i "s/port: $free/port: $PG_PORT/" profiles.yml

# keys that are missing or malformed
sed -i "/^      dbname: /d" profiles.yml
run run
expect_rc 2 "a profile without dbname"
if grep -qF "no 'dbname'" "$OUT" "$ERR"; then ok "says dbname is missing"; else not_ok "says dbname is missing" "$(cat "$OUT" "$ERR")"; fi
sed -i "s/^      port: .*$/      port: five\n      dbname: $PG_DB/" profiles.yml
run run
expect_rc 2 "a port that is no number"
if grep -qF "'port' in the postgres profile must be a number" "$OUT" "$ERR"; then ok "says port must be a number"
else not_ok "says port must be a number" "$(cat "$OUT" "$ERR")"; fi

done_testing
