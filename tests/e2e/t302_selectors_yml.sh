#!/usr/bin/env bash
# selectors.yml: named YAML selections (criteria, graph operators, unions, intersections,
# excludes, references to other selectors) with --selector, and the default selector.
. "$(dirname "$0")/lib.sh"
project shop

cat >selectors.yml <<'EOS'
selectors:
  - name: staging_only
    definition: "path:models/staging"
  - name: upstream_of_top
    definition:
      method: fqn
      value: top_item
      parents: true
  - name: nightly_not_top
    definition:
      union:
        - method: tag
          value: nightly
        - exclude:
            - top_item
  - name: both
    definition:
      intersection:
        - union: [stg_items, revenue]
        - method: selector
          value: upstream_of_top
EOS
sel() {  # sel EXPECTED ARGS...
	local want=$1
	shift
	run ls --output name --resource-type model "$@"
	local got
	got=$(sort "$OUT" | tr '\n' ' ' | sed 's/ $//')
	if [ "$RC" = 0 ] && [ "$got" = "$want" ]; then ok "ls $*"; else not_ok "ls $*" "want: $want
got:  $got
$(cat "$ERR")"; fi
}
sel "stg_items stg_sales" --selector staging_only
sel "revenue stg_items stg_sales top_item" --selector upstream_of_top
sel "revenue" --selector nightly_not_top
sel "revenue stg_items" --selector both
sel "revenue stg_items stg_sales top_item"
run ls --selector nonesuch
expect_rc 2 "an unknown selector exits 2"
expect_err "selectors.yml defines no selector named 'nonesuch'"

printf 'selectors:\n  - name: dflt\n    default: true\n    definition: "tag:finance"\n' >selectors.yml
sel "revenue"
sel "stg_items" -s stg_items

# an exclude takes its nodes out of the union it is written in, not out of the whole selection:
# the union around it brings the tables' tests back (dbt's SelectionDifference inside a
# SelectionUnion; mattermost's default selector skips views but keeps testing them)
cat >selectors.yml <<'EOS'
selectors:
  - name: skip_tables_but_test_them
    default: true
    definition:
      union:
        - union:
            - method: path
              value: models
            - exclude:
                - method: config.materialized
                  value: table
        - method: resource_type
          value: test
EOS
sel_all() {  # sel_all EXPECTED ARGS...
	local want=$1
	shift
	run ls --output name "$@"
	local got
	got=$(sort "$OUT" | tr '\n' ' ' | sed 's/ $//')
	if [ "$RC" = 0 ] && [ "$got" = "$want" ]; then ok "ls $*"; else not_ok "ls $*" "want: $want
got:  $got
$(cat "$ERR")"; fi
}
sel_all "not_null_revenue_item_name stg_items stg_sales unique_revenue_item_name" --selector skip_tables_but_test_them
sel_all "not_null_revenue_item_name stg_items stg_sales unique_revenue_item_name"
# a selector is the whole selection: --exclude beside it is not used (dbt's get_selection_spec),
# and --exclude alone leaves the default selector out
sel_all "not_null_revenue_item_name stg_items stg_sales unique_revenue_item_name" --selector skip_tables_but_test_them --exclude stg_items
sel_all "not_null_revenue_item_name revenue stg_sales top_item unique_revenue_item_name" --exclude stg_items

done_testing
