#!/usr/bin/env bash
# Installs what building and testing Sluice needs, when it is missing:
#  - Debian packages (compiler, CMake, libyaml, jansson, libcurl, libmicrohttpd, PCRE2, cmocka,
#    libpq and the PostgreSQL server for tests, libedit, libarchive for hub packages' tarballs, git
#    for git packages, clang for libFuzzer, python3-dev for the Python module and python3-pandas for
#    its tests, python3-jsonschema to validate artifacts against dbt's schemas when they are at
#    hand: t292 with SLUICE_DBT_SCHEMAS),
#  - DuckDB's shared library and header, pinned, from the npm registry, checked against SHA-256
#    sums and cached under .deps/ (git-ignored). A system libduckdb found by pkg-config wins.
# Safe to run again: it does nothing when everything is in place.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
deps="$root/.deps"

DUCKDB_VERSION=1.4.4
DUCKDB_BINDINGS=1.4.4-r.1
DUCKDB_HEADER_SHA256=5bb967dcbcd517670ba5f169f238fb9d6787e53752c60ebe24386169d76941ed
DUCKDB_LIB_SHA256=8ac460b152cd05a95065a414879bb09e40534b1fb7a80a7afe6969b6ce039029

packages=(build-essential cmake pkg-config libyaml-dev libjansson-dev libcurl4-openssl-dev
	libmicrohttpd-dev libpcre2-dev libcmocka-dev libpq-dev postgresql libedit-dev libarchive-dev git ca-certificates time curl procps chromium
	npm clang python3-dev python3-pandas python3-jsonschema)

say() { printf 'bootstrap: %s\n' "$*"; }

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# npm is only needed when DuckDB must be fetched; node's own npm counts
if command -v npm >/dev/null 2>&1; then
	missing=("${missing[@]/npm}")
fi
missing=($(printf '%s\n' "${missing[@]}" | grep -v '^$' || true))
if [ ${#missing[@]} -gt 0 ]; then
	say "installing Debian packages: ${missing[*]}"
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq
	$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if pkg-config --exists duckdb 2>/dev/null; then
	say "using the system libduckdb $(pkg-config --modversion duckdb)"
	exit 0
fi

dest="$deps/duckdb-$DUCKDB_BINDINGS"
if [ -f "$dest/lib/libduckdb.so" ] && [ -f "$dest/include/duckdb.h" ] && [ -f "$dest/.ok" ]; then
	exit 0
fi

say "fetching DuckDB $DUCKDB_VERSION from the npm registry"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "duckdb@$DUCKDB_VERSION" "@duckdb/node-bindings-linux-x64@$DUCKDB_BINDINGS" >/dev/null)
check() {
	local file=$1 want=$2 got
	got=$(sha256sum "$file" | cut -d' ' -f1)
	if [ "$got" != "$want" ]; then
		say "checksum mismatch for $(basename "$file"): expected $want, got $got" >&2
		exit 1
	fi
}
check "$tmp/duckdb-$DUCKDB_VERSION.tgz" "$DUCKDB_HEADER_SHA256"
check "$tmp/duckdb-node-bindings-linux-x64-$DUCKDB_BINDINGS.tgz" "$DUCKDB_LIB_SHA256"
mkdir -p "$dest/lib" "$dest/include"
tar -xzf "$tmp/duckdb-$DUCKDB_VERSION.tgz" -C "$tmp" package/src/duckdb/src/include/duckdb.h
cp "$tmp/package/src/duckdb/src/include/duckdb.h" "$dest/include/duckdb.h"
rm -rf "$tmp/package"
tar -xzf "$tmp/duckdb-node-bindings-linux-x64-$DUCKDB_BINDINGS.tgz" -C "$tmp" package/libduckdb.so
cp "$tmp/package/libduckdb.so" "$dest/lib/libduckdb.so"
touch "$dest/.ok"
ln -sfn "duckdb-$DUCKDB_BINDINGS" "$deps/duckdb"
say "DuckDB installed under $dest"
