#!/usr/bin/env bash
# A relation is a mapping, as dbt's BaseRelation is: `is mapping` holds, .get('metadata') names its
# class (what packages such as dbt-utils check before they accept a relation), r['schema'] and
# 'schema' in r look attributes up, and .get() falls back to its default.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/rm/models" "$WORK/rm/macros" && cd "$WORK/rm"
printf 'name: rm\nprofile: rm\n' >dbt_project.yml
echo "select 1 as a" >models/a.sql
cat >macros/is_rel.sql <<'EOS'
{% macro is_rel(obj) %}
  {{ return(obj is mapping and obj.get('metadata', {}).get('type', '').endswith('Relation')) }}
{% endmacro %}
EOS
cat >models/b.sql <<'EOS'
select '{{ ref("a") is mapping }}' as m,
 '{{ is_rel(ref("a")) }}' as r,
 '{{ is_rel("a") }}' as s,
 '{{ ref("a")["identifier"] }}' as i,
 '{{ "schema" in ref("a") }}' as c,
 '{{ "nothing" in ref("a") }}' as n,
 '{{ ref("a").get("nothing", "fallback") }}' as d,
 '{{ ref("a").get("schema") }}' as g,
 '{{ this is mapping }}' as t
EOS
run run
expect_rc 0 "a model that treats relations as mappings builds"
expect_query "select * from {{ ref('b') }}" "True|True|False|a|True|False|fallback|main|True"

# information_schema(view): dbt's InformationSchema of the relation's database, the schema left
# out and the identifier unquoted (BaseRelation.information_schema; audit-helper reads columns so)
cat >models/d.sql <<'EOS'
select '{{ ref("a").information_schema("columns") }}' as v, '{{ ref("a").information_schema() }}' as s,
 '{{ ref("a").information_schema_only() }}' as o, '{{ ref("a").information_schema("tables").database }}' as d
EOS
run run -s d
expect_rc 0 "information_schema()"
expect_query "select * from {{ ref('d') }}" '\"rm\".INFORMATION_SCHEMA.columns|\"rm\".INFORMATION_SCHEMA|\"rm\".INFORMATION_SCHEMA|rm'
rm models/d.sql

echo "select {{ ref('a') | length }} as x" >models/c.sql
run run -s c
expect_rc 2 "a relation has no length, as in dbt"
expect_err "has no len()"
done_testing
