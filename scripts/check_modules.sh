#!/usr/bin/env bash
# Checks the module boundaries of src/: every #include "module/header.h" must point down the layer
# order below (or be one of the listed exceptions), and a module's private headers (internal.h,
# *_internal.h) may be included only from inside that module. Downward edges only means no cycle
# between modules. Prints each violation as file:line and exits 1 when there is any.
#   scripts/check_modules.sh [SRC_DIR]
set -u
src=${1:-"$(cd "$(dirname "$0")/.." && pwd)/src"}

# Lowest layer first: a module may include the modules before it, never those after it.
layers="core value jinja adapters flink project graph artifacts dbt state runner docs cli"
# Known edges against the order, each with its reason. Adding one needs a reason here.
#   project -> dbt: the loader renders every node once through the dbt context to capture
#                   ref(), source() and config(); inverting it means a parse hook in project.h
exceptions="project->dbt"

declare -A rank
i=0
for m in $layers; do
	rank[$m]=$i
	i=$((i + 1))
done

bad=0
while IFS=: read -r file line inc; do
	from=${file#"$src"/}
	from=${from%%/*}
	to=${inc%%/*}
	header=${inc#*/}
	[ "$from" = "$to" ] && continue
	case "$to" in sluice) continue ;; esac # include/sluice: the public API of the client library
	case "$header" in
	internal.h | *_internal.h)
		echo "$file:$line: includes '$inc', a private header of module '$to'"
		bad=1
		continue
		;;
	esac
	rf=${rank[$from]:--1} rt=${rank[$to]:--1}
	if [ "$rf" -lt 0 ] || [ "$rt" -lt 0 ]; then
		echo "$file:$line: module '$from' or '$to' is not in the layer list of $0"
		bad=1
	elif [ "$rt" -gt "$rf" ] && ! [[ " $exceptions " == *" $from->$to "* ]]; then
		echo "$file:$line: '$from' includes '$inc' from '$to', a higher layer (order: $layers)"
		bad=1
	fi
done < <(grep -rnoE '^#include "[a-z_]+/[a-z_0-9]+\.h"' "$src" --include='*.c' --include='*.h' |
	sed -E 's/#include "([^"]+)"/\1/')

if [ $bad -ne 0 ]; then
	echo "module check failed: move what other modules need into the module's public header," \
		"or keep the dependency pointing down the layers" >&2
	exit 1
fi
echo "modules: every include points down the layers ($layers)"
