#!/usr/bin/env bash
# dbt's cross-database macros under the dbt namespace give the right answers on DuckDB, and a
# project overrides one through dispatch.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/xd/models" "$WORK/xd/macros" && cd "$WORK/xd"
printf 'name: xd\nprofile: xd\n' >dbt_project.yml
echo "select 1 as one" >models/a.sql

check() {  # check EXPR EXPECTED
	expect_query "select $1 as v" "$2" "$1"
}
check "{{ dbt.dateadd('day', 3, \"date '2024-01-30'\") }}" "2024-02-02 00:00:00"
check "{{ dbt.dateadd('month', -1, \"date '2024-03-31'\") }}" "2024-02-29 00:00:00"
check "{{ dbt.datediff(\"date '2024-01-01'\", \"date '2024-03-01'\", 'day') }}" "60"
check "{{ dbt.datediff(\"date '2023-12-31'\", \"date '2024-01-01'\", 'year') }}" "1"
check "{{ dbt.date_trunc('month', \"date '2024-05-17'\") }}" "2024-05-01"
check "{{ dbt.last_day(\"date '2024-02-10'\", 'month') }}" "2024-02-29"
check "{{ dbt.split_part(\"'a-b-c'\", \"'-'\", 2) }}" "b"
check "{{ dbt.concat([\"'x'\", \"'y'\", \"'z'\"]) }}" "xyz"
check "{{ dbt.hash(\"'a'\") }}" "0cc175b9c0f1b6a831c399e269772661"
check "coalesce(cast({{ dbt.safe_cast(\"'12x'\", dbt.type_int()) }} as varchar), 'null')" "null"
check "{{ dbt.cast(\"'12'\", dbt.type_bigint()) }} + 1" "13"
check "{{ dbt.right(\"'hello'\", 3) }}" "llo"
check "{{ dbt.length(\"'hello'\") }}" "5"
check "{{ dbt.position(\"'l'\", \"'hello'\") }}" "3"
check "{{ dbt.replace(\"'a-b'\", \"'-'\", \"'+'\") }}" "a+b"
check "{{ dbt.string_literal(dbt.escape_single_quotes(\"it's\")) }}" "it's"
check "{{ dbt.date(2024, 2, 29) }}" "2024-02-29"
check "{{ dbt.cast_bool_to_text('1 = 1') }}" "true"
check "{{ dbt.array_concat(dbt.array_append(dbt.array_construct([1, 2]), 3), dbt.array_construct([4])) }}" "[1, 2, 3, 4]"
check "'{{ dbt.type_string() }}|{{ dbt.type_float() }}|{{ api.Column.translate_type(\"integer\") }}'" "TEXT|float|integer"  # dbt-adapters' data_types.sql and Column.TYPE_LABELS
expect_query "select {{ dbt.listagg('x', \"', '\", 'order by x desc') }} from (values (1), (2), (3)) t(x)" "3, 2, 1" "listagg with order"
expect_query "select {{ dbt.listagg('x', \"'|'\", 'order by x', 2) }} from (values (1), (2), (3)) t(x)" "1|2" "listagg with a limit"
expect_query "select {{ dbt.bool_or('x > 2') }} from (values (1), (3)) t(x)" "true" "bool_or"
expect_query "select count(*), max(generated_number) from ({{ dbt.generate_series(10) }}) s" "10|10" "generate_series"
expect_query "select count(*) from ({{ dbt.date_spine('day', \"date '2024-01-01'\", \"date '2024-02-01'\") }}) s" "31" "date_spine"
expect_query "select 1 {{ dbt.except() }} select 2" "1" "except"
expect_query "select {{ dateadd('day', 1, \"date '2024-01-01'\") }}" "2024-01-02 00:00:00" "the macros are also global names"

echo "{% macro default__hash(field) %}'overridden'{% endmacro %}" >macros/h.sql
expect_query "select {{ dbt.hash(\"'a'\") }}" "overridden" "a project overrides a cross-database macro"

done_testing
