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

# The shell is typed at as a person would: each line once the answer to the one before is on the
# screen (events, not delays), whatever the machine's speed. script(1) writes the terminal's
# output to $WORK/screen as it comes.
SCREEN="$WORK/screen"
: >"$SCREEN"
type_after() {  # type_after TEXT KEYS: waits (120 s at most) until the screen shows TEXT, then types KEYS
	local text=$1
	wait_until 120 eval 'grep -qF -- "$text" "$SCREEN"' || echo "# the screen never showed: $text" >&2
	printf '%b' "$2"
}
{
	type_after "Flink SQL>" 'SHOW\n  CATALOGS;\n'
	type_after "| default_catalog |" 'SELECT order_id FROM orders;\n'
	type_after "|                    8 |" '\003'
	type_after "rows received, then stopped (Ctrl-C)." 'SHOW CURRENT DATABASE;\n'
	type_after "| default_database      |" 'quit;\n'
} | timeout 240 script -qec "$SLUICE sql" /dev/null >"$SCREEN"
RC=${PIPESTATUS[1]}
tr -d '\r' <"$SCREEN" >"$OUT"
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
