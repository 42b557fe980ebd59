#!/usr/bin/env bash
# Snapshots: {% snapshot %} blocks, timestamp and check strategies, target_schema, composite keys,
# hard deletes, runs with no change, and the snapshot and build commands.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/sn/snapshots" "$WORK/sn/models" && cd "$WORK/sn"
printf 'name: sn\nprofile: sn\n' >dbt_project.yml
echo "select * from (values (1, 'a', timestamp '2024-01-01'), (2, 'b', timestamp '2024-01-01')) t(id, v, ts)" >models/src.sql
cat >snapshots/snaps.sql <<'EOS'
{% snapshot by_time %}
{{ config(target_schema='snapshots', unique_key='id', strategy='timestamp', updated_at='ts') }}
select * from {{ ref('src') }}
{% endsnapshot %}

{% snapshot by_check %}
{{ config(unique_key=['id', 'k'], strategy='check', check_cols=['v'], hard_deletes='invalidate') }}
select id, 'x' as k, v from {{ ref('src') }}
{% endsnapshot %}
EOS
run build
expect_rc 0 "the first snapshot run"
expect_out "OK snapshotted snapshots.by_time"
expect_out "OK snapshotted main.by_check"
expect_query "select id, v, dbt_valid_to is null from snapshots.by_time order by id" "1|a|true
2|b|true"
run snapshot
expect_rc 0 "a run with no change"
expect_query "select count(*) from snapshots.by_time" "2" "adds no version"
expect_query "select count(*) from {{ ref('by_check') }}" "2"

echo "select * from (values (1, 'a2', timestamp '2024-02-01'), (3, 'c', timestamp '2024-02-01')) t(id, v, ts)" >models/src.sql
run build
expect_rc 0 "a run after changes"
expect_query "select id, v, cast(dbt_valid_from as date), coalesce(cast(cast(dbt_valid_to as date) as varchar), '-') from snapshots.by_time order by id, dbt_valid_from" \
"1|a|2024-01-01|2024-02-01
1|a2|2024-02-01|-
2|b|2024-01-01|-
3|c|2024-02-01|-" "timestamp: the changed row got a new version; the vanished one stays current"
expect_query "select id, v, dbt_valid_to is null from {{ ref('by_check') }} order by id, dbt_valid_from" "1|a|false
1|a2|true
2|b|false
3|c|true" "check with hard_deletes invalidate closes the vanished key"
expect_query "select count(distinct dbt_scd_id) from snapshots.by_time" "4" "every version has its own dbt_scd_id"
expect_json target/manifest.json '.nodes["snapshot.sn.by_time"].resource_type' snapshot

# a snapshot defined in YAML, with hard_deletes new_record
cat >snapshots/props.yml <<'EOS'
snapshots:
  - name: from_yaml
    relation: ref('src')
    config:
      unique_key: id
      strategy: check
      check_cols: all
      hard_deletes: new_record
EOS
run snapshot -s from_yaml
expect_rc 0 "a YAML-defined snapshot runs"
expect_query "select id, v, dbt_is_deleted from {{ ref('from_yaml') }} order by id" "1|a2|False
3|c|False"
echo "select * from (values (3, 'c', timestamp '2024-02-01')) t(id, v, ts)" >models/src.sql
run build -s src from_yaml
expect_rc 0
expect_query "select id, dbt_is_deleted, dbt_valid_to is null from {{ ref('from_yaml') }} order by id, dbt_valid_from" "1|False|false
1|True|true
3|False|true" "new_record: a vanished key gets a current version marked deleted"
echo "select * from (values (1, 'back', timestamp '2024-03-01'), (3, 'c', timestamp '2024-02-01')) t(id, v, ts)" >models/src.sql
run build -s src from_yaml
expect_rc 0
expect_query "select id, v, dbt_is_deleted from {{ ref('from_yaml') }} where dbt_valid_to is null order by id" "1|back|False
3|c|False" "a key that comes back gets a new version"

cat >snapshots/bad.sql <<'EOS'
{% snapshot no_strategy %}
{{ config(unique_key='id') }}
select 1 as id
{% endsnapshot %}
EOS
run snapshot -s no_strategy
expect_rc 1 "a snapshot without a strategy fails"
expect_out "needs strategy: timestamp or check"

done_testing
