#!/usr/bin/env bash
# Snapshots configured from dbt_project.yml (snapshots: with target_schema, strategy, check_cols),
# dbt_valid_to_current, snapshot_meta_column_names, columns the query gains, the legacy
# invalidate_hard_deletes, and a failing run that leaves the history as it was.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/sc/snapshots" "$WORK/sc/models" && cd "$WORK/sc"
cat >dbt_project.yml <<'EOS'
name: sc
profile: sc
snapshots:
  sc:
    +target_schema: hist
    +unique_key: id
    +strategy: check
    +check_cols: all
    +dbt_valid_to_current: "timestamp '9999-12-31'"
EOS
# the rows of a run: ids 1..n, with v from var ver, and a column 'extra' when var extra is set
cat >models/src.sql <<'EOS'
select id, 'v' || case when id = 1 then {{ var('ver', 1) }} else 0 end as v{% if var('extra', false) %}, 'e' as extra{% endif %},
    timestamp '2024-01-01' + interval (case when id = 1 then {{ var('ver', 1) }} else 0 end) day as ts
from range(1, {{ var('n', 3) }} + 1) t(id)
EOS
cat >snapshots/s.sql <<'EOS'
{% snapshot current_hi %}
select id, v{% if var('extra', false) %}, extra{% endif %} from {{ ref('src') }}
{% endsnapshot %}

{% snapshot renamed %}
{{ config(strategy='timestamp', updated_at='ts', dbt_valid_to_current=none, invalidate_hard_deletes=true,
          snapshot_meta_column_names={'dbt_valid_from': 'start_at', 'dbt_valid_to': 'end_at', 'dbt_scd_id': 'version_id'}) }}
select id, v, ts from {{ ref('src') }}
{% endsnapshot %}

{% snapshot by_list %}
{{ config(check_cols=['v'], target_schema='main') }}
select * from {{ ref('src') }}
{% endsnapshot %}
EOS
run build
expect_rc 0 "first run"
expect_out "OK snapshotted hist.current_hi"
expect_out "OK snapshotted main.by_list"
expect_query "select id, cast(dbt_valid_to as date) from hist.current_hi order by id" "1|9999-12-31
2|9999-12-31
3|9999-12-31" "dbt_valid_to_current marks current versions"

run build --vars '{ver: 2, n: 2, extra: true}'
expect_rc 0 "second run: id 1 changes, id 3 vanishes, a column appears"
expect_query "select id, v, coalesce(extra, '-'), cast(dbt_valid_to as date) = date '9999-12-31' from hist.current_hi order by id, dbt_valid_from" "1|v1|-|false
1|v2|e|true
2|v0|-|false
2|v0|e|true
3|v0|-|true" "the new column is added; check_cols all sees it as a change; a vanished key stays current"
expect_query "select id, v, cast(start_at as date), coalesce(cast(cast(end_at as date) as varchar), '-') from hist.renamed order by id, start_at" "1|v1|2024-01-02|2024-01-03
1|v2|2024-01-03|-
2|v0|2024-01-01|-
3|v0|2024-01-01|$(date -u +%Y-%m-%d)" "renamed meta columns, timestamp strategy, invalidate_hard_deletes"
expect_query "select count(distinct version_id) from hist.renamed" "4"
expect_query "select id, v, year(dbt_valid_to) = 9999 as cur from by_list order by id, dbt_valid_from" "1|v1|false
1|v2|true
2|v0|true
3|v0|true" "check_cols as a list ignores other columns"

run snapshot --vars '{ver: 2, n: 2, extra: true}'
expect_rc 0 "a run with no change"
expect_query "select count(*) from hist.current_hi" "5" "adds no version"

# a failing run (the query breaks after the staging step would start) leaves the history
cat >>snapshots/s.sql <<'EOS'
{% snapshot fails_later %}
{{ config(strategy='check', check_cols=['v'], target_schema='main') }}
select id, {{ var('v', "'a'") }} as v from range(1, 3) t(id)
{% endsnapshot %}
EOS
run snapshot -s fails_later
expect_rc 0
run snapshot -s fails_later --vars "{v: \"cast('x' as integer)\"}"
expect_rc 1 "a snapshot whose query fails fails"
expect_query "select count(*), min(v) from fails_later" "2|a" "and leaves the snapshot as it was"

done_testing
