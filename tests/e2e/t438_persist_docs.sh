#!/usr/bin/env bash
# persist_docs on both engines: descriptions become comments on tables, views, incremental tables
# (first build and later runs), seeds and snapshots, and on their columns (a quoted column by its
# exact name, a quote inside the text); a documented column the relation lacks is a warning naming
# it, as in dbt; a folder that turns both off gets no comment (persist_docs merges key by key, as dbt merges it). docs generate reads them back.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"

make_project() {
	rm -rf "${WORK:?}/pd_$1"
	mkdir -p "$WORK/pd_$1/models" "$WORK/pd_$1/seeds" "$WORK/pd_$1/snapshots" && cd "$WORK/pd_$1" || exit 2
	cat >dbt_project.yml <<'EOS'
name: pd
profile: pd
models:
  pd:
    +persist_docs: {relation: true, columns: true}
    plain:
      +persist_docs: {relation: false, columns: false}
seeds:
  pd:
    +persist_docs: {relation: true, columns: true}
snapshots:
  pd:
    +persist_docs: {relation: true, columns: true}
EOS
	echo "{{ config(materialized='table') }} select 1 as id, 'a' as \"Name\"" >models/t.sql
	echo "select * from {{ ref('t') }}" >models/v.sql
	echo "{{ config(materialized='incremental') }} select * from {{ ref('t') }}" >models/inc.sql
	mkdir -p models/plain && echo "select 1 as id" >models/plain/bare.sql
	printf 'id,x\n1,2\n' >seeds/s.csv
	cat >snapshots/snap.sql <<'EOS'
{% snapshot snap %}
{{ config(unique_key='id', strategy='check', check_cols='all', target_schema=target.schema) }}
select * from {{ ref('s') }}
{% endsnapshot %}
EOS
	cat >models/schema.yml <<'EOS'
version: 2
models:
  - name: t
    description: "The table's doc"
    columns:
      - name: id
        description: the id
      - name: Name
        quote: true
        description: a quoted name
      - name: ghost
        description: not in the table
  - name: v
    description: a view
    columns:
      - name: id
        description: the view's id
  - name: inc
    description: incremental
    columns:
      - name: id
        description: inc id
  - name: bare
    description: not persisted
    columns:
      - name: id
        description: not persisted either
seeds:
  - name: s
    description: a seed
    columns:
      - name: x
        description: the x
snapshots:
  - name: snap
    description: a snapshot
    columns:
      - name: x
        description: snapshot x
EOS
}

check_engine() {
	local e=$1 c=target/catalog.json
	run build
	expect_rc 0 "$e: build"
	expect_out "The following columns are specified in the schema but are not present in the database: ghost"
	run run -s inc
	expect_rc 0 "$e: the incremental model's second run"
	run docs generate
	expect_rc 0 "$e: docs generate"
	expect_json $c '.nodes["model.pd.t"].metadata.comment' "The table's doc" "$e: the table's comment"
	expect_json $c '.nodes["model.pd.t"].columns.id.comment' "the id" "$e: a column's comment"
	expect_json $c '.nodes["model.pd.t"].columns.Name.comment' "a quoted name" "$e: a quoted column's comment"
	expect_json $c '.nodes["model.pd.v"].metadata.comment' "a view" "$e: the view's comment"
	expect_json $c '.nodes["model.pd.v"].columns.id.comment' "the view's id" "$e: a view column's comment"
	expect_json $c '.nodes["model.pd.inc"].metadata.comment' "incremental" "$e: the incremental table's comment"
	expect_json $c '.nodes["model.pd.inc"].columns.id.comment' "inc id" "$e: its column's comment"
	expect_json $c '.nodes["seed.pd.s"].metadata.comment' "a seed" "$e: the seed's comment"
	expect_json $c '.nodes["seed.pd.s"].columns.x.comment' "the x" "$e: the seed column's comment"
	expect_json $c '.nodes["snapshot.pd.snap"].metadata.comment' "a snapshot" "$e: the snapshot's comment"
	expect_json $c '.nodes["snapshot.pd.snap"].columns.x.comment' "snapshot x" "$e: the snapshot column's comment"
	expect_json $c '.nodes["model.pd.bare"].metadata.comment' "null" "$e: no persist_docs, no comment"
	expect_json $c '.nodes["model.pd.bare"].columns.id.comment' "null" "$e: no column comment either"
}

make_project duckdb
check_engine duckdb

pg_start
make_project postgres
pg_profile pd public
check_engine postgres
done_testing
