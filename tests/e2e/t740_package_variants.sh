#!/usr/bin/env bash
# What Snowplow's packages do, on DuckDB:
# - a model has one variant a warehouse, in folders of their own that dbt_project.yml enables by
#   target.type: files of one name are allowed while at most one is enabled (dbt checks enabled
#   nodes only, and keeps disabled ones by unique_id in lists); two enabled are still an error;
# - get_column_schema_from_query() while parsing is [] (dbt's parse_list), not an error;
# - run_query's dates and timestamps are date and datetime objects, as in dbt's agate tables;
# - `test --exclude m` leaves out m's tests too (dbt's eager expansion of each criterion).
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/pv/models/variant/duckdb" "$WORK/pv/models/variant/other" "$WORK/pv/models/variant/third" && cd "$WORK/pv"
cat >dbt_project.yml <<'EOS'
name: pv
profile: pv
models:
  pv:
    variant:
      duckdb:
        +enabled: "{{ target.type == 'duckdb' }}"
      other:
        +enabled: "{{ target.type != 'duckdb' }}"
      third:
        +enabled: false
EOS
echo "select 'duckdb' as flavour" >models/variant/duckdb/m.sql
echo "select 'other' as flavour" >models/variant/other/m.sql
echo "select 'third' as flavour" >models/variant/third/m.sql
cat >models/schema.yml <<'EOS'
models:
  - name: m
    columns:
      - name: flavour
        data_tests: [not_null]
EOS
cat >models/reader.sql <<'EOS'
{% set cols = get_column_schema_from_query("select 1 as a, 'x' as b") %}
select flavour, '{{ cols | map(attribute="name") | join(",") }}' as cols from {{ ref('m') }}
EOS
cat >models/times.sql <<'EOS'
{% set out = [] %}
{% if execute %}
  {% set t = run_query("select timestamp '2024-01-02 03:04:05.5' as ts, date '2024-02-03' as d") %}
  {% do out.append(t.columns[0].values()[0].strftime('%Y/%m/%d %H:%M')) %}
  {% do out.append(t.rows[0]['ts'] | string) %}
  {% do out.append(t.rows[0]['d'].year ~ '-' ~ t.rows[0]['d'].isoformat()) %}
{% endif %}
select '{{ out | join("|") }}' as t
EOS

run build
expect_rc 0 "three files named m, one enabled"
expect_query "select flavour, cols from {{ ref('reader') }}" "duckdb|a,b" \
	"ref('m') is the enabled variant; get_column_schema_from_query is [] at parse, the columns at run"
expect_json target/manifest.json '.nodes["model.pv.m"].original_file_path' "models/variant/duckdb/m.sql" \
	"the manifest's node is the enabled one"
expect_json target/manifest.json '.disabled["model.pv.m"].map(n => n.original_file_path).join(",")' \
	"models/variant/other/m.sql,models/variant/third/m.sql" "and disabled lists the other two under one key"
expect_query "select t from {{ ref('times') }}" "2024/01/02 03:04|2024-01-02 03:04:05.500000|2024-2024-02-03" \
	"run_query gives datetime and date objects"

run test --exclude m
expect_rc 0 "test --exclude m"
expect_no_out "not_null_m_flavour" "m's test is left out with m"
run test
expect_out "not_null_m_flavour" "and runs without the exclusion"

sed -i 's/+enabled: false/+enabled: true/' dbt_project.yml
run parse
expect_rc 2 "two enabled variants are an error"
expect_err "two models are named 'm'" "with dbt's rule"
expect_err "models/variant/third/m.sql:1:1" "at the second file"
done_testing
