#!/usr/bin/env bash
# set() is a Python set, as in dbt: equality ignores order, membership is by value, and it has
# issubset, union, difference, intersection, add, ...; try_set() refuses what is not iterable.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/st/models" && cd "$WORK/st"
printf 'name: st\nprofile: st\n' >dbt_project.yml
cat >models/s.sql <<'EOS'
{%- set a = set(['x', 'y', 'x']) -%}
{%- do a.add('z') -%}
select '{{ set([3, 1, 2]) == set([1, 2, 3]) }}' as eq,
 '{{ set([1, 2]) == set([1, 2, 3]) }}' as ne,
 '{{ set([1, 2]).issubset([3, 2, 1]) }}' as sub,
 '{{ set([1, 4]).issubset([3, 2, 1]) }}' as nsub,
 '{{ set([1, 2, 3]).issuperset(set([2])) }}' as sup,
 '{{ set([1]).union([2], set([3, 1])) | sort | join(",") }}' as u,
 '{{ set([1, 2, 3]).difference([2]) | sort | join(",") }}' as d,
 '{{ set([1, 2, 3]).intersection([2, 3, 4]) | sort | join(",") }}' as i,
 '{{ 2 in set([1, 2]) }}' as inn,
 '{{ 5 in set([1, 2]) }}' as notin,
 {{ a | length }} as n,
 '{{ set() }}' as e,
 '{{ set(none) }}' as nn,
 '{{ (set([1, 2, 3]) - set([1])) | sort | join(",") }}' as m,
 '{{ set({"k": 1, "j": 2}) == set(["j", "k"]) }}' as keys
EOS
run run
expect_rc 0 "a model using set() builds"
expect_query "select * from {{ ref('s') }}" "True|False|True|False|True|1,2,3|1,3|2,3|True|False|3|set()|None|2,3|True"

echo "select '{{ try_set(1) }}' as x" >models/t.sql
run run -s t
expect_rc 2 "try_set() of a number is an error"
expect_err "to a set"
done_testing
