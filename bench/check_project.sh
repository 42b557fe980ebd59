#!/bin/sh
# Sanity-checks a project written by bench/gen_project.sh.
#
#   bench/check_project.sh DIR [N_MODELS]
#
# Checks that there are N_MODELS model files (when given) with unique names,
# one schema.yml per model folder documenting each model exactly once, that
# every ref() (including relationships tests and depends_on comments) names an
# existing model with a lower number (so the graph is a DAG), and that every
# source() names a declared source table whose identifier is a model.
# Prints a one-line summary; exits 1 on the first kind of problem found.

set -eu

[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: $0 DIR [N_MODELS]" >&2; exit 2; }
dir=$1
expect=${2:-}

cd "$dir"
[ -f dbt_project.yml ] || { echo "$0: no dbt_project.yml in $dir" >&2; exit 1; }

find models -type f \( -name '*.sql' -o -name '*.yml' \) | sort | awk -v expect="$expect" -v q="'" '
function base(p,    b) { b = p; sub(/.*\//, "", b); return b }
function num(name,    s) { s = name; sub(/.*_/, "", s); return s + 0 }
BEGIN {
    # q is a single quote; POSIX awk has no escape for it inside the program.
    re_ref = "ref\\(" q "[^" q "]+" q "\\)"
    re_src = "source\\(" q "[^" q "]+" q ", *" q "[^" q "]+" q "\\)"
}
function fail(msg) { print "check: " msg > "/dev/stderr"; bad = 1 }
{
    path = $0
    file = base(path)
    folder = path; sub(/\/[^\/]*$/, "", folder)
    if (file ~ /\.sql$/) {
        m = file; sub(/\.sql$/, "", m)
        if (m in model) fail("duplicate model name " m)
        model[m] = path
        nmodels++
        modelfolder[folder] = 1
        while ((getline line < path) > 0) {
            while (match(line, re_ref)) {
                t = substr(line, RSTART + 5, RLENGTH - 7)
                nref++; reffrom[nref] = m; refto[nref] = t
                line = substr(line, RSTART + RLENGTH)
            }
            while (match(line, re_src)) {
                t = substr(line, RSTART + 8, RLENGTH - 9)
                gsub(q, "", t); gsub(/, */, ".", t)
                nsrcuse++; srcuse[nsrcuse] = t
                line = substr(line, RSTART + RLENGTH)
            }
        }
        close(path)
    } else if (file == "sources.yml") {
        while ((getline line < path) > 0) {
            if (line ~ /^  - name: /) { s = line; sub(/^  - name: /, "", s) }
            else if (line ~ /^      - name: /) { t = line; sub(/^      - name: /, "", t); srcdecl[s "." t] = 1; lastsrc = s "." t; nsrc++ }
            else if (line ~ /^        identifier: /) { i = line; sub(/^ *identifier: /, "", i); srcident[lastsrc] = i }
        }
        close(path)
    } else if (file == "schema.yml") {
        schemafolder[folder] = 1
        nschema++
        while ((getline line < path) > 0) {
            if (line ~ /^  - name: /) {
                d = line; sub(/^  - name: /, "", d)
                documented[d]++
                cur = d
            } else if (match(line, re_ref)) {
                t = substr(line, RSTART + 5, RLENGTH - 7)
                nref++; reffrom[nref] = cur; refto[nref] = t; nrel++
            }
        }
        close(path)
    }
}
END {
    if (expect != "" && nmodels != expect + 0) fail("expected " expect " models, found " nmodels)
    for (f in modelfolder) { nfolders++; if (!(f in schemafolder)) fail("no schema.yml in " f) }
    for (m in model) if (documented[m] != 1) fail("model " m " documented " documented[m] + 0 " times")
    for (d in documented) if (!(d in model)) fail("schema.yml documents unknown model " d)
    for (r = 1; r <= nref; r++) {
        if (!(refto[r] in model)) fail(reffrom[r] " refers to unknown model " refto[r])
        else if (num(refto[r]) >= num(reffrom[r])) fail(reffrom[r] " refers to a later model " refto[r])
    }
    for (r = 1; r <= nsrcuse; r++) if (!(srcuse[r] in srcdecl)) fail("undeclared source " srcuse[r])
    for (s in srcident) if (!(srcident[s] in model)) fail("source " s " names unknown relation " srcident[s])
    printf "%d models in %d folders, %d schema.yml, %d refs (%d in relationships tests), %d source tables, %d source() calls: %s\n", nmodels, nfolders, nschema, nref, nrel, nsrc, nsrcuse, (bad ? "PROBLEMS" : "ok")
    exit bad
}'
