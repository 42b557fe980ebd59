#!/usr/bin/env bash
# A connection lost on PostgreSQL: the server ends the backend in the middle of a statement
# (pg_terminate_backend from inside it, once: a sequence remembers, as sequences are not rolled
# back). A lone read-only query that is the first statement of its transaction (run-operation's)
# is sent again on a new connection, in a transaction begun again, and succeeds; one that follows
# other statements of its transaction is not; nor is a model's statement: the model fails with
# the server's message, and the next model runs on a new connection.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"
pg_start

pg_sql "create sequence public.kill_a; create sequence public.kill_b; create sequence public.kill_c;
create function public.kill_once(seq regclass) returns int language plpgsql as \$\$
begin
  if nextval(seq) = 1 then perform pg_terminate_backend(pg_backend_pid()); perform pg_sleep(5); end if;
  return 42;
end \$\$;"

mkdir -p "$WORK/lost/models" "$WORK/lost/macros" && cd "$WORK/lost" || exit 2
printf 'name: lost\nprofile: lost\n' >dbt_project.yml
PG_THREADS=1 pg_profile lost public
cat >macros/ops.sql <<'EOS'
{% macro read_once() %}
  {% set t = run_query("select public.kill_once('public.kill_a') as v") %}
  {{ log('value: ' ~ t.columns[0].values()[0], info=true) }}
{% endmacro %}
{% macro read_after_another() %}
  {% do run_query("select 1") %}
  {% do run_query("select public.kill_once('public.kill_c') as v") %}
{% endmacro %}
EOS
run run-operation read_once
expect_rc 0 "a read-only query whose connection was lost is run again"
expect_out "value: 42"
if grep -q "the connection was lost; running the query again on a new one" logs/sluice.log; then
	ok "the run log says the query was sent again"
else not_ok "the run log says the query was sent again" "$(tail -5 logs/sluice.log)"; fi
expect_query_pg() { # SQL EXPECTED WHAT
	local got
	got=$(pg_sql "$1")
	if [ "$got" = "$2" ]; then ok "$3"; else not_ok "$3" "got: $got"; fi
}
expect_query_pg "select last_value from public.kill_a" 2 "the query ran twice: once on the lost connection, once on the new one"
run run-operation read_after_another
expect_rc 1 "a query after others in its transaction is not run again"
expect_err "terminating connection due to administrator command"
expect_no_out "running the query again" "no second attempt"
expect_query_pg "select last_value from public.kill_c" 1 "that query ran once"

echo "{{ config(materialized='table') }} select public.kill_once('public.kill_b') as v" >models/a_kill.sql
echo "{{ config(materialized='table') }} select 1 as v" >models/b_after.sql
run run
expect_rc 1 "a model whose connection was lost fails"
expect_out "terminating connection due to administrator command"
expect_no_out "running the query again" "a statement inside a transaction is not repeated"
expect_out_re "OK created sql table model public\.b_after" "the next model runs on a new connection"
expect_query_pg "select last_value from public.kill_b" 1 "the lost statement ran once"
expect_query_pg "select count(*) from pg_tables where tablename = 'a_kill'" 0 "the failed model left no table"
run run
expect_rc 0 "the next run builds both"
expect_query_pg "select v from public.a_kill" 42 "the model's table has its row"
n_again=$(grep -c "running the query again" logs/sluice.log)
if [ "$n_again" = 1 ]; then ok "only the first query was ever sent again"
else not_ok "only the first query was ever sent again" "the log says so $n_again times"; fi
done_testing
