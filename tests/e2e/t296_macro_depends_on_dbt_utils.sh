#!/usr/bin/env bash
# The macros of dbt-utils 1.3.0 list in depends_on.macros what dbt-core 1.9's rules give:
# tests/e2e/expected/macro_deps/dbt_utils-1.3.0.json was derived with tests/artdiff/macro_deps.py
# (dbt's statically_extract_macro_calls and MacroResolver on Jinja2's own syntax tree) for DuckDB,
# with Sluice's built-in macros as the dbt package. dbt-utils is taken from a git mirror of it
# (SLUICE_DBT_UTILS_GIT, by default /work/.mirror/dbt-labs+dbt-utils/repo) at its tag 1.3.0; the
# test says it skips when there is none.
. "$(dirname "$0")/lib.sh"

GIT_DIR_UTILS=${SLUICE_DBT_UTILS_GIT:-/work/.mirror/dbt-labs+dbt-utils/repo}
EXPECTED="$DATA/e2e/expected/macro_deps/dbt_utils-1.3.0.json"

# compare MANIFEST EXPECTED: every macro of EXPECTED has the same list in MANIFEST, and MANIFEST has
# no dbt_utils macro EXPECTED lacks; prints the differences and a count
compare() {
	node -e '
		const fs = require("fs");
		const m = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
		const want = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
		let differ = 0, deps = 0;
		for (const [id, list] of Object.entries(want)) {
			deps += list.length;
			const got = m.macros[id] ? JSON.stringify(m.macros[id].depends_on.macros) : "(no such macro)";
			if (got !== JSON.stringify(list)) {
				differ++;
				console.log(id + ": dbt " + JSON.stringify(list) + ", ours " + got);
			}
		}
		for (const id of Object.keys(m.macros))
			if (id.startsWith("macro.dbt_utils.") && !(id in want)) {
				differ++;
				console.log(id + ": not in the expected list");
			}
		console.log(Object.keys(want).length + " macros, " + deps + " dependencies, " + differ + " differ");
		process.exit(differ ? 1 : 0);
	' "$1" "$2"
}

if ! git --git-dir="$GIT_DIR_UTILS" rev-parse -q --verify 'refs/tags/1.3.0^{commit}' >/dev/null 2>&1; then
	echo "# skip: no git mirror of dbt-utils with its tag 1.3.0 at $GIT_DIR_UTILS (set SLUICE_DBT_UTILS_GIT)"
	ok "skipped: dbt-utils is not at hand"
	done_testing
fi

mkdir -p "$WORK/p/models" "$WORK/p/dbt_packages/dbt_utils"
cd "$WORK/p" || exit 2
git --git-dir="$GIT_DIR_UTILS" archive 1.3.0 | tar -x -C dbt_packages/dbt_utils
printf 'name: p\n' >dbt_project.yml
echo 'select 1 as x' >models/a.sql

run parse
expect_rc 0 "parse with dbt-utils 1.3.0"
if compare target/manifest.json "$EXPECTED" >"$WORK/cmp" 2>&1; then
	ok "every dbt-utils macro lists dbt's depends_on.macros ($(tail -1 "$WORK/cmp"))"
else
	not_ok "every dbt-utils macro lists dbt's depends_on.macros" "$(head -40 "$WORK/cmp")"
fi
expect_json target/manifest.json ".macros['macro.dbt_utils.default__date_spine'].depends_on.macros" \
	'["macro.dbt_utils.generate_series","macro.dbt_utils.get_intervals_between","macro.dbt.dateadd"]' \
	"date_spine: its own package's macros, then dbt.dateadd"
expect_json target/manifest.json ".macros['macro.dbt_utils.star'].depends_on.macros" \
	'["macro.dbt_utils.default__star"]' "star: dispatch finds default__star in dbt_utils"

# the comparison sees a difference: one dependency dropped, one macro unknown
node -e '
	const fs = require("fs");
	const w = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
	w["macro.dbt_utils.star"] = [];
	delete w["macro.dbt_utils.default__star"];
	fs.writeFileSync(process.argv[2], JSON.stringify(w));
' "$EXPECTED" "$WORK/bad.json"
if compare target/manifest.json "$WORK/bad.json" >"$WORK/cmp" 2>&1; then
	not_ok "a different list is a difference" "$(cat "$WORK/cmp")"
else
	grep -q '^macro.dbt_utils.star: dbt \[\], ours \["macro.dbt_utils.default__star"\]$' "$WORK/cmp" &&
		grep -q '^macro.dbt_utils.default__star: not in the expected list$' "$WORK/cmp" &&
		ok "a different list and an unexpected macro are differences" ||
		not_ok "a different list and an unexpected macro are differences" "$(cat "$WORK/cmp")"
fi

done_testing
