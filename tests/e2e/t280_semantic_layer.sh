#!/usr/bin/env bash
# Semantic models, metrics and saved queries are read from properties files into the manifest
# (semantic_models / metrics / saved_queries, manifest v12's fields), `graph.*` and parent/child
# maps with dbt's parents: a semantic model depends on its model, a metric on the semantic models
# of its measures or on its metrics, a saved query on its metrics. ls lists them as dbt does and
# metric:, semantic_model:, saved_query: select them, with graph operators. Errors name the place.
. "$(dirname "$0")/lib.sh"

project semantic_layer
M=target/manifest.json
run parse
expect_rc 0 "parse"
expect_out "Found 5 models, 7 metrics" "the metrics are counted"
expect_out "2 semantic models, 1 saved query" "and the semantic models and saved queries"
expect_json $M ' && Object.keys(d.semantic_models).sort().join(",")' \
	"semantic_model.shop.customers,semantic_model.shop.orders" "the semantic models"
expect_json $M '.semantic_models["semantic_model.shop.orders"].depends_on.nodes.join(",")' model.shop.orders \
	"a semantic model depends on the model it refs"
expect_json $M '.semantic_models["semantic_model.shop.orders"].node_relation.alias' orders "its node_relation"
expect_json $M '.semantic_models["semantic_model.shop.orders"].measures[1].expr' 1 "expr: 1 is the text 1"
expect_json $M '.semantic_models["semantic_model.shop.orders"].config.meta.area' sales \
	"semantic-models: in dbt_project.yml configures it"
expect_json $M '.semantic_models["semantic_model.shop.orders"].dimensions[0].type_params.time_granularity' day \
	"a time dimension's granularity"
expect_json $M ' && Object.keys(d.metrics).length' 7 "six metrics and one from create_metric"
expect_json $M '.metrics["metric.shop.customers_with_orders"].description' \
	"Metric created from measure customers_with_orders" "create_metric makes a simple metric"
expect_json $M '.metrics["metric.shop.revenue"].depends_on.nodes.join(",")' semantic_model.shop.orders \
	"a simple metric depends on the semantic model of its measure"
expect_json $M '.metrics["metric.shop.revenue"].tags.join(",")' finance "its tags"
expect_json $M '.metrics["metric.shop.revenue_per_order"].depends_on.nodes.join(",")' \
	"metric.shop.revenue,metric.shop.orders_count" "a ratio metric depends on its numerator and denominator"
expect_json $M '.metrics["metric.shop.revenue_per_order"].type_params.input_measures.map(m => m.name).join(",")' \
	"order_total,order_count" "and takes their input measures"
expect_json $M '.metrics["metric.shop.revenue_growth"].type_params.metrics[1].offset_window' \
	'{"count":7,"granularity":"day"}' "a derived metric's offset window"
expect_json $M '.metrics["metric.shop.cumulative_revenue"].type_params.cumulative_type_params.window.count' 28 \
	"a cumulative metric's window"
expect_json $M '.metrics["metric.shop.large_orders"].filter.where_filters[0].where_sql_template' \
	"{{ Dimension('order_id__order_total') }} >= 20" "a filter stays a template"
expect_json $M '.saved_queries["saved_query.shop.weekly_revenue"].depends_on.nodes.join(",")' \
	"metric.shop.revenue,metric.shop.revenue_per_order" "a saved query depends on its metrics"
expect_json $M '.saved_queries["saved_query.shop.weekly_revenue"].exports[0].config.schema_name' exports \
	"its export's schema"
expect_json $M '.saved_queries["saved_query.shop.weekly_revenue"].config.export_as' view \
	"saved-queries: in dbt_project.yml configures it"
expect_json $M '.child_map["semantic_model.shop.orders"].length' 5 "the child map"
expect_json $M '.nodes["model.shop.metricflow_time_spine"].time_spine.standard_granularity_column' date_day \
	"the time spine the metrics use"
expect_json $M '.parent_map["saved_query.shop.weekly_revenue"].join(",")' \
	"metric.shop.revenue,metric.shop.revenue_per_order" "the parent map"

cat >models/marts/exposures.yml <<'YML'
exposures:
  - name: board
    type: dashboard
    owner: {name: Ana}
    depends_on:
      - ref('customers')
      - metric('revenue')
YML
run parse
expect_rc 0 "an exposure of a metric"
expect_json $M '.exposures["exposure.shop.board"].depends_on.nodes.join(",")' "model.shop.customers,metric.shop.revenue" \
	"metric() in an exposure's depends_on makes the metric its parent"
