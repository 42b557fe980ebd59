#!/usr/bin/env bash
# A command that loads its project from the snapshot the last manifest was written from copies the
# node entries it would write the same from that manifest (target/partial_parse.manifest says
# where each lies), and builds only the others (the nodes compiled now or then). The result is the
# manifest a build from scratch gives: SLUICE_MANIFEST_CHECK=1 builds every reused entry as well
# and compares (exit 70 on a difference), and the manifests are compared here too. created_at
# stays that of the manifest the entries come from, as dbt keeps it over partial parses. A
# changed or replaced manifest, a damaged side file, another snapshot: the entries are built. A
# partial parse reuses the entries of one that parsed the same files, with the same contents,
# again, and never the snapshot's alone.
. "$(dirname "$0")/lib.sh"

export SLUICE_MANIFEST_CHECK=1 SLUICE_SNAPSHOT_CHECK=1
LOG=logs/sluice.log
M=target/manifest.json
# run_logged ARGS...: sluice ARGS with the log emptied; REUSED: how many entries were copied
run_logged() {
	mkdir -p logs && : >"$LOG"
	run "$@"
	REUSED=$(sed -n 's/.*manifest: \([0-9]*\) of [0-9]* node entries reused.*/\1/p' "$LOG")
}
created() { json_get "$M" '.nodes["model.jaffle_shop.customers"].created_at'; }

project jaffle_shop_duckdb
run_logged build --profiles-dir .
expect_rc 0 "build"
run_logged run --profiles-dir . -s stg_orders
expect_rc 0 "a run from the snapshot build wrote"
# the manifest of a full load names the snapshot written from it (build compiled all but sources)
if [ -n "$REUSED" ] && [ "$REUSED" -gt 0 ]; then ok "it reuses the entries of the full load's manifest ($REUSED)"
else not_ok "it reuses the entries of the full load's manifest" "reused: '$REUSED'; log: $(cat "$LOG")"; fi
if [ -s target/partial_parse.manifest ]; then ok "it writes the side file"; else not_ok "it writes the side file" "$(ls target)"; fi
c1=$(created)

run_logged run --profiles-dir . -s customers
expect_rc 0 "the next run, its entries checked against built ones"
if [ -n "$REUSED" ] && [ "$REUSED" -gt 20 ]; then ok "it reuses the entries ($REUSED)"
else not_ok "it reuses the entries" "reused: '$REUSED'; log: $(cat "$LOG")"; fi
expect_m_eq() {
	local got
	got=$(json_get "$M" "$1")
	if [ "$got" = "$2" ]; then ok "${3:-manifest$1 = $2}"; else not_ok "${3:-manifest$1 = $2}" "got: $got"; fi
}
expect_m_eq '.nodes["model.jaffle_shop.customers"].compiled' "true" "the node compiled now has its compiled code"
expect_m_eq '.nodes["model.jaffle_shop.stg_orders"].compiled' "undefined" "the one compiled last time has none now"
if [ "$(created)" = "$c1" ]; then ok "created_at is the one of the entries reused"
else not_ok "created_at is the one of the entries reused" "$c1 then $(created)"; fi
strip_manifest "$M" >"$WORK/reused.json"

# the same run without the snapshot (and so without reusing): the same manifest
cp -r target "$WORK/target.keep"
run_logged run --profiles-dir . -s customers --no-partial-parse
expect_rc 0 "the same run, parsed in full"
strip_manifest "$M" >"$WORK/full.json"
if cmp -s "$WORK/reused.json" "$WORK/full.json"; then ok "the manifest is the one a full write gives"
else not_ok "the manifest is the one a full write gives" "$(diff <(tr ',' '\n' <"$WORK/reused.json") <(tr ',' '\n' <"$WORK/full.json") | head -20)"; fi
rm -rf target && mv "$WORK/target.keep" target

# a manifest changed since, or a damaged side file: nothing is reused, and the result is right
run_logged run --profiles-dir . -s customers
expect_rc 0 "again, with a copy of the target folder"
if [ -z "$REUSED" ]; then ok "a copied manifest (another file) is not reused"; else not_ok "a copied manifest is not reused" "$REUSED"; fi
run_logged run --profiles-dir . -s customers
expect_rc 0 "again"
if [ -n "$REUSED" ]; then ok "reused again"; else not_ok "reused again" "$(cat "$LOG")"; fi
printf ' ' >>"$M"
run_logged run --profiles-dir . -s customers
expect_rc 0 "after the manifest changed"
if [ -z "$REUSED" ]; then ok "a changed manifest is not reused"; else not_ok "a changed manifest is not reused" "$REUSED"; fi
run_logged run --profiles-dir . -s customers
if [ -n "$REUSED" ]; then ok "and the next run reuses the new one"; else not_ok "and the next run reuses the new one"; fi
size=$(stat -c %s target/partial_parse.manifest)
printf 'X' | dd of=target/partial_parse.manifest bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
run_logged run --profiles-dir . -s customers
expect_rc 0 "with a damaged side file"
if [ -z "$REUSED" ]; then ok "a damaged side file is not used"; else not_ok "a damaged side file is not used" "$REUSED"; fi
strip_manifest "$M" >"$WORK/after.json"
if cmp -s "$WORK/reused.json" "$WORK/after.json"; then ok "and the manifest is still right"
else not_ok "and the manifest is still right"; fi

# another command reads the same snapshot: it reuses the entries of the last command's manifest
run_logged compile --profiles-dir . -s orders
run_logged test --profiles-dir . -s orders
expect_rc 0 "test after compile"
if [ -n "$REUSED" ]; then ok "test reuses compile's manifest"; else not_ok "test reuses compile's manifest" "$(cat "$LOG")"; fi

# a changed model: the project is parsed in part, and every entry is built
sleep 1.1
echo "select * from {{ ref('stg_customers') }} -- changed" >models/extra.sql
run_logged run --profiles-dir . -s extra
run_logged run --profiles-dir . -s extra
expect_rc 0 "an added model"
sed -i 's/-- changed/-- changed again/' models/extra.sql
run_logged run --profiles-dir . -s extra
expect_rc 0 "a changed model, parsed again alone"
if [ -z "$REUSED" ]; then ok "a partial parse builds every entry"; else not_ok "a partial parse builds every entry" "$REUSED"; fi
# the same partial parse again (nothing changed since): the nodes are the same, and reused
run_logged run --profiles-dir . -s stg_orders
expect_rc 0 "the same partial parse again (its entries checked against built ones)"
if [ -n "$REUSED" ] && [ "$REUSED" -gt 0 ]; then ok "its entries are reused ($REUSED)"
else not_ok "its entries are reused" "$(cat "$LOG")"; fi
# the same with another model run: the changed model's entry (not compiled) is not taken for the
# snapshot's when the change is undone and the snapshot serves a load again: a partial load's
# manifest names the snapshot with the changed files' contents (SLUICE_MANIFEST_CHECK compares
# each reused entry with a built one)
sleep 1.1
sed -i 's/-- changed again/-- and again/' models/extra.sql
run_logged run --profiles-dir . -s stg_orders
expect_rc 0 "a changed model, another one run"
sleep 1.1
sed -i 's/-- and again/-- changed/' models/extra.sql
run_logged run --profiles-dir . -s stg_orders
expect_rc 0 "the change undone"
if [ -z "$REUSED" ]; then ok "nothing reused"; else not_ok "nothing reused" "$REUSED"; fi
expect_m_eq '.nodes["model.jaffle_shop.extra"].raw_code' "select * from {{ ref('stg_customers') }} -- changed" "the model's code as it is"
done_testing
