#!/usr/bin/env bash
# Versioned models: each file of a `versions:` entry (name_v<v>.sql, or defined_in:) is a version
# of the entry's model, model.p.name.v<v>, built as name_v<v>; ref('name') is the latest version
# (latest_version:, else the greatest), ref('name', v=1) a given one.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/p/models"
cd "$WORK/p" || exit 2
printf 'name: p\n' >dbt_project.yml
echo "select 1 as version_seen" >models/dim_v1.sql
echo "select 2 as version_seen" >models/dim_v2.sql
echo "select 3 as version_seen" >models/dim_three.sql
echo "select version_seen from {{ ref('dim') }}" >models/latest_reader.sql
echo "select version_seen from {{ ref('dim', v=1) }}" >models/v1_reader.sql
cat >models/dim.yml <<'YML'
models:
  - name: dim
    latest_version: 2
    versions:
      - v: 1
      - v: 2
      - v: 3
        defined_in: dim_three
YML
run parse
expect_rc 0 "parse"
expect_json target/manifest.json '.nodes["model.p.dim.v1"].name' dim "a version is named after its model"
expect_json target/manifest.json '.nodes["model.p.dim.v3"].version' 3 "defined_in names another file"
expect_json target/manifest.json '.nodes["model.p.dim.v2"].latest_version' 2 "the latest version is recorded"
expect_json target/manifest.json '.nodes["model.p.dim.v1"].fqn.join(".")' p.dim.v1 "its fqn ends in its version"
expect_json target/manifest.json '.nodes["model.p.latest_reader"].depends_on.nodes[0]' model.p.dim.v2 \
	"ref('dim') is the latest version"
expect_json target/manifest.json '.nodes["model.p.v1_reader"].depends_on.nodes[0]' model.p.dim.v1 \
	"ref('dim', v=1) that version"
run run
expect_rc 0 "run"
expect_query "select version_seen from {{ ref('latest_reader') }}" "2"
expect_query "select version_seen from {{ ref('v1_reader') }}" "1"
expect_query "select count(*) from information_schema.tables where table_name in ('dim_v1', 'dim_v2', 'dim_v3')" "3" \
	"each version is built as name_v<version>"

done_testing
