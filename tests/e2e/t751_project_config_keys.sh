#!/usr/bin/env bash
# dbt_project.yml configs as dbt's _project_configs reads each level: a +key, or any key whose
# value is not a mapping (an adapter's config such as Snowflake's transient: false, or a key of
# the project's own); a mapping without the + is a folder, never a config.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/kc/models/sub" && cd "$WORK/kc"
cat >dbt_project.yml <<'EOS'
name: kc
profile: kc
models:
  transient: false
  my_str: x
  persist_docs: {relation: true}
  kc:
    sub:
      +materialized: table
      tags: deep
EOS
echo "select 1 as a" >models/a.sql
echo "select 1 as b" >models/sub/b.sql
run parse
expect_rc 0
expect_json target/manifest.json '.nodes["model.kc.a"].config.transient + "|" + d.nodes["model.kc.a"].config.my_str' \
	"false|x" "keys with values that are not mappings are configs"
expect_json target/manifest.json '.nodes["model.kc.b"].config.materialized + "|" + d.nodes["model.kc.b"].config.tags' \
	"table|deep" "in folders too"
expect_json target/manifest.json '.nodes["model.kc.a"].config.persist_docs.relation' "undefined" \
	"a mapping without + is a folder, not a config"
done_testing
