#!/usr/bin/env bash
# The DuckDB relation cache: a run lists each schema it builds in once, then follows its own DDL.
# Four threads rebuilding tables and views in place find every relation and leave no temporary or
# backup relation behind; a relation made behind the cache's back (DDL it cannot place), a model
# that fails in its DDL or after its swap (rolled back), names in another case, --full-refresh of an
# incremental model and adapter.cache_added / cache_dropped / cache_renamed all leave the cache
# right, which hooks at the end of the run check through adapter.get_relation.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/rc/models" "$WORK/rc/macros" && cd "$WORK/rc"
printf 'name: rc\nprofile: rc\nmodels:\n  rc:\n    +materialized: table\n' >dbt_project.yml
for i in $(seq 1 30); do
	if [ "$i" -eq 1 ]; then echo "select $i as id" >"models/t$i.sql"
	else echo "select id + 1 as id from {{ ref('t$((i - 1))') }}" >"models/t$i.sql"; fi
	printf "{{ config(materialized='view') }}\nselect id * 2 as id from {{ ref('t%d') }}\n" "$i" >"models/v$i.sql"
done
printf "{{ config(alias='MixedCase') }}\nselect 7 as id\n" >models/mixed.sql
printf "{{ config(schema='Other') }}\nselect 8 as id\n" >models/other.sql
cat >models/inc.sql <<'EOS'
{{ config(materialized='incremental') }}
select {{ var('inc_id', 1) }} as id
EOS
cat >macros/probe.sql <<'EOS'
{% macro probe(schema, names) %}
  {% for n in names %}
    {% set r = adapter.get_relation(database=target.database, schema=schema, identifier=n) %}
    {% do log('probe ' ~ n ~ '=' ~ (r.identifier ~ ':' ~ r.type if r is not none else 'none'), info=True) %}
  {% endfor %}
{% endmacro %}
EOS
leftovers="select count(*) from (select table_name as n from duckdb_tables() union all select view_name from duckdb_views()) where n like '%\_\_dbt\_%' escape '\\'"

for round in 1 2; do
	run run --threads 4
	expect_rc 0 "round $round: 63 models with four threads"
	expect_out "Done. PASS=63 WARN=0 ERROR=0 SKIP=0 TOTAL=63"
	expect_query "$leftovers" "0" "round $round: no temporary or backup relation is left"
done
expect_query "select id from {{ ref('v30') }}" "60" "the last view reads the whole chain"
listed=$(grep -c "relation cache: listed schema" logs/sluice.log)
if [ "$listed" -eq 4 ]; then ok "two runs listed each of their two schemas once"
else not_ok "two runs listed their schemas $listed times, not 4" "$(grep "relation cache" logs/sluice.log | head)"; fi

# names in another case than the relation's own: DuckDB matches them, the cache too
cat >dbt_project.yml <<'EOS'
name: rc
profile: rc
models:
  rc:
    +materialized: table
on-run-end:
  - "{{ probe('main', ['mixedcase', 'MIXEDCASE', 'T1', 'v2', 'nothing']) }}"
  - "{{ probe('main_other', ['OTHER']) }}"
EOS
run run --threads 2 -s mixed other t1 v2
expect_rc 0 "a run that probes names in other cases"
expect_out "probe mixedcase=MixedCase:table" "a lower-case look-up finds the relation created as MixedCase"
expect_out "probe MIXEDCASE=MixedCase:table"
expect_out "probe T1=t1:table"
expect_out "probe v2=v2:view"
expect_out "probe nothing=none"
expect_out "probe OTHER=other:table" "the custom schema's relation is found in any case"

# a relation made behind the cache's back: a hook creates the model's table under a name with no
# schema (the cache cannot place it, so it looks again); without that the swap would fail
cat >dbt_project.yml <<'EOS'
name: rc
profile: rc
models:
  rc:
    +materialized: table
    t2:
      +pre-hook: "create table made_behind as select 0 as id"
EOS
printf -- "-- depends_on: {{ ref('t2') }}\nselect 5 as id\n" >models/made_behind.sql
run run --threads 1 -s t2 made_behind
expect_rc 0 "a model whose table appeared after the schema was listed is swapped in"
expect_query "select id from {{ ref('made_behind') }}" "5"
expect_query "$leftovers" "0" "no leftovers after the relation made behind the cache's back"

# a model that fails in its DDL, one that fails after the swap (its post-hook, inside the
# transaction: the rename is rolled back), and what the end of the run then sees
cat >dbt_project.yml <<'EOS'
name: rc
profile: rc
models:
  rc:
    +materialized: table
    t3:
      +post-hook: "select error('post-hook fails after the swap')"
on-run-end:
  - "{{ probe('main', ['t3', 't3__dbt_backup', 't3__dbt_tmp', 'bad', 'bad__dbt_tmp', 'mixedcase']) }}"
EOS
echo "select error('boom') as id" >models/bad.sql
run run --threads 1 -s t3 bad mixed
expect_rc 1 "a run with two failing models fails"
expect_out "ERROR=2"
expect_out "probe t3=t3:table" "the model that failed after its swap still has its table"
expect_out "probe t3__dbt_backup=none" "its rolled-back backup is not in the cache"
expect_out "probe t3__dbt_tmp=none"
expect_out "probe bad=none" "the model that failed in its DDL has no relation"
expect_out "probe bad__dbt_tmp=none" "nor its rolled-back temporary table"
expect_out "probe mixedcase=MixedCase:table" "the model built beside the failures is found"
expect_query "select id from {{ ref('t3') }}" "3" "the previous t3 is untouched"
expect_query "$leftovers" "0" "no leftovers after the failures"
rm models/bad.sql

# --full-refresh of an incremental model, then the cache_* methods of the adapter
cat >dbt_project.yml <<'EOS'
name: rc
profile: rc
models:
  rc:
    +materialized: table
on-run-end:
  - "{{ probe('main', ['inc']) }}"
  - "{% do adapter.cache_dropped(api.Relation.create(database=target.database, schema='main', identifier='t5', type='table')) %}"
  - "{{ probe('main', ['t5']) }}"
  - "{% do adapter.cache_added(api.Relation.create(database=target.database, schema='main', identifier='t5', type='table')) %}"
  - "{{ probe('main', ['t5']) }}"
  - "{% do adapter.cache_renamed(api.Relation.create(database=target.database, schema='main', identifier='t5', type='table'), api.Relation.create(database=target.database, schema='main', identifier='t5_renamed', type='table')) %}"
  - "{{ probe('main', ['t5', 't5_renamed']) }}"
EOS
run run --threads 2 -s inc --vars '{inc_id: 2}'
expect_rc 0 "an incremental run"
expect_query "select count(*) from {{ ref('inc') }}" "3" "the incremental model appended a row to the two of the first runs"
run run --threads 2 -s inc --full-refresh --vars '{inc_id: 3}'
expect_rc 0 "a --full-refresh run"
expect_out "probe inc=inc:table" "the rebuilt incremental table is in the cache"
expect_query "select id from {{ ref('inc') }}" "3" "--full-refresh rebuilt the incremental table"
expect_out "probe t5=none" "adapter.cache_dropped takes a relation out of the cache"
expect_out "probe t5=t5:table" "adapter.cache_added puts it back"
expect_out "probe t5_renamed=t5_renamed:table" "adapter.cache_renamed moves it"
expect_query "$leftovers" "0" "no leftovers at the end"
done_testing
