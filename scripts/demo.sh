#!/usr/bin/env bash
# Builds the bundled example project on the embedded DuckDB (no profile needed) and prints the
# tables it made.
set -euo pipefail
sluice=${1:-build/sluice}
root=$(cd "$(dirname "$0")/.." && pwd)
project="$root/examples/jaffle_shop"
sluice=$(cd "$(dirname "$sluice")" && pwd)/$(basename "$sluice")

echo "== sluice run (examples/jaffle_shop)"
"$sluice" run --project-dir "$project"
for model in customers orders customer_audit; do
	echo
	echo "== $model"
	"$sluice" show --project-dir "$project" --quiet --limit 10 \
		--inline "select * from {{ ref('$model') }} order by 1"
done
