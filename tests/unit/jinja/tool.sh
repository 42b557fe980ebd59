#!/bin/sh
# Builds build/jinja_tool (a `sluice jinja` without the rest of the CLI) from the library in $1.
set -e
B=${1:-build}
cc -std=c11 -O2 -g -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Isrc -o "$B/jinja_tool" \
  tests/unit/jinja/jinja_tool.c src/cli/cmd_jinja.c "$B/libsluicecore.a" \
  $(pkg-config --libs jansson yaml-0.1 libpcre2-8) -lm -lpthread $EXTRA_LDFLAGS
