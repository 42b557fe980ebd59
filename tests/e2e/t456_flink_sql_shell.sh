#!/usr/bin/env bash
# The interactive sluice sql shell on a terminal (a pty from script(1)): prompts, a statement over
# two lines, history kept in ~/.sluice_sql_history, and Ctrl-C stopping a streaming query (whose
# job is then cancelled) without leaving the shell.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/flinkgw.sh"
if ! command -v script >/dev/null 2>&1; then
	ok "skipped: no script(1)"
	done_testing
fi
gw_start
project shop_stream
mkdir -p "$GW_DATA/topics"
cp data/topics/*.jsonl "$GW_DATA/topics/"
export FLINK_GATEWAY_PORT=${GW##*:}

(printf 'SHOW\n  CATALOGS;\n'; sleep 1; printf 'SELECT order_id FROM orders;\n'; sleep 2.5; printf '\003'; sleep 1
	printf 'SHOW CURRENT DATABASE;\n'; sleep 1; printf 'quit;\n') |
	timeout 30 script -qec "$SLUICE sql" /dev/null | tr -d '\r' >"$OUT"
RC=${PIPESTATUS[1]}
expect_out "Flink SQL> SHOW" "the prompt"
expect_out ">   CATALOGS;" "a statement goes on over lines with the continuation prompt"
expect_out "| default_catalog |"
expect_out "| op |             order_id |" "a streaming query prints as it goes"
expect_out "| +I |                    8 |"
expect_out "rows received, then stopped (Ctrl-C)."
expect_out "| default_database      |" "the shell goes on after Ctrl-C"
if grep -q "CATALOGS;" "$HOME/.sluice_sql_history"; then ok "the history is kept"; else not_ok "the history is kept" "$(cat "$HOME/.sluice_sql_history" 2>&1)"; fi
gw_admin GET /jobs
expect_js "j.filter(x => x.statement.startsWith('SELECT order_id FROM orders')).map(x => x.status).join()" CANCELED \
	"the stopped query's job was cancelled"
gw_stop
done_testing
