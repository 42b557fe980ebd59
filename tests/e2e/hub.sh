# Helpers for the tests of sluice deps, sourced after lib.sh: the package hub double on a free
# loopback port (stopped when the test ends, and on its own if the test dies), and fixture packages.
HUB_DOUBLE=${SLUICE_HUB_DOUBLE:?SLUICE_HUB_DOUBLE must name the hub-double binary}
HUB_PID=
HUB_FIXTURES="$WORK/hub"
at_exit hub_stop

# hub_start: serves $HUB_FIXTURES; sets HUB (the hub's address) and DBT_PACKAGE_HUB_URL
hub_start() {
	mkdir -p "$HUB_FIXTURES"
	rm -f "$WORK/hub.port"
	"$HUB_DOUBLE" --fixtures "$HUB_FIXTURES" --port-file "$WORK/hub.port" --log "$WORK/hub.log" \
		--max-seconds 620 >"$WORK/hub.out" 2>"$WORK/hub.err" &
	HUB_PID=$!
	wait_until 60 eval '[ -s "$WORK/hub.port" ] || ! running "$HUB_PID"'
	if [ ! -s "$WORK/hub.port" ]; then
		echo "Bail out! the hub double did not start: $(tail -5 "$WORK/hub.err")"
		exit 1
	fi
	HUB="http://127.0.0.1:$(cat "$WORK/hub.port")/"
	export DBT_PACKAGE_HUB_URL="$HUB"
}

# hub_stop_checked: stops the double; it must exit 0 (a sanitizer's report would make it fail)
hub_stop_checked() {
	if stop_pid "$HUB_PID"; then
		ok "the hub double stops cleanly"
	else
		not_ok "the hub double stops cleanly" "$(tail -20 "$WORK/hub.err")"
	fi
	HUB_PID=
}

# hub_stop: stops the double if it runs
hub_stop() {
	if [ -n "$HUB_PID" ]; then
		stop_pid "$HUB_PID" 2>/dev/null
		HUB_PID=
	fi
}

# hub_publish NAMESPACE/NAME VERSION PROJECT_NAME [PACKAGES_YML] [REQUIRE_DBT_VERSION]: a version of
# a package on the hub, with a macro PROJECT_NAME_version() that returns its version
hub_publish() {
	local d="$HUB_FIXTURES/$1/$2"
	mkdir -p "$d/macros"
	printf 'name: %s\nversion: "%s"\n' "$3" "$2" >"$d/dbt_project.yml"
	[ -n "${5:-}" ] && printf 'require-dbt-version: %s\n' "$5" >>"$d/dbt_project.yml"
	printf "{%% macro %s_version() %%}'%s'{%% endmacro %%}\n" "$3" "$2" >"$d/macros/version.sql"
	[ -n "${4:-}" ] && printf '%s\n' "$4" >"$d/packages.yml"
	return 0
}

