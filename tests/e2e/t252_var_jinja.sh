#!/usr/bin/env bash
# A var whose value is a string holding Jinja comes back rendered, in the context of the node that
# reads it, each time it is read (dbt renders vars on access); other values come back as they are.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/p/models"
cd "$WORK/p" || exit 2
cat >dbt_project.yml <<'YML'
name: p
vars:
  greeting: "{{ 'hel' ~ 'lo' }}"
  where_am_i: "{{ this.name if this is defined else 'nowhere' }}"
  n: 3
  plain: "no jinja {here}"
  listed: ["{{ 1 + 1 }}", 2]
YML
cat >models/first.sql <<'SQL'
select '{{ var("greeting") }}' as g, '{{ var("where_am_i") }}' as w, {{ var("n") + 1 }} as n,
       '{{ var("plain") }}' as plain, {{ var("listed")[0] | length }} as l
SQL
echo "select '{{ var(\"where_am_i\") }}' as w" >models/second.sql

run run --vars '{from_cli: "{{ 40 + 2 }}"}'
expect_rc 0 "run"
expect_query "select g, w, n, plain, l from {{ ref('first') }}" "hello|first|4|no jinja {here}|11" \
	"a var's Jinja is rendered, and only a string's"
expect_query "select w from {{ ref('second') }}" "second" "in the context of the node that reads it"
run compile --inline "{{ var('from_cli') }}" --vars '{from_cli: "{{ 40 + 2 }}"}'
expect_rc 0 "compile"
expect_out "42" "--vars values are rendered too"

done_testing
