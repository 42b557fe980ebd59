#!/usr/bin/env bash
# How packages such as dbt-unit-testing (EqualExperts) wrap dbt, on DuckDB:
# - a project's ref() and source() macros call dbt's through builtins.ref / builtins.source, which
#   stay dbt's own whatever macro took the name;
# - is_incremental() and should_full_refresh() are macros of the global project, so an override
#   calls dbt.is_incremental();
# - while parsing, config.get() is "" whatever the key, as dbt's ParseConfigObject: a branch on a
#   config is not taken at parse (a ref inside it is still recorded when the branch asks for "");
#   generate_schema_name reads the real config (dbt's GenerateNameProvider);
# - context.update() writes to the render's own context, read back by a later macro;
# - agate rows answer dict(), and a column's data_type jsonify() (a number becomes a float, a
#   date its isoformat()) and prints as the engine's type;
# - a snapshot's raw_code is its {% snapshot %} block's body (dbt-unit-testing renders it), its
#   checksum the file's.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/mo/models" "$WORK/mo/macros" && cd "$WORK/mo"
printf 'name: mo\nprofile: mo\n' >dbt_project.yml
cat >macros/overrides.sql <<'EOS'
{% macro ref(name) %}
  {% do context.update({'refs_seen': context.get('refs_seen', 0) + 1}) %}
  {{ return(builtins.ref(name)) }}
{% endmacro %}

{% macro source(source_name, table_name) %}
  {{ return(builtins.source(source_name, table_name)) }}
{% endmacro %}

{% macro is_incremental() %}
  {{ return(dbt.is_incremental()) }}
{% endmacro %}

{% macro seen() %}{{ return(context.get('refs_seen', 0)) }}{% endmacro %}

{% macro generate_schema_name(custom_schema_name, node) -%}
  {%- if config.get('materialized') == 'incremental' -%}{{ target.schema }}_inc{%- else -%}{{ target.schema }}{%- endif -%}
{%- endmacro %}
EOS
cat >models/src.yml <<'EOS'
sources:
  - name: raw
    schema: main
    tables:
      - name: a
        identifier: a
EOS
echo "select 1 as id, date '2026-01-02' as d, true as b, 'x' as t" >models/a.sql
cat >models/b.sql <<'EOS'
{{ config(materialized='incremental') }}
select id from {{ ref('a') }}
{% if is_incremental() %} union all select id + 10 from {{ source('raw', 'a') }} {% endif %}
EOS
cat >models/c.sql <<'EOS'
{% if config.get('materialized') == '' %}-- depends_on: {{ ref('a') }}{% endif %}
{% set r = ref('a') %}
select '{{ seen() }}' as seen, '{{ dbt.should_full_refresh() }}' as fr
EOS
cat >models/d.sql <<'EOS'
{% set out = [] %}
{% if execute %}
  {% set t = run_query("select 7 as n, date '2026-01-02' as d, true as b, 'x' as s") %}
  {% set row = t.rows[0].dict() %}
  {% for col in t.columns %}
    {% do out.append(col.name ~ ':' ~ col.data_type ~ ':' ~ col.data_type.jsonify(row[col.name])) %}
  {% endfor %}
{% endif %}
select '{{ out | join(",") }}' as j
EOS

mkdir -p snapshots
printf '%s\n' "{% snapshot snap %}" "{{ config(unique_key='id', strategy='check', check_cols='all', target_schema='main') }}" \
	"select 1 as id" "{% endsnapshot %}" >snapshots/snap.sql

run build
expect_rc 0 "build with ref, source and is_incremental overridden"
expect_json target/manifest.json '.nodes["snapshot.mo.snap"].raw_code.split("\n").join("|")' \
	"|{{ config(unique_key='id', strategy='check', check_cols='all', target_schema='main') }}|select 1 as id|" \
	"a snapshot's raw_code is its block's body"
expect_json target/manifest.json '.nodes["snapshot.mo.snap"].checksum.checksum' \
	"$(sed -e '$!b' -e 's/[[:space:]]*$//' snapshots/snap.sql | head -c -1 | sha256sum | cut -d' ' -f1)" \
	"and its checksum the file's"
run build
expect_rc 0 "and again, b incremental now"
expect_query "select id from {{ ref('b') }} order by id" "1
1
11" "dbt.is_incremental() in an override; builtins.source"
expect_json target/manifest.json '.nodes["model.mo.c"].depends_on.nodes' '["model.mo.a"]' \
	"config.get() is '' while parsing: the branch's ref is recorded"
expect_json target/manifest.json '.nodes["model.mo.b"].schema + "," + d.nodes["model.mo.c"].schema' "main_inc,main" \
	"but generate_schema_name reads the node's config, as dbt's GenerateNameProvider"
expect_json target/manifest.json '.nodes["model.mo.a"].depends_on.macros' '[]' \
	"the name macros are not the node's macro dependencies (dbt calls them without the node)"
expect_query "select seen, fr from {{ ref('c') }}" "1|False" \
	"context.update() read back by another macro of the render; dbt.should_full_refresh()"
expect_query "select j from {{ ref('d') }}" "n:INTEGER:7.0,d:DATE:2026-01-02,b:BOOLEAN:True,s:VARCHAR:x" \
	"row.dict(), data_type.jsonify() and the type's name"
done_testing
