#!/usr/bin/env bash
# Resource limits of a Jinja render: templates that would write or allocate gigabytes fail fast at
# their own line, with the default limits (256 MiB of output, 256 MiB of memory) or the ones set by
# SLUICE_JINJA_MAX_OUTPUT / SLUICE_JINJA_MAX_MEMORY, in `sluice jinja` and in a project's models.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/t"
cd "$WORK/t" || exit 2

# A regression must not take the machine down: cap the address space, or under AddressSanitizer
# (which needs a huge one) the resident memory
if grep -qa __asan_init "$SLUICE"; then
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}hard_rss_limit_mb=3000"
	vlimit=unlimited
else
	vlimit=4000000
fi

# limited NAME LINE TEMPLATE [what]: rendering TEMPLATE (in NAME.j2) fails with the memory or output
# limit at NAME.j2:LINE, within 10 seconds even on a loaded machine (a few tenths of one when idle)
limited() {
	printf '%s\n' "$3" >"$1.j2"
	local t0 t1
	t0=$(date +%s%N)
	(ulimit -v $vlimit; exec timeout 60 "$SLUICE" jinja "$1.j2") >"$OUT" 2>"$ERR"
	RC=$?
	t1=$(date +%s%N)
	expect_rc 1 "${4:-$1} fails"
	expect_err "$1.j2:$2:" "${4:-$1} names the template and line"
	if grep -qE "needs more than [0-9]+ (MiB|GiB|bytes) of memory|rendered text is longer than" "$ERR"; then
		ok "${4:-$1} says which limit"
	else
		not_ok "${4:-$1} says which limit" "$(head -c 2000 "$ERR")"
	fi
	expect_err "SLUICE_JINJA_MAX_" "${4:-$1} says how to raise the limit"
	local ms=$(((t1 - t0) / 1000000))
	if [ "$ms" -lt 10000 ]; then ok "${4:-$1} fails fast (${ms} ms)"
	else not_ok "${4:-$1} fails fast" "took ${ms} ms"; fi
}

# the examples of the issue, with the default limits
limited repeat 2 $'a\n{{ \'x\' * 10**9 }}' "a string repeated a billion times"
limited center 1 "{{ 'x'|center(10**12) }}" "center(10**12)"
limited slice 1 "{{ [1]|slice(10**9)|list|length }}" "slice(10**9)"
limited json 1 "{{ ([[[0]*1000]*1000]*1000)|tojson }}" "tojson of a list shared a billion times"
limited repr 1 "{{ [[[0]*1000]*1000]*1000 }}" "printing a list shared a billion times"
limited tostring 1 "{{ ([[[0]*1000]*1000]*1000)|string|length }}" "string of a list shared a billion times"
# as written in the issue, '|' binds tighter than '*': Jinja2 fails on it too, at once
printf '%s\n' "{{ [[[0]*1000]*1000]*1000|tojson }}" >prec.j2
run jinja prec.j2
expect_rc 1 "[...]*1000|tojson fails as in Jinja2"
expect_err "can't multiply sequence by non-int of type 'Markup'" "with Jinja2's message"

# other ways to ask for a lot at once
limited batch 1 "{{ [1]|batch(10**9, 0)|list|length }}" "batch(10**9) with a fill"
limited percent 1 "{{ '%*d' % (10**12, 1) }}" "a printf width of 10**12"
limited format 1 "{{ '{:>1000000000000}'.format(1) }}" "a format width of 10**12"
limited ljust 1 "{{ 'x'.ljust(10**12) }}" "ljust(10**12)"
limited replace 1 "{% set s = 'x' * 10**6 %}{{ s|replace('x', s) }}" "replace growing a string a millionfold"
limited join 1 "{% set s = ['x' * 10**6] * 10000 %}{{ s|join }}" "join of a shared big string"
limited indent 1 "{{ ('a\\n' * 1000)|indent(10**9) }}" "indent(10**9)"
limited listrepeat 1 "{{ ([1] * 10**9)|length }}" "a list repeated a billion times"

