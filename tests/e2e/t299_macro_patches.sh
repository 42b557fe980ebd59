#!/usr/bin/env bash
# A properties file's macros: entries describe the package's own macros as dbt-core 1.9's
# MacroPatchParser does: the manifest's macro gets the entry's description, meta, docs and
# arguments (each a MacroArgument: name, type defaulting to null, description to ""), their
# descriptions rendered (doc() too, as _process_docs_for_macro does), and patch_path "pkg://file"; an entry for a macro the package does not define warns (dbt's
# MacroNotFoundForPatch), a macro described twice is an error (DuplicateMacroPatchNameError).
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/p/models" "$WORK/p/macros" && cd "$WORK/p" || exit 2
printf 'name: p\n' >dbt_project.yml
echo 'select 1 as x' >models/a.sql
cat >macros/m.sql <<'SQL'
{% macro cents_to_dollars(column, scale=2) %}({{ column }} / 100)::numeric(16, {{ scale }}){% endmacro %}
{% macro plain() %}1{% endmacro %}
SQL
cat >macros/schema.yml <<'YML'
version: 2
macros:
  - name: cents_to_dollars
    description: Converts cents to dollars.
    meta: {owner: finance}
    docs: {show: false}
    arguments:
      - name: column
        type: column name
        description: The column holding cents.
      - name: scale
        description: "{{ doc('scale') }}"
YML
cat >macros/docs.md <<'MD'
{% docs scale %}Digits after the point.{% enddocs %}
MD
M=target/manifest.json
m() {
	local got
	got=$(json_get "$M" ".macros[\"macro.p.$1\"].$2")
	if [ "$got" = "$3" ]; then ok "$1.$2 = $3"; else not_ok "$1.$2 = $3" "got: $got"; fi
}
run parse
expect_rc 0 "parse"
m cents_to_dollars description "Converts cents to dollars."
m cents_to_dollars patch_path "p://macros/schema.yml"
m cents_to_dollars meta '{"owner":"finance"}'
m cents_to_dollars docs '{"show":false,"node_color":null}'
m cents_to_dollars arguments '[{"name":"column","type":"column name","description":"The column holding cents."},{"name":"scale","type":null,"description":"Digits after the point."}]'
m plain patch_path "null"
m plain docs '{"show":true,"node_color":null}'
m plain arguments "[]"

# the same from the project snapshot of another command
run ls
run ls --output json
run compile
run compile
expect_rc 0 "compile twice (the second from its snapshot)"
m cents_to_dollars patch_path "p://macros/schema.yml"
m cents_to_dollars arguments '[{"name":"column","type":"column name","description":"The column holding cents."},{"name":"scale","type":null,"description":"Digits after the point."}]'

# a macro no package file defines: dbt's warning, at the entry's name
printf '  - name: no_such_macro\n    description: gone\n' >>macros/schema.yml
run parse
expect_rc 0 "an entry for a missing macro is a warning"
expect_err 'Found patch for macro "no_such_macro" which was not found'
expect_err "macros/schema.yml:13:"

# described twice: dbt's error
cat >macros/more.yml <<'YML'
macros:
  - name: cents_to_dollars
    description: again
YML
run parse
expect_rc 2 "a macro described twice"
expect_err "dbt found two schema.yml entries for the same macro in package p named cents_to_dollars"
# files are read in name order: more.yml first, so the entry in schema.yml is the second
expect_err "macros/schema.yml:3:"
expect_err "remove the entry here or the one in macros/more.yml"
rm macros/more.yml

# an argument without a name
cat >macros/schema.yml <<'YML'
macros:
  - name: plain
    arguments:
      - type: int
YML
run parse
expect_rc 2 "an argument without a name"
expect_err "this argument of a macro has no 'name'"
expect_err "macros/schema.yml:4:"

done_testing
