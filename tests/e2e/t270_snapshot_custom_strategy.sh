#!/usr/bin/env bash
# Snapshot strategies as dbt finds them: strategy: <name> runs the project's macro
# snapshot_<name>_strategy (found by strategy_dispatch, 'pkg.name' for one package's), through
# dbt's steps (build_snapshot_table, snapshot_staging_table, snapshot_merge_sql); a strategy macro
# can build on dbt's timestamp and check strategies, whose dicts have dbt's keys; an unknown
# strategy stops with dbt's message.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/cs/snapshots" "$WORK/cs/models" "$WORK/cs/macros" && cd "$WORK/cs"
printf 'name: cs\nprofile: cs\n' >dbt_project.yml
echo "select * from (values (1, 'a', 1), (2, 'b', 1), (3, 'c', 1)) t(id, v, rev)" >models/src.sql
cat >macros/strategies.sql <<'EOS'
{#- a version number: a row changed when its rev grew; versions are stamped with the run's time -#}
{% macro snapshot_revision_strategy(node, snapshotted_rel, current_rel, model_config, target_exists) %}
  {%- set key = config.get('unique_key') -%}
  {%- set now = snapshot_get_time() -%}
  {%- set hard_deletes = adapter.get_hard_deletes_behavior(config) -%}
  {%- set changed -%}({{ snapshotted_rel }}.rev < {{ current_rel }}.rev){%- endset -%}
  {{ return({'unique_key': key, 'updated_at': now, 'row_changed': changed,
             'scd_id': snapshot_hash_arguments(api.Relation.scd_args(key, now)),
             'invalidate_hard_deletes': hard_deletes == 'invalidate', 'hard_deletes': hard_deletes}) }}
{% endmacro %}

{#- dbt's timestamp strategy under another name, its dict shown in the log -#}
{% macro snapshot_stamped_strategy(node, snapshotted_rel, current_rel, model_config, target_exists) %}
  {%- set s = snapshot_timestamp_strategy(node, snapshotted_rel, current_rel, model_config, target_exists) -%}
  {%- do log('STRATEGY KEYS ' ~ (s.keys() | list | sort | join(',')), info=true) -%}
  {%- do log('STRATEGY ROW_CHANGED ' ~ s.row_changed, info=true) -%}
  {%- do log('STRATEGY SCD_ID ' ~ (s.scd_id | replace('\n', ' ')), info=true) -%}
  {{ return(s) }}
{% endmacro %}

{% macro snapshot_checked_strategy(node, snapshotted_rel, current_rel, model_config, target_exists) %}
  {%- set s = snapshot_check_strategy(node, snapshotted_rel, current_rel, model_config, target_exists) -%}
  {%- do log('CHECK HARD_DELETES ' ~ s.hard_deletes ~ ' ' ~ s.invalidate_hard_deletes, info=true) -%}
  {{ return(s) }}
{% endmacro %}
EOS
cat >snapshots/snaps.sql <<'EOS'
{% snapshot by_rev %}
{{ config(target_schema='snap', unique_key='id', strategy='revision', hard_deletes='invalidate') }}
select * from {{ ref('src') }}
{% endsnapshot %}

{% snapshot by_rev_nr %}
{{ config(target_schema='snap', unique_key='id', strategy='revision', hard_deletes='new_record') }}
select * from {{ ref('src') }}
{% endsnapshot %}

{% snapshot by_stamp %}
{{ config(target_schema='snap', unique_key='id', strategy='cs.stamped', updated_at='ts') }}
select id, v, timestamp '2024-01-01' + to_days(rev) as ts from {{ ref('src') }}
{% endsnapshot %}

{% snapshot by_checked %}
{{ config(target_schema='snap', unique_key=['id'], strategy='checked', check_cols=['v'], invalidate_hard_deletes=true) }}
select id, v from {{ ref('src') }}
{% endsnapshot %}
EOS
run build
expect_rc 0 "the first run of snapshots with strategies of the project"
expect_query "select id, v, rev, dbt_valid_to is null, dbt_scd_id is not null, dbt_valid_from = dbt_updated_at from snap.by_rev order by id" "1|a|1|true|true|true
2|b|1|true|true|true
3|c|1|true|true|true" "the first run copies the rows as current versions"
expect_out "STRATEGY KEYS hard_deletes,invalidate_hard_deletes,row_changed,scd_id,unique_key,updated_at"
expect_out "STRATEGY ROW_CHANGED (snapshotted_data.dbt_valid_from < source_data.ts)"
expect_out "STRATEGY SCD_ID md5(coalesce(cast(id as varchar), '') || '|' || coalesce(cast(ts as varchar), ''))"
expect_out "CHECK HARD_DELETES invalidate True"

run snapshot
expect_rc 0 "a run with no change"
expect_query "select count(*) from snap.by_rev" "3" "adds no version"
expect_query "select count(*), count(*) filter (where dbt_is_deleted = 'False') from snap.by_rev_nr" "3|3" "new_record: the first versions are not deleted"
expect_query "select count(*) from snap.by_stamp" "3" "adds no version (timestamp)"
expect_query "select count(*) from snap.by_checked" "3" "adds no version (check)"

# 1 gets a new revision, 2 keeps its rev but changes v (not a change for this strategy), 3 goes, 4 comes
echo "select * from (values (1, 'a2', 2), (2, 'b2', 1), (4, 'd', 1)) t(id, v, rev)" >models/src.sql
run build
expect_rc 0 "a run after changes"
expect_query "select id, v, rev, dbt_valid_to is null from snap.by_rev order by id, dbt_valid_from" "1|a|1|false
1|a2|2|true
2|b|1|true
3|c|1|false
4|d|1|true" "revision: a new version for the grown rev, the vanished key closed, the new key added"
expect_query "select count(distinct dbt_scd_id) from snap.by_rev" "5" "every version has its own scd_id"
expect_query "select id, v, dbt_is_deleted, dbt_valid_to is null from snap.by_rev_nr order by id, dbt_valid_from" "1|a|False|false
1|a2|False|true
2|b|False|true
3|c|False|false
3|c|True|true
4|d|False|true" "hard_deletes new_record: the vanished key gets a current version marked deleted"
run snapshot --select by_rev_nr
expect_rc 0 "a run with the key still gone"
expect_query "select count(*) from snap.by_rev_nr" "6" "a deleted key is not marked again"
expect_query "select id, v, dbt_valid_to is null, cast(dbt_valid_from as date) from snap.by_stamp order by id, dbt_valid_from" "1|a|false|2024-01-02
1|a2|true|2024-01-03
2|b|true|2024-01-02
3|c|true|2024-01-02
4|d|true|2024-01-02" "timestamp strategy through its macro: the moved row gets a version from its ts"
expect_query "select id, v, dbt_valid_to is null from snap.by_checked order by id, dbt_valid_from" "1|a|false
1|a2|true
2|b|false
2|b2|true
3|c|false
4|d|true" "check strategy through its macro: changed values get versions, the vanished key is closed"

# a column the query gains is added to the snapshot
echo "select * from (values (1, 'a2', 2, 'x'), (2, 'b2', 1, 'y'), (4, 'd', 1, 'z')) t(id, v, rev, extra)" >models/src.sql
run build --select src by_rev
expect_rc 0 "a run after the query gained a column"
expect_query "select count(*), count(extra) from snap.by_rev" "5|0" "the new column is added, older versions keep null"

cat >snapshots/bad.sql <<'EOS'
{% snapshot bad %}
{{ config(target_schema='snap', unique_key='id', strategy='nowhere') }}
select 1 as id
{% endsnapshot %}
EOS
run snapshot --select bad
expect_rc 1 "a strategy without its macro fails"
expect_out "The specified strategy macro 'nowhere' was not found in package 'None'"
sed -i "s/strategy='nowhere'/strategy='nopkg.rev'/" snapshots/bad.sql
run snapshot --select bad
expect_rc 1 "a strategy of an unknown package fails"
expect_out "Could not find package 'nopkg', called with 'nopkg.rev'"
done_testing
