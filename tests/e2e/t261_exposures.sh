#!/usr/bin/env bash
# Exposures are read from properties files into the manifest and `graph.exposures`, with their
# parents from depends_on; ls lists them and exposure:name selects them (+exposure:name their
# parents, as in dbt). A build does not run them.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/p/models"
cd "$WORK/p" || exit 2
printf 'name: p\n' >dbt_project.yml
echo "select 1 as id" >models/orders.sql
echo "select 2 as id" >models/customers.sql
echo "select 3 as id" >models/unrelated.sql
cat >models/count_exposures.sql <<'SQL'
{% set names = [] %}
{% if execute %}{% for e in graph.exposures.values() %}{% do names.append(e.name ~ ':' ~ (e.depends_on.nodes | length)) %}{% endfor %}{% endif %}
select '{{ names | join(",") }}' as exposures
SQL
cat >models/exposures.yml <<'YML'
exposures:
  - name: weekly_dashboard
    label: Weekly
    type: dashboard
    maturity: high
    url: https://bi.example.com/weekly
    description: The weekly numbers
    depends_on:
      - ref('orders')
      - ref('customers')
      - source('raw', 'events')
    owner:
      name: Ana
      email: ana@example.com
    tags: [finance]
sources:
  - name: raw
    tables: [{name: events}]
YML
run parse
expect_rc 0 "parse"
expect_json target/manifest.json '.exposures["exposure.p.weekly_dashboard"].type' dashboard "the manifest has the exposure"
expect_json target/manifest.json '.exposures["exposure.p.weekly_dashboard"].owner.email' ana@example.com "its owner"
expect_json target/manifest.json '.exposures["exposure.p.weekly_dashboard"].depends_on.nodes.sort().join(",")' \
	"model.p.customers,model.p.orders,source.p.raw.events" "its parents"
expect_json target/manifest.json '.exposures["exposure.p.weekly_dashboard"].fqn.join(".")' p.weekly_dashboard "its fqn"
run ls
expect_rc 0 "ls"
expect_out "exposure:p.weekly_dashboard" "ls lists the exposure"
run ls -s +exposure:weekly_dashboard --output name
expect_out "orders" "+exposure: selects its parents"
expect_no_out "unrelated" "and nothing else"
run build
expect_rc 0 "build"
expect_query "select exposures from {{ ref('count_exposures') }}" "weekly_dashboard:3" "graph.exposures has it"
# dbt_project.yml's exposures: section (SchemaParser._generate_exposure_config), the properties
# file's config over it
printf 'name: p\nexposures:\n  p:\n    +enabled: false\n' >dbt_project.yml
run parse
expect_rc 0 "parse, exposures switched off in dbt_project.yml"
expect_json target/manifest.json '.exposures["exposure.p.weekly_dashboard"]' undefined "the exposure is not among them"
expect_json target/manifest.json '.disabled["exposure.p.weekly_dashboard"][0].config.enabled' false "it is disabled"
expect_json target/manifest.json '.disabled["exposure.p.weekly_dashboard"][0].unrendered_config.enabled' false \
	"its unrendered config says so"
sed -i 's/    tags: \[finance\]/    tags: [finance]\n    config: {enabled: true}/' models/exposures.yml
run parse
expect_json target/manifest.json '.exposures["exposure.p.weekly_dashboard"].config.enabled' true \
	"the properties file's config wins"
printf 'name: p\n' >dbt_project.yml
printf 'exposures:\n  - name: broken\n    type: dashboard\n' >models/broken.yml
run parse
expect_rc 2 "an exposure without an owner"
expect_err "models/broken.yml:2:" "is an error at its entry"

done_testing
