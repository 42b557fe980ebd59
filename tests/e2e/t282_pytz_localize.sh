#!/usr/bin/env bash
# modules.pytz as dbt-date uses it: timezone(name).localize(dt) gives the zone's offset at that
# local time (a repeated time takes is_dst's, a skipped one the offset before the change, as pytz
# does), dt.astimezone(tz) moves an instant into a zone, strftime %Z/%z, utcoffset() and tzname()
# follow. The expected lines are Python's (datetime + zoneinfo, pytz's is_dst rules).
. "$(dirname "$0")/lib.sh"

[ -f /usr/share/zoneinfo/America/Los_Angeles ] || [ -n "${TZDIR:-}" ] ||
	{ echo "1..0 # SKIP no zoneinfo files on this system"; exit 0; }
mkdir -p "$WORK/p/models"
cd "$WORK/p" || exit 2
printf 'name: p\n' >dbt_project.yml
cat >models/tz.sql <<'SQL'
{% set dt = modules.datetime.datetime %}
{% set pytz = modules.pytz %}
{% set la = pytz.timezone('America/Los_Angeles') %}
{% set ams = pytz.timezone('Europe/Amsterdam') %}
{% set lines = [] %}
{% do lines.append(la.localize(dt(2024, 7, 1, 12, 0)) | string) %}
{% do lines.append(la.localize(dt(2024, 1, 15, 8, 30, 0, 250000)) | string) %}
{% do lines.append(la.localize(dt(2024, 11, 3, 1, 30)) | string) %}
{% do lines.append(la.localize(dt(2024, 11, 3, 1, 30), is_dst=True) | string) %}
{% do lines.append(la.localize(dt(2024, 3, 10, 2, 30)) | string) %}
{% do lines.append(la.localize(dt(2024, 3, 10, 2, 30), is_dst=True) | string) %}
{% set u = pytz.utc.localize(dt(2024, 7, 1, 19, 0)) %}
{% do lines.append(u.astimezone(la) | string) %}
{% do lines.append(u.astimezone(ams) | string) %}
{% do lines.append(la.localize(dt(2024, 12, 24, 23, 15)).astimezone(ams) | string) %}
{% set x = la.localize(dt(2024, 7, 1, 12, 0)) %}
{% do lines.append(x.strftime('%Y-%m-%d %H:%M %Z %z')) %}
{% do lines.append(x.utcoffset() | string) %}
{% do lines.append(x.tzname()) %}
{% do lines.append(x.utcoffset().days ~ '/' ~ x.utcoffset().seconds) %}
select '{{ lines | join(";") }}' as out
SQL
run build
expect_rc 0 "build"
expect_query "select out from {{ ref('tz') }}" \
	"2024-07-01 12:00:00-07:00;2024-01-15 08:30:00.250000-08:00;2024-11-03 01:30:00-08:00;2024-11-03 01:30:00-07:00;2024-03-10 02:30:00-08:00;2024-03-10 02:30:00-07:00;2024-07-01 12:00:00-07:00;2024-07-01 21:00:00+02:00;2024-12-25 08:15:00+01:00;2024-07-01 12:00 PDT -0700;-1 day, 17:00:00;PDT;-1/61200" \
	"localize, astimezone, strftime, utcoffset and tzname as Python gives them"
# aware datetimes are instants: timestamp(), comparison and subtraction read them in UTC;
# fromisoformat keeps an offset (a fixed-offset tzinfo, UTC for +00:00 and Z); now(tz) is local
# there (dbt-date's is_before/is_after compare localized datetimes by timestamp())
cat >models/instants.sql <<'SQL'
{% set dt = modules.datetime.datetime %}
{% set pytz = modules.pytz %}
{% set tokyo = pytz.timezone('Asia/Tokyo') %}
{% set la = pytz.timezone('America/Los_Angeles') %}
{% set l = tokyo.localize(dt.strptime('2026-09-01', '%Y-%m-%d')) %}
{% set n = dt.fromisoformat('2026-08-31T15:00:00+00:00') %}
{% set p = la.localize(dt(2026, 9, 1)) %}
{% set f = dt.fromisoformat('2026-08-31T20:30:00.5+05:30') %}
{% set g = dt.fromisoformat('2026-08-31T20:30-0800') %}
{% set lines = [l.timestamp(), n.timestamp(), n == l, n < l, l - n, p.timestamp(), p - l, l < p] %}
{% do lines.extend([f, f.tzinfo, f.tzname(), f.timestamp(), f.utcoffset(), f.isoformat()]) %}
{% do lines.extend([g.astimezone(pytz.utc), dt.fromisoformat('2026-08-31T20:30:00Z'), n == dt(2026, 8, 31, 15)]) %}
{% do lines.extend([dt.now(la).tzname() in ['PDT', 'PST'], ((dt.now(la) - dt.now(pytz.utc)).total_seconds() | abs) < 60]) %}
select '{{ lines | join(";") }}' as out
SQL
run build -s instants
expect_rc 0 "build of instants"
expect_query "select out from {{ ref('instants') }}" \
	"1788188400.0;1788188400.0;True;False;0:00:00;1788246000.0;16:00:00;True;2026-08-31 20:30:00.500000+05:30;UTC+05:30;UTC+05:30;1788188400.5;5:30:00;2026-08-31T20:30:00.500000+05:30;2026-09-01 04:30:00+00:00;2026-08-31 20:30:00+00:00;False;True;True" \
	"timestamp, comparison, subtraction, fromisoformat offsets and now(tz) as Python gives them"
cat >models/naive_aware.sql <<'SQL'
select '{{ modules.datetime.datetime(2026, 9, 1) - modules.datetime.datetime.fromisoformat("2026-09-01T00:00:00+00:00") }}' as x
SQL
run compile -s naive_aware
expect_rc 2 "a naive minus an aware datetime fails the parse"
expect_err "can't subtract offset-naive and offset-aware datetimes" "with Python's TypeError"
rm models/naive_aware.sql
cat >models/bad.sql <<'SQL'
select '{{ modules.pytz.timezone("America/Los_Angeles").localize(modules.datetime.datetime(2024, 11, 3, 1, 30), is_dst=None) }}' as x
SQL
run compile -s bad
expect_rc 2 "is_dst=None on a repeated time fails the parse"
expect_err "AmbiguousTimeError" "is pytz's AmbiguousTimeError"
done_testing
