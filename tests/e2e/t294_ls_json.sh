#!/usr/bin/env bash
# ls --output json prints what dbt 1.9's ListTask.generate_json prints: for every selected node,
# sorted by unique_id, json.dumps of the node's dict cut down to ALLOWED_KEYS (alias, name,
# package_name, depends_on, tags, config, resource_type, source_name, original_file_path,
# unique_id) in the dict's own order; a source's config is its SourceConfig (enabled, event_time,
# freshness), an exposure's is ExposureConfig, a unit test's UnitTestConfig.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/p/models"
cd "$WORK/p" || exit 2
printf 'name: p\n' >dbt_project.yml
echo "select 1 as id" >models/b.sql
echo "select * from {{ ref('b') }}" >models/a.sql
cat >models/props.yml <<'YML'
sources:
  - name: raw
    tables: [{name: events}]
exposures:
  - name: weekly
    type: dashboard
    owner: {name: Ana}
    depends_on: [ref('a')]
unit_tests:
  - name: a_has_b
    model: a
    given: [{input: ref('b'), rows: [{id: 1}]}]
    expect: {rows: [{id: 1}]}
YML

run ls --output json
expect_rc 0 "ls --output json"
ids=$(node -e 'require("fs").readFileSync(0, "utf8").split("\n").filter(Boolean).forEach((l) => console.log(JSON.parse(l).unique_id))' <"$OUT")
want_ids='exposure.p.weekly
model.p.a
model.p.b
source.p.raw.events
unit_test.p.a.a_has_b'
[ "$ids" = "$want_ids" ] && ok "nodes come sorted by unique_id" || not_ok "nodes come sorted by unique_id" "$ids"
expect_out '{"name": "weekly", "resource_type": "exposure", "package_name": "p", "original_file_path": "models/props.yml", "unique_id": "exposure.p.weekly", "tags": [], "config": {"enabled": true}, "depends_on": {"macros": [], "nodes": ["model.p.a"]}}' \
	"an exposure as dbt ls prints it"
expect_out '{"name": "events", "resource_type": "source", "package_name": "p", "original_file_path": "models/props.yml", "unique_id": "source.p.raw.events", "source_name": "raw", "tags": [], "config": {"enabled": true, "event_time": null, "freshness": {"warn_after": {"count": null, "period": null}, "error_after": {"count": null, "period": null}, "filter": null}}}' \
	"a source as dbt ls prints it: SourceConfig's keys"
expect_out '{"name": "a_has_b", "resource_type": "unit_test", "package_name": "p", "original_file_path": "models/props.yml", "unique_id": "unit_test.p.a.a_has_b", "depends_on": {"macros": [], "nodes": ["model.p.a"]}, "config": {"tags": [], "meta": {}, "enabled": true}}' \
	"a unit test as dbt ls prints it"

done_testing