# string doubling in a namespace loop: stops at the limit (a small one keeps the test fast)
export SLUICE_JINJA_MAX_MEMORY=32M
limited doubling 3 $'{% set ns = namespace(s=\'x\') %}\n{% for i in range(64) %}\n{% set ns.s = ns.s ~ ns.s %}\n{% endfor %}{{ ns.s|length }}' "string doubling in a namespace loop"
expect_err "needs more than 32 MiB of memory" "the configured memory limit is the one reported"
# many small steps add up too: appends in nested loops
limited appends 2 $'{% set l = [] %}{% for i in range(10000) %}\n{% for j in range(10000) %}{% do l.append(j) %}{% endfor %}{% endfor %}' "appends in nested loops"
unset SLUICE_JINJA_MAX_MEMORY

# the output limit: a loop writing a little at a time
export SLUICE_JINJA_MAX_OUTPUT=1M
limited output 2 $'{% for i in range(10**6) %}\n{{ i }}\n0123456789{% endfor %}' "a long loop"
expect_err "rendered text is longer than 1 MiB" "the output limit is reported"
printf '%s\n' "{% for i in range(1000) %}0123456789{% endfor %}" >small.j2
run jinja small.j2
expect_rc 0 "a render under the limits works"
unset SLUICE_JINJA_MAX_OUTPUT

# a value that cannot be read keeps the default, with a warning
SLUICE_JINJA_MAX_MEMORY=lots run jinja small.j2
expect_rc 0 "a bad limit keeps the default"
expect_err "SLUICE_JINJA_MAX_MEMORY" "and says which variable it ignored"
# 0 turns a limit off
printf '%s\n' "{{ ('x' * 3000)|length }}" >off.j2
SLUICE_JINJA_MAX_MEMORY=0 SLUICE_JINJA_MAX_OUTPUT=0 run jinja off.j2
expect_rc 0 "0 turns the limits off"
expect_out "3000"
SLUICE_JINJA_MAX_MEMORY=2K run jinja off.j2
expect_rc 1 "a tiny memory limit refuses a 3000-byte string"
expect_err "off.j2:1:" "at its line"

# a string built up in a loop, as packages build INSERT statements row by row, takes memory in
# proportion to its length: 3.5 MB of text built from 17-byte pieces (copying it at every step
# would need 300 GB) under a 64 MiB limit, with a copy of the half-built string taken on the way
cat >grow.j2 <<'EOS'
{%- set ns = namespace(q='insert into t values ', r='') -%}
{%- for i in range(200000) -%}
{%- set ns.q = ns.q + ('' if loop.first else ',') + '(' ~ (i % 1000000000) ~ ",'abcdef')" -%}
{%- if i == 100000 %}{% set ns.r = ns.q + '!' %}{% endif -%}
{%- endfor -%}
{%- set t = namespace(s='') -%}{%- for i in range(100000) -%}{%- set t.s = t.s ~ 'abcdefghij' ~ i -%}{%- endfor -%}
{{ ns.q | length }} {{ ns.q[-15:] }} {{ ns.r[-3:] }} {{ ns.r | length }} {{ t.s | length }}
EOS
SLUICE_JINJA_MAX_MEMORY=64M run jinja grow.j2
expect_rc 0 "a 3.5 MB string built in a loop fits in 64 MiB"
expect_out "3488910 99999,'abcdef') ')! 1688929 1488890" "with Jinja2's result"

# in a project: the model's file and line
rm -rf "$WORK/proj"
mkdir -p "$WORK/proj/models"
cd "$WORK/proj" || exit 2
printf 'name: proj\nversion: "1.0"\nprofile: p\n' >dbt_project.yml
printf 'p:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: target/proj.duckdb\n' >profiles.yml
echo "select 1 as id" >models/ok.sql
printf 'select 1 as id\n-- {{ "x" * 10**9 }}\n' >models/big.sql
t0=$(date +%s%N)
(ulimit -v $vlimit; exec timeout 60 "$SLUICE" compile --profiles-dir .) >"$OUT" 2>"$ERR"
RC=$?
t1=$(date +%s%N)
if [ "$RC" -ne 0 ]; then ok "compiling a model over the limit fails"
else not_ok "compiling a model over the limit fails" "$(head -c 2000 "$OUT")"; fi
expect_err "models/big.sql:2:" "names the model's file and line"
expect_err "of memory" "says the memory limit was reached"
ms=$(((t1 - t0) / 1000000))
if [ "$ms" -lt 20000 ]; then ok "the project fails fast (${ms} ms)"
else not_ok "the project fails fast" "took ${ms} ms"; fi

done_testing
