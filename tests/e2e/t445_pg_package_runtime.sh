#!/usr/bin/env bash
# What packages such as elementary do on PostgreSQL: dbt-postgres' make_temp_relation names a
# temporary table with neither schema nor database (and a time string), get_columns_in_relation
# finds such a table's columns in the session's temporary schema, and Sluice's own incremental
# and snapshot materializations still build their staging tables in the target's schema. The
# microbatch strategy is dbt-postgres': a merge on the unique_key, which it requires.
# adapter.check_schema_exists / list_schemas read pg_namespace through the macros.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"
pg_start

mkdir -p "$WORK/pt/models" "$WORK/pt/macros" && cd "$WORK/pt"
printf 'name: pt\nprofile: pt\n' >dbt_project.yml
pg_profile pt app
cat >macros/ops.sql <<'EOS'
{% macro temp_op() %}
  {% set base = api.Relation.create(database=target.database, schema=target.schema, identifier='t') %}
  {% set rel = make_temp_relation(base) %}
  {% do run_query('create temporary table ' ~ rel ~ ' as select 1 as a, 2 as b') %}
  {% do log('temp=' ~ (rel.schema is none) ~ (rel.database is none) ~ rel.identifier.startswith('t__dbt_tmp') ~
            ' cols=' ~ (adapter.get_columns_in_relation(rel) | map(attribute='name') | join(',')) ~
            ' inter=' ~ make_intermediate_relation(base).schema, info=true) %}
{% endmacro %}

{% macro schemas_op() %}
  {% do log('exists=' ~ adapter.check_schema_exists(target.database, target.schema) ~ ' missing=' ~
            adapter.check_schema_exists(target.database, 'no_such_schema') ~ ' listed=' ~
            (target.schema in adapter.list_schemas(target.database)), info=true) %}
{% endmacro %}
EOS
cat >models/inc.sql <<'EOS'
{{ config(materialized='incremental', unique_key='id') }}
select 1 as id, 'a' as v
{% if is_incremental() %} union all select 2, 'b' {% endif %}
EOS

cat >models/mb.sql <<'EOS'
{{ config(materialized='incremental', incremental_strategy='microbatch', event_time='at',
          begin='2026-01-01', batch_size='day', unique_key='id') }}
select 1 as id, timestamp '2026-01-02 03:00:00' as at, 'a' as v
{% if is_incremental() %} union all select 2, timestamp '2026-01-02 04:00:00', 'b' {% endif %}
EOS
cat >models/mb_nokey.sql <<'EOS'
{{ config(materialized='incremental', incremental_strategy='microbatch', event_time='at',
          begin='2026-01-01', batch_size='day') }}
select 1 as id, timestamp '2026-01-02 03:00:00' as at
EOS

run run --event-time-start 2026-01-02 --event-time-end 2026-01-03
expect_rc 0 "first run of the incremental models"
run run --exclude mb_nokey --event-time-start 2026-01-02 --event-time-end 2026-01-03
expect_rc 0 "an incremental run stages its new rows in the target's schema"
expect_query "select id || v from {{ ref('inc') }} order by id" "1a
2b" "the merge saw the staging table"
expect_query "select id || v from {{ ref('mb') }} order by id" "1a
2b" "microbatch merges on the unique_key, as dbt-postgres"
run run -s mb_nokey --event-time-start 2026-01-02 --event-time-end 2026-01-03
expect_rc 1 "microbatch without a unique_key on an existing table"
expect_out "dbt-postgres 'microbatch' requires a \`unique_key\` config" "with dbt-postgres' message"
run run-operation schemas_op
expect_rc 0 "run-operation schemas_op"
expect_out "exists=True missing=False listed=True" "adapter.check_schema_exists and list_schemas"
run run-operation temp_op
expect_rc 0 "run-operation temp_op"
expect_out "temp=TrueTrueTrue cols=a,b inter=app" \
	"make_temp_relation names a temporary table; its columns are found; intermediate keeps the schema"
done_testing
