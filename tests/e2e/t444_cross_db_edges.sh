#!/usr/bin/env bash
# dbt's cross-database macros at their edges (nulls, quarters, negative parts, weeks, empty
# arrays, column arguments), the duckdb__ versions winning over the default__ ones, and the
# portable default__ versions still giving the right answers where DuckDB can run them.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/xe/models" && cd "$WORK/xe"
printf 'name: xe\nprofile: xe\n' >dbt_project.yml
echo "select 1 as one" >models/a.sql

check() {  # check EXPR EXPECTED [FROM]
	expect_query "select $1 as v ${3:-}" "$2" "$1"
}
check "{{ dbt.concat([\"'a'\", 'null', \"'b'\"]) }}" "ab"
check "{{ dbt.dateadd('quarter', 1, \"date '2024-01-31'\") }}" "2024-04-30 00:00:00"
check "{{ dbt.dateadd('hour', 'x', \"timestamp '2024-01-01'\") }}" "2024-01-01 02:00:00" "from (select 2 as x)"
check "{{ dbt.dateadd('day', '-x', 'd') }}" "2024-02-28 00:00:00" "from (select 2 as x, date '2024-03-01' as d)"
check "{{ dbt.last_day(\"date '2024-02-10'\", 'quarter') }}" "2024-03-31"
check "{{ dbt.last_day(\"date '2023-11-10'\", 'year') }}" "2023-12-31"
check "{{ dbt.split_part(\"'a-b-c'\", \"'-'\", -1) }}" "c"
check "{{ dbt.datediff(\"timestamp '2024-01-01 10:00'\", \"timestamp '2024-01-01 12:30'\", 'minute') }}" "150"
check "{{ dbt.datediff(\"date '2024-03-01'\", \"date '2024-01-01'\", 'month') }}" "-2"
check "{{ dbt.date_trunc('week', \"date '2024-05-17'\") }}" "2024-05-13"
check "coalesce({{ dbt.hash('null') }}, 'null')" "null"
check "len({{ dbt.array_construct([]) }})" "0"
check "{{ dbt.array_construct(['x', 'x + 1']) }}" "[5, 6]" "from (select 5 as x)"
check "{{ dbt.get_powers_of_two(8) }} || ',' || {{ dbt.get_powers_of_two(9) }} || ',' || {{ dbt.get_powers_of_two(1) }}" "3,4,0"
check "{{ dbt.current_timestamp() }} <= now()" "true"
check "{{ dbt.any_value('x') }}" "7" "from (values (7), (7)) t(x)"
check "{{ dbt.string_literal('a') }} {{ dbt.intersect() }} select 'a'" "a"
expect_query "select {{ dbt.safe_cast(\"'x'\", api.Column.translate_type('integer')) }} is null as v" "true" "safe_cast gives null"
expect_query "select {{ dbt.listagg('x', \"','\") }} as v from (select 'a' as x)" "a" "listagg of one row"

# the portable versions (what an engine without a duckdb__ version gets)
expect_query "select count(*), min(generated_number), max(generated_number), count(distinct generated_number) from ({{ default__generate_series(37) }}) s" "37|1|37|37" "default__generate_series"
expect_query "select count(*) from ({{ default__generate_series(1) }}) s" "1" "default__generate_series of 1"
expect_query "select count(*), cast(min(date_month) as date), cast(max(date_month) as date) from ({{ default__date_spine('month', \"date '2024-01-01'\", \"date '2024-07-01'\") }}) s" "6|2024-01-01|2024-06-01" "default__date_spine"
expect_query "select {{ default__date(2024, 2, 9) }} as v" "2024-02-09" "default__date"
expect_query "select {{ default__last_day(\"date '2024-02-10'\", 'month') }} as v" "2024-02-29" "default__last_day"
expect_query "select {{ default__array_construct(['1', '2'], 'integer') }} as v" "[1, 2]" "default__array_construct"

# a project's duckdb__ version wins over the built-in one
mkdir -p macros
echo "{% macro duckdb__dateadd(datepart, interval, from_date_or_timestamp) %}'mine'{% endmacro %}" >macros/d.sql
expect_query "select {{ dbt.dateadd('day', 1, 'x') }} as v" "mine" "a project's duckdb__ macro overrides"

done_testing
