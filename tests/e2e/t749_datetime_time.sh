#!/usr/bin/env bash
# modules.datetime has the five names dbt exports from Python's module (context/base.py: date,
# datetime, time, timedelta, tzinfo): time objects (constructed, printed, compared, replaced,
# formatted), datetime.combine(), a datetime's time() and timetz(). cal-itp's warehouse overrides
# get_where_subquery with modules.datetime.time(hour=0). The expected line of the naive case is
# Python 3.11's (Jinja2 3.1.6 with the real datetime module); the aware one's is Python's with
# datetime.timezone.utc, which prints as pytz.utc does.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/dtt/models" && cd "$WORK/dtt"
printf 'name: dtt\nprofile: dtt\n' >dbt_project.yml
cat >models/m.sql <<'EOS'
{% set dt = modules.datetime %}
{% set t = dt.time(hour=2) %}
{% set t2 = dt.time(13, 5, 7, 12) %}
{% set d = dt.date(2024, 1, 2) %}
{% set c = dt.datetime.combine(d, t) %}
{% set x = dt.datetime(2024, 5, 6, 7, 8, 9) %}
select '{{ t }}|{{ t2 }}|{{ c }}|{{ x.time() }}|{{ t.hour }}:{{ t2.minute }}:{{ t2.second }}.{{ t2.microsecond }}|{{ t < t2 }}|{{ t2.isoformat() }}|{{ t.replace(minute=30) }}|{{ t2.strftime("%H-%M") }}|{{ dt.datetime.combine(d, t2).isoformat() }}|{{ x.time() == dt.time(7, 8, 9) }}|{{ t.tzinfo }}' as x
EOS
cat >models/aware.sql <<'EOS'
{% set dt = modules.datetime %}
{% set u = dt.time(1, 2, tzinfo=modules.pytz.utc) %}
select '{{ u }}|{{ dt.datetime.combine(dt.date(2024, 3, 4), u) }}|{{ dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=modules.pytz.utc).timetz() }}|{{ dt.datetime.combine(dt.date(2024, 3, 4), dt.time(5), tzinfo=modules.pytz.utc) }}' as x
EOS
run compile -s m aware
expect_rc 0
[ "$(tail -n 1 target/compiled/dtt/models/m.sql)" = "select '02:00:00|13:05:07.000012|2024-01-02 02:00:00|07:08:09|2:5:7.12|True|13:05:07.000012|02:30:00|13-05|2024-01-02T13:05:07.000012|True|None' as x" ] &&
	ok "time, combine and time() as Python has them" || not_ok "time, combine and time() as Python has them" "$(cat target/compiled/dtt/models/m.sql)"
[ "$(tail -n 1 target/compiled/dtt/models/aware.sql)" = "select '01:02:00+00:00|2024-03-04 01:02:00+00:00|07:08:09+00:00|2024-03-04 05:00:00+00:00' as x" ] &&
	ok "aware times keep their zone" || not_ok "aware times keep their zone" "$(cat target/compiled/dtt/models/aware.sql)"
echo "select '{{ modules.datetime.time(25) }}' as x" >models/bad.sql
run compile -s bad
expect_rc 2 "an hour out of range fails the parse, as it fails dbt's"
expect_err "models/bad.sql:1:12: error: ValueError: hour must be in range"
done_testing