expect_json $M '.exposures["exposure.shop.board"].metrics' '[["revenue"]]' "its metric() calls, as dbt lists them"
expect_json $M '.nodes["model.shop.customers"].metrics' '[]' "a model without metric() calls lists none"

run ls
expect_rc 0 "ls"
expect_out "exposure:shop.board" "ls names an exposure by package and name, whatever its folder"
expect_out "metric:shop.revenue_growth" "ls names a metric by package and name"
expect_out "semantic_model:shop.orders" "a semantic model"
expect_out "saved_query:shop.weekly_revenue" "a saved query"
run ls --resource-type semantic_model --output name
expect_out "customers" "--resource-type semantic_model"
expect_no_out "revenue" "lists only semantic models"
run ls -s +metric:revenue_growth
expect_out "shop.marts.orders" "+metric: reaches the model"
expect_out "semantic_model:shop.orders" "through the semantic model"
expect_no_out "customers" "and nothing else"
run ls -s semantic_model:shop.orders+ --resource-type saved_query
expect_out "saved_query:shop.weekly_revenue" "semantic_model:pkg.name+ reaches the saved query"
run ls -s "saved_query:weekly_*" --output json
expect_out '"resource_type": "saved_query"' "ls --output json of a saved query"

run ls -s +exposure:board --output name
expect_out "revenue" "+exposure: reaches its metric"
expect_out "orders" "and through it the model"

run build
expect_rc 0 "build runs the models only"
expect_query "select semantic from {{ ref('semantic_graph') }}" \
	"cumulative_revenue<semantic_model.shop.orders;customers_with_orders<semantic_model.shop.orders;large_orders<semantic_model.shop.orders;orders_count<semantic_model.shop.orders;revenue<semantic_model.shop.orders;revenue_growth<metric.shop.revenue;revenue_per_order<metric.shop.revenue+metric.shop.orders_count;customers@customers#0;orders@orders#3;weekly_revenue?revenue+revenue_per_order" \
	"graph.metrics, graph.semantic_models and graph.saved_queries"

# errors, each at its place
cp models/marts/customers.yml "$WORK/customers.yml"
cat >>models/marts/customers.yml <<'YML'
metrics:
  - name: bad_metric
    label: Bad
    type: simple
    type_params:
      measure: no_such_measure
  - name: bad_derived
    label: Bad derived
    type: derived
    type_params:
      expr: a
      metrics: [nope]
YML
run parse
expect_rc 2 "unknown measure and metric"
expect_err "models/marts/customers.yml:16:16: error: metric 'bad_metric': a semantic model having a measure \`no_such_measure\` does not exist" \
	"an unknown measure at its place"
expect_err "models/marts/customers.yml:22:17: error: metric 'bad_derived': the metric \`nope\` does not exist" \
	"an unknown metric at its place"
cp "$WORK/customers.yml" models/marts/customers.yml
printf '  - name: plain\n    model: customers\n' >>models/marts/customers.yml
run parse
expect_rc 2 "a model that is not a ref"
expect_err "models/marts/customers.yml:12:12: error: the model of semantic model 'plain' must be ref() of one model" \
	"is an error at the model"
cp "$WORK/customers.yml" models/marts/customers.yml
printf '  - name: missing\n    model: ref("no_model")\n  - name: orders\n    model: ref("orders")\n' \
	>>models/marts/customers.yml
run parse
expect_rc 2 "a missing model"
expect_err "models/marts/customers.yml:12:12: error: semantic_model 'missing' depends on a node named 'no_model'" \
	"is an error at the ref"
sed -i 's/no_model/customers/' models/marts/customers.yml
run parse
expect_rc 2 "two semantic models of one name"
expect_err "two semantic models are named 'orders'" "is an error"
cp "$WORK/customers.yml" models/marts/customers.yml
printf 'saved_queries:\n  - name: q\n    query_params:\n      metrics: [revenue, gone]\n' >>models/marts/customers.yml
run parse
expect_rc 2 "a saved query of an unknown metric"
cp "$WORK/customers.yml" models/marts/customers.yml
sed -i "s/metric('revenue')/metric('nope')/" models/marts/exposures.yml
run parse
expect_rc 2 "an exposure of an unknown metric"
expect_err "models/marts/exposures.yml:2:5: error: Exposure 'exposure.shop.board' (models/marts/exposures.yml) depends on a metric named 'nope' which was not found" \
	"is dbt's error at the exposure"
printf 'saved_queries:\n  - name: q\n    query_params:\n      metrics: [revenue, gone]\n' >>models/marts/customers.yml
run parse
expect_err "models/marts/customers.yml:14:26: error: Saved query 'saved_query.shop.q' (models/marts/customers.yml) depends on a metric named 'gone' which was not found" \
	"is an error at the metric"

done_testing
