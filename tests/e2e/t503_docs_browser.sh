#!/usr/bin/env bash
# The documentation site in a real browser: headless Chromium loads the served site, opens a
# model's page, and finds its columns (with their database types), its SQL and its lineage graph;
# the lineage page draws the project; --static writes one file with the data inlined. Screenshots
# are saved under the test's output folder (SLUICE_TEST_OUT, default the temporary folder).
. "$(dirname "$0")/lib.sh"
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
	echo "# skipped: no chromium (scripts/bootstrap.sh installs it)"
	ok "skipped: no chromium"
	done_testing
fi
project shop
run run
expect_rc 0
run docs generate --static
expect_rc 0 "docs generate --static"
expect_file target/index.html
expect_file target/static_index.html
if grep -q "window.SLUICE_DATA" target/static_index.html && ! grep -q '</script>' <(sed -n '/SLUICE_DATA/p' target/static_index.html | sed 's#};</script>##'); then
	ok "the static page carries the data, safely inside its script"
else
	not_ok "the static page carries the data, safely inside its script"
fi

"$SLUICE" docs serve --port 0 --quiet >"$WORK/serve.out" 2>/dev/null &
pid=$!
bg_track "$pid"
wait_until 60 eval '[ -s "$WORK/serve.out" ] || ! running "$pid"'
url=$(head -n 1 "$WORK/serve.out" 2>/dev/null)
out=${SLUICE_TEST_OUT:-$WORK}
mkdir -p "$out"
browse() {  # browse URL [chromium flags...]: the DOM after the page's scripts ran
	timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run --user-data-dir="$(mktemp -d "$WORK/chrome.XXXXXX")" \
		--virtual-time-budget=5000 "${@:2}" "$1" 2>/dev/null
}
browse "${url}#!/model/model.shop.revenue" --dump-dom >"$WORK/model.html"
if grep -q 'id="columns"' "$WORK/model.html" && grep -q '<b>item_name</b></td><td>VARCHAR</td>' "$WORK/model.html"; then
	ok "the model page lists its columns with their types from the catalog"
else
	not_ok "the model page lists its columns with their types from the catalog" "$(head -c 1500 "$WORK/model.html")"
fi
if grep -q '<span class="kw">select</span>' "$WORK/model.html"; then ok "the model page shows its SQL"; else not_ok "the model page shows its SQL"; fi
if grep -q 'class="gnode focus" data-id="model.shop.revenue"' "$WORK/model.html" && grep -q 'data-id="model.shop.stg_items"' "$WORK/model.html"; then
	ok "the model page draws its lineage"
else
	not_ok "the model page draws its lineage"
fi
if grep -q 'href="#!/model/model.shop.top_item"' "$WORK/model.html"; then ok "links lead to the nodes that use it"; else not_ok "links lead to the nodes that use it"; fi
browse "${url}#!/model/model.shop.top_item" --dump-dom >"$WORK/top.html"
if grep -q '<h1>top_item' "$WORK/top.html"; then ok "following a link opens the other model's page"; else not_ok "following a link opens the other model's page"; fi
browse "${url}#!/lineage" --dump-dom >"$WORK/lineage.html"
if [ "$(grep -o 'class="gnode' "$WORK/lineage.html" | wc -l)" -ge 4 ]; then ok "the lineage page draws the project"; else not_ok "the lineage page draws the project"; fi
browse "file://$PWD/target/static_index.html#!/model/model.shop.revenue" --dump-dom >"$WORK/static.html"
if grep -q '<b>item_name</b>' "$WORK/static.html"; then ok "the static page works from a file, without a server"; else not_ok "the static page works from a file, without a server"; fi
browse "${url}#!/model/model.shop.revenue" --window-size=1280,1000 --screenshot="$out/docs-model.png" >/dev/null
browse "${url}#!/lineage" --window-size=1280,700 --screenshot="$out/docs-lineage.png" >/dev/null
if [ -s "$out/docs-model.png" ] && [ -s "$out/docs-lineage.png" ]; then ok "screenshots saved in $out"; else not_ok "screenshots saved"; fi
kill -INT "$pid"
wait_pid "$pid"

done_testing
