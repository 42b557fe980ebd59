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

done_testing
