#!/usr/bin/env bash
# The executable maps DuckDB, libpq, libcurl, libarchive, libmicrohttpd and libedit only when a
# command first calls them (src/lazyload/): a parse, an ls or --version starts without their
# relocations and constructors, a run on DuckDB loads DuckDB and nothing else of the six (t456
# drives the sql shell's line editing on a terminal, t502 docs serve, through the same wrappers).
# glibc's LD_DEBUG=files lists every object the dynamic loader maps, at start and through dlopen.
. "$(dirname "$0")/lib.sh"

lazy='libduckdb|libpq\.|libcurl|libarchive|libmicrohttpd|libedit'

# --as-needed drops a library only when the executable's own definitions leave it nothing to
# resolve: a function called somewhere and missing from src/lazyload/ shows up here
needed=$(readelf -d "$SLUICE" | grep NEEDED)
if printf '%s\n' "$needed" | grep -qE "$lazy"; then
	not_ok "the executable needs none of the six at start" "$needed"
else ok "the executable needs none of the six at start"; fi

mkdir -p "$WORK/lz/models" && cd "$WORK/lz"
printf 'name: lz\nprofile: lz\n' >dbt_project.yml
echo "select 1 as x" >models/one.sql

# loaded: the libraries of the six that LD_DEBUG says were mapped in the last command
loaded() { grep -oE "file=[^ ]*($lazy)[^ ]*" "$ERR" | sort -u | tr '\n' ' '; }

LD_DEBUG=files run --version
expect_rc 0 "--version"
if [ -z "$(loaded)" ]; then ok "--version maps none of the six"; else not_ok "--version maps none of the six" "$(loaded)"; fi

for cmd in parse ls; do
	LD_DEBUG=files run $cmd
	expect_rc 0 "$cmd"
	if [ -z "$(loaded)" ]; then ok "$cmd maps none of the six"; else not_ok "$cmd maps none of the six" "$(loaded)"; fi
done

LD_DEBUG=files run run
expect_rc 0 "run on DuckDB"
got=$(loaded)
if [[ "$got" == *libduckdb* ]] && ! grep -qE 'libpq\.|libcurl|libarchive|libmicrohttpd|libedit' <<<"$got"; then
	ok "a run on DuckDB maps DuckDB alone of the six"
else not_ok "a run on DuckDB maps DuckDB alone of the six" "$got"; fi
run show --inline "select x + 41 as y from {{ ref('one') }}"
expect_rc 0 "show"
expect_out "42" "DuckDB works through the loaded functions"

done_testing
