#!/usr/bin/env bash
# Checks that no function body in src/ and tests/flinkgw/ (the gateway double) is longer than
# MAX lines (150), apart from the allow-list below: parsers and the double's grammar, where one
# function per grammar rule with a case per alternative reads better than pieces of it, each entry
# with its reason. A function is a definition at column 0 whose body opens with '{' alone at the
# start of a line and closes with '}' at the start of a line (the house layout); its length is the
# number of lines between the two braces. Prints each long function as file:line and exits 1 when
# there is any, or when an allow-list entry names a function that is gone or no longer long.
#   scripts/check_functions.sh [ROOT]
set -u
root=${1:-"$(cd "$(dirname "$0")/.." && pwd)"}
max=150

# path function reason
allow=$(
	cat <<'EOF'
tests/flinkgw/parse.c statement the double's statement grammar: one alternative per statement kind
tests/flinkgw/parse_expr.c primary the double's grammar of primary expressions: literals, CASE, CAST, calls, subqueries
tests/flinkgw/parse_ddl.c ps_data_type the double's grammar of Flink SQL data types
tests/flinkgw/unparse.c unparse_expr the double's printer of its expression grammar, one case per production
EOF
)

declare -A allowed
while read -r path fn reason; do
	[ -n "$path" ] && allowed["$path:$fn"]=$reason
done <<<"$allow"

declare -A seen
bad=0
while IFS=: read -r file line fn len; do
	rel=${file#"$root"/}
	key="$rel:$fn"
	if [ -n "${allowed[$key]+x}" ]; then
		seen[$key]=$len
		continue
	fi
	if [ "$len" -gt "$max" ]; then
		echo "$rel:$line: function '$fn' is $len lines long (at most $max): split it along its steps"
		bad=1
	fi
done < <(find "$root/src" "$root/tests/flinkgw" -name '*.c' | sort | xargs awk '
	# a definition starts at column 0 with its name before the first "(" and no ";" at the end
	FNR == 1 { sig = ""; infn = 0 }
	!infn && /^[A-Za-z_][A-Za-z0-9_ \t*,]*\(/ && !/;[ \t]*$/ {
		s = $0; sub(/\(.*/, "", s); n = split(s, w, /[ \t*]+/); sig = w[n]; sigline = FNR
	}
	!infn && /^\{/ && sig != "" { infn = 1; start = FNR; next }
	infn && /^\}/ { print FILENAME ":" sigline ":" sig ":" (FNR - start - 1); infn = 0; sig = "" }
	!infn && /;[ \t]*$/ && !/^[ \t]/ { sig = "" }
')

for key in "${!allowed[@]}"; do
	len=${seen[$key]:-}
	if [ -n "$len" ] && [ "$len" -gt "$max" ]; then
		continue
	fi
	what="is gone"
	[ -n "$len" ] && what="is $len lines long now"
	echo "$key: allow-listed, but $what: drop it from the allow-list of $0"
	bad=1
done

if [ $bad -ne 0 ]; then
	echo "function length check failed: split long functions into steps of their own, or keep the allow-list current" >&2
	exit 1
fi
echo "functions: none over $max lines outside the allow-list"
