#!/usr/bin/env bash
# Analyses: every .sql file under analysis-paths (default analyses/) is a node, as dbt's
# AnalysisParser makes them: unique_id analysis.<package>.<name>, path and fqn under "analysis"
# (get_compiled_path), configs from dbt_project.yml's analyses: and from properties files, refs
# resolved; compile writes them, run and build leave them alone, ls lists them.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/an/models" "$WORK/an/analyses/sub" && cd "$WORK/an"
printf 'name: an\nprofile: an\nanalyses:\n  an:\n    +tags: [exploratory]\n' >dbt_project.yml
echo "select 1 as id" >models/m.sql
echo "select * from {{ ref('m') }}" >analyses/a.sql
echo "{{ config(tags=['deep']) }} select count(*) as n from {{ ref('m') }}" >analyses/sub/b.sql
printf 'analyses:\n  - name: a\n    description: "an analysis"\n' >analyses/props.yml

run parse
expect_rc 0 "a project with analyses parses"
expect_out "Found 1 model, 2 analyses, " "counted as dbt counts them"
expect_json target/manifest.json '.nodes["analysis.an.a"].resource_type' "analysis"
expect_json target/manifest.json '.nodes["analysis.an.b"].path + " " + d.nodes["analysis.an.b"].fqn.join(".")' \
	"analysis/sub/b.sql an.analysis.sub.b" "path and fqn under analysis/, as dbt's get_compiled_path"
expect_json target/manifest.json '.nodes["analysis.an.b"].config.tags.join(",")' "exploratory,deep" \
	"dbt_project.yml's analyses: and config() configure them"
expect_json target/manifest.json '.nodes["analysis.an.a"].description + "|" + d.nodes["analysis.an.a"].depends_on.nodes' \
	"an analysis|model.an.m" "properties describe them, and their refs are dependencies"
expect_json target/manifest.json '.nodes["analysis.an.a"].relation_name' "null" "they are no relation"

run ls --resource-type analysis
expect_rc 0
expect_out "an.analysis.a"
expect_out "an.analysis.sub.b"

run compile
expect_rc 0 "compile compiles analyses"
expect_file target/compiled/an/analyses/sub/b.sql
grep -q 'from "an"."main"."m"' target/compiled/an/analyses/a.sql && ok "their refs are rendered" ||
	not_ok "their refs are rendered" "$(cat target/compiled/an/analyses/a.sql)"

run build
expect_rc 0
expect_out "Done. PASS=1 WARN=0 ERROR=0 SKIP=0 TOTAL=1" "build runs the model, not the analyses"

done_testing
