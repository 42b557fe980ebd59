#!/usr/bin/env bash
# log(msg, info=True) is an event like every other line (dbt's JinjaLogInfo): timestamped, a JSON
# object with --log-format json, kept back by --quiet; log(msg) goes to the log file alone, at
# debug level (JinjaLogDebug).
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/lg/models" && cd "$WORK/lg"
printf 'name: lg\nprofile: lg\n' >dbt_project.yml
cat >models/m.sql <<'EOS'
{{ config(post_hook="{{ log('from the post hook', True) }}") }}
{% if execute %}{{ log('from the body', info=True) }}{{ log('for the log file') }}{% endif %}
select 1 as x
EOS
run run
expect_rc 0
expect_out_re "^[0-9]{2}:[0-9]{2}:[0-9]{2}  from the body$" "an info log is a timestamped line"
expect_out_re "^[0-9]{2}:[0-9]{2}:[0-9]{2}  from the post hook$" "from a hook too"
if grep -q "for the log file" "$OUT"; then not_ok "a debug log is not printed"; else ok "a debug log is not printed"; fi
grep -q "\[debug\] for the log file" logs/sluice.log && ok "it is in the log file, at debug level" ||
	not_ok "it is in the log file, at debug level" "$(grep 'for the log file' logs/sluice.log)"
run run --log-format json
expect_rc 0
if grep -v '^{' "$OUT" | grep -q .; then not_ok "every line is JSON" "$(grep -v '^{' "$OUT")"; else ok "every line is JSON"; fi
expect_out '"name": "JinjaLogInfo", "level": "info", "msg": "from the body"' "the log is a JinjaLogInfo event"
run run -q
expect_rc 0
if grep -q "from the" "$OUT"; then not_ok "--quiet keeps it back" "$(cat "$OUT")"; else ok "--quiet keeps it back"; fi
done_testing
