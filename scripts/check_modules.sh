#!/usr/bin/env bash
# Checks the module boundaries of src/:
#  - every #include "module/header.h" points down the layer order below: no module includes one
#    above it, so there is no cycle between modules (a module that needs something of a higher one
#    says what in its own public header, as project.h's struct proj_hooks does, and the caller
#    passes it in);
#  - a module's private headers (internal.h, *_internal.h) are included only from inside it;
#  - every public header (one that another module includes) states the module's direction in one
#    line of its top comment: "Module direction: M -> A, B, C" (or "M -> nothing"), where A, B and
#    C are modules below M, and every module M includes is among them. A header that is not public
#    but has the line is held to it too.
# Prints each violation as file:line and exits 1 when there is any.
#   scripts/check_modules.sh [SRC_DIR]
set -u
src=${1:-"$(cd "$(dirname "$0")/.." && pwd)/src"}

# Lowest layer first: a module may include the modules before it, never those after it.
# flink/ is the Gateway client library: its public header is include/sluice/flink.h, which its
# users include as <sluice/flink.h>; it uses no other module.
layers="core value jinja flink adapters project graph artifacts dbt state runner docs cli"

declare -A rank
i=0
for m in $layers; do
	rank[$m]=$i
	i=$((i + 1))
done

bad=0
declare -A uses    # "from to" -> 1: module `from` includes a header of module `to`
declare -A public  # "module/header.h" -> 1: included from another module
while IFS=: read -r file line inc; do
	from=${file#"$src"/}
	from=${from%%/*}
	to=${inc%%/*}
	header=${inc##*/}
	[ "$from" = "$to" ] && continue
	uses["$from $to"]=1
	case "$header" in
	internal.h | *_internal.h)
		echo "$file:$line: includes '$inc', a private header of module '$to'"
		bad=1
		continue
		;;
	esac
	public[$inc]=1
	rf=${rank[$from]:--1} rt=${rank[$to]:--1}
	if [ "$rf" -lt 0 ] || [ "$rt" -lt 0 ]; then
		echo "$file:$line: module '$from' or '$to' is not in the layer list of $0"
		bad=1
	elif [ "$rt" -gt "$rf" ]; then
		echo "$file:$line: '$from' includes '$inc' from '$to', a higher layer (order: $layers)"
		bad=1
	fi
done < <(grep -rnoE '^#include ("[a-z_]+/[a-z_0-9/]+\.h"|<sluice/[a-z_0-9/]+\.h>)' "$src" --include='*.c' --include='*.h' |
	sed -E 's/#include ["<]([^">]+)[">]/\1/; s#:sluice/#:flink/#')

# The direction line of each public header (and of any other header that has one): in its top
# comment, true to the includes
for f in $(grep -rlE 'Module direction: ' "$src" --include='*.h'); do
	public[${f#"$src"/}]=1
done
for inc in $(printf '%s\n' "${!public[@]}" | sort); do
	m=${inc%%/*}
	file=$src/$inc
	[ -f "$file" ] || continue
	# the comment block before the include guard
	top=$(sed -n '1,/^#ifndef/p' "$file")
	dir=$(grep -m1 -nE 'Module direction: ' <<<"$top")
	if [ -z "$dir" ]; then
		echo "$file:1: public header of '$m' without its direction (\"Module direction: $m -> ...\" in its top comment)"
		bad=1
		continue
	fi
	n=${dir%%:*}
	# the comment's text from that line on, as one line (the list may wrap)
	flat=$(tail -n +"$n" <<<"$top" | grep -v '^#' | sed -E 's#^ ?/?\*+/? ?##' | tr '\n' ' ' | tr -s ' ')
	decl=$(sed -nE 's/.*Module direction: ([a-z]+) -> (nothing|[a-z]+(, [a-z]+)*)([;:.]| \(| *$).*/\1:\2/p' <<<"$flat")
	if [ -z "$decl" ] || [ "${decl%%:*}" != "$m" ]; then
		echo "$file:$n: the direction line must read \"Module direction: $m -> A, B\" (or \"$m -> nothing\")"
		bad=1
		continue
	fi
	list=${decl#*:}
	list=${list//,/}
	[ "$list" = nothing ] && list=""
	for t in $list; do
		rt=${rank[$t]:--1}
		if [ "$rt" -lt 0 ] || [ "$rt" -ge "${rank[$m]}" ]; then
			echo "$file:$n: '$m -> $t' is not a direction down the layers (order: $layers)"
			bad=1
		fi
	done
	for t in $layers; do
		if [ -n "${uses["$m $t"]:-}" ] && ! [[ " $list " == *" $t "* ]]; then
			echo "$file:$n: '$m' includes headers of '$t', which its direction line does not list"
			bad=1
		fi
	done
done

if [ $bad -ne 0 ]; then
	echo "module check failed: move what other modules need into the module's public header," \
		"keep the dependency pointing down the layers, and its public headers' direction lines true" >&2
	exit 1
fi
echo "modules: every include points down the layers ($layers), every public header states its direction"
