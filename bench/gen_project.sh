#!/bin/sh
# Generates a large synthetic dbt project for benchmarking.
#
#   bench/gen_project.sh OUT_DIR N_MODELS
#
# BENCH_VARIANT picks the materializations and tests: `mixed` (the default,
# described below), `tables` (every model a table, two tests a model: unique
# and not_null on id) or `views90` (nine models in ten views, the same two
# tests).
#
# The project is named `bench` and has no profile. It contains:
#   dbt_project.yml       vars and hierarchical per-folder config
#   macros/               cents_to_dollars(col, scale=2), status_flags(statuses)
#   models/sources.yml    one source, `bench_raw`, whose tables name root models
#   models/domain_DD/layer_L/
#                         100 models per folder, plus a schema.yml that
#                         documents and tests every model in the folder
#
# Every model is a 20-40 line SELECT that uses ref() to 1-3 lower-numbered
# models (so the graph is a DAG), {% set %}, a {% for %} loop with loop.last,
# macro calls and var(); some call config(). The first 5% of the models are
# roots: odd-numbered roots select literal `values` rows, even-numbered ones
# read the previous root through source() and name it in a
# `-- depends_on: {{ ref(...) }}` comment. All models share one column layout,
# so the whole project also builds and passes its tests on DuckDB.
#
# The output depends only on N_MODELS (a fixed-seed generator picks the refs
# and the literal rows). Everything is written by a single awk program, so
# 10,000 models take well under a few seconds.

set -eu

usage() {
    echo "usage: $0 OUT_DIR N_MODELS" >&2
    exit 2
}

[ $# -eq 2 ] || usage
out=$1
n=$2
case $n in
    '' | *[!0-9]*) usage ;;
esac
[ "$n" -ge 1 ] || usage

# Regenerating over an earlier bench project is fine; writing into any other
# non-empty directory is refused.
if [ -d "$out" ] && [ -n "$(ls -A "$out")" ]; then
    if [ -f "$out/dbt_project.yml" ] && grep -q '^name: bench$' "$out/dbt_project.yml"; then
        rm -rf "$out/models" "$out/macros" "$out/target"
    else
        echo "$0: $out exists and is not a generated bench project" >&2
        exit 1
    fi
fi
mkdir -p "$out"

prog=$(cat <<'AWK'
function rnd(k) {
    # Park-Miller generator: every intermediate value stays below 2^53, so
    # any POSIX awk gives the same sequence.
    seed = (seed * 16807) % 2147483647
    return seed % k
}

function folder_of(i,    f) {
    f = int((i - 1) / per_folder)
    return sprintf("models/domain_%02d/layer_%d", int(f / 4), f % 4 + 1)
}

function layer_of(i) {
    return int((i - 1) / per_folder) % 4 + 1
}

function domain_of(i) {
    return int(int((i - 1) / per_folder) / 4)
}

BEGIN {
    n = ENVIRON["BENCH_N"] + 0
    out = ENVIRON["BENCH_OUT"]
    mode = ENVIRON["BENCH_MODE"]
    variant = ENVIRON["BENCH_VARIANT"]
    if (variant == "") variant = "mixed"
    per_folder = 100
    width = length(n "") < 5 ? 5 : length(n "")

    nfolders = int((n + per_folder - 1) / per_folder)
    if (mode == "dirs") {
        print "macros"
        for (f = 0; f < nfolders; f++)
            print folder_of(f * per_folder + 1)
        exit
    }

    nroots = int(n / 20)
    if (nroots < 2) nroots = n < 2 ? n : 2

    split("accounts orders invoices payments shipments sessions refunds subscriptions products tickets campaigns events", entities, " ")
    split("stg int fct dim", prefixes, " ")
    split("staging intermediate fact dimension", layer_words, " ")
    split("new active closed", statuses, " ")

    for (i = 1; i <= n; i++) {
        ent = entities[i % 12 + 1]
        if (i <= nroots)
            name[i] = sprintf("base_%s_%0" width "d", ent, i)
        else
            name[i] = sprintf("%s_%s_%0" width "d", prefixes[layer_of(i)], ent, i)
    }

    seed = 20240601

    # ---------------------------------------------------------------- project
    f = out "/dbt_project.yml"
    print "# Synthetic project written by bench/gen_project.sh (" n " models)." > f
    print "" > f
    print "name: bench" > f
    print "version: '1.0.0'" > f
    print "config-version: 2" > f
    print "" > f
    print "model-paths: [\"models\"]" > f
    print "macro-paths: [\"macros\"]" > f
    print "target-path: \"target\"" > f
    print "clean-targets: [\"target\"]" > f
    print "" > f
    print "vars:" > f
    print "  bench_large_amount_cents: 50000" > f
    print "  bench_statuses: ['new', 'active', 'closed']" > f
    print "" > f
    print "models:" > f
    print "  bench:" > f
    print "    +materialized: table" > f
    print "    +tags: ['bench']" > f
    ndomains = int((nfolders + 3) / 4)
    for (d = 0; d < ndomains; d++) {
        printf "    domain_%02d:\n", d > f
        printf "      +tags: ['domain_%02d']\n", d > f
        print "      layer_1:" > f
        print "        +tags: ['staging']" > f
    }
    close(f)

    # ----------------------------------------------------------------- macros
    f = out "/macros/cents_to_dollars.sql"
    print "{#- Converts an integer amount in cents into a decimal amount. -#}" > f
    print "{% macro cents_to_dollars(column_name, scale=2) -%}" > f
    print "    cast({{ column_name }} / 100 as decimal(18, {{ scale }}))" > f
    print "{%- endmacro %}" > f
    close(f)

    f = out "/macros/status_flags.sql"
    print "{#- One 0/1 column per status: is_<status>. -#}" > f
    print "{% macro status_flags(statuses, column_name='status') -%}" > f
    print "    {%- for s in statuses %}" > f
    print "    case when {{ column_name }} = '{{ s }}' then 1 else 0 end as is_{{ s }}{% if not loop.last %},{% endif %}" > f
    print "    {%- endfor %}" > f
    print "{%- endmacro %}" > f
    close(f)

    # ---------------------------------------------------------------- sources
    f = out "/models/sources.yml"
    print "version: 2" > f
    print "" > f
    print "sources:" > f
    print "  - name: bench_raw" > f
    print "    description: Raw tables; each one is the relation built by a root model." > f
    print "    schema: main" > f
    print "    tables:" > f
    nsrc = 0
    for (i = 2; i <= nroots; i += 2) {
        nsrc++
        printf "      - name: raw_%0" width "d\n", i > f
        print "        identifier: " name[i - 1] > f
        print "        description: Raw " entities[(i - 1) % 12 + 1] " records loaded by the ingestion job." > f
        print "        columns:" > f
        print "          - name: id" > f
        print "            description: Primary key of the raw record." > f
        print "            data_tests:" > f
        print "              - unique" > f
        print "              - not_null" > f
    }
    if (nsrc == 0) print "      []" > f
    close(f)

    # ----------------------------------------------------------------- models
    schema = ""
    for (i = 1; i <= n; i++) {
        dir = folder_of(i)
        layer = layer_of(i)
        dom = domain_of(i)
        ent = entities[i % 12 + 1]
        mf = out "/" dir "/" name[i] ".sql"

        # Pick the upstream models: the first from the 300 models just before
        # this one, the others from anywhere earlier; all distinct.
        nref = 0
        if (i > nroots) {
            want = 1 + rnd(3)
            if (want > i - 1) want = i - 1
            span = i - 1 < 300 ? i - 1 : 300
            refs[1] = i - 1 - rnd(span)
            nref = 1
            tries = 0
            while (nref < want && tries < 20) {
                cand = 1 + rnd(i - 1)
                tries++
                dup = 0
                for (r = 1; r <= nref; r++) if (refs[r] == cand) dup = 1
                if (!dup) refs[++nref] = cand
            }
        }

        # ---- header: config, depends_on, set
        if (variant == "views90" ? i % 10 != 0 : variant == "mixed" && i % 5 == 0)
            print "{{ config(materialized='view', tags=['hourly']) }}" > mf
        else if (i % 7 == 0)
            printf "{{ config(materialized='table', tags=['finance', 'domain_%02d']) }}\n", dom > mf
        if (i <= nroots && i % 2 == 0)
            print "-- depends_on: {{ ref('" name[i - 1] "') }}" > mf
        if (i % 4 == 0)
            print "{% set statuses = var('bench_statuses') %}" > mf
        else
            print "{% set statuses = ['new', 'active', 'closed'] %}" > mf
        print "" > mf
        if (i <= nroots && i % 2 == 1)
            print "-- " name[i] ": literal " ent " rows for domain " sprintf("%02d", dom) "." > mf
        else if (i <= nroots)
            print "-- " name[i] ": " ent " rows read from the bench_raw source." > mf
        else
            print "-- " name[i] ": " layer_words[layer] " " ent " model combining " nref " upstream model" (nref > 1 ? "s" : "") "." > mf
        print "" > mf

        # ---- the base CTE
        print "with base as (" > mf
        if (i <= nroots && i % 2 == 1) {
            print "    select" > mf
            print "        cast(id as integer) as id," > mf
            print "        cast(account_id as integer) as account_id," > mf
            print "        status," > mf
            print "        cast(event_date as date) as event_date," > mf
            print "        cast(amount_cents as bigint) as amount_cents" > mf
            print "    from (" > mf
            print "        values" > mf
            rows = 8 + rnd(5)
            id = 0
            for (r = 1; r <= rows; r++) {
                id += 1 + rnd(3)
                printf "            (%d, %d, '%s', '2021-%02d-%02d', %d)%s\n", id, 1000 + rnd(50), statuses[1 + rnd(3)], 1 + rnd(12), 1 + rnd(28), 100 + rnd(99900), (r < rows ? "," : "") > mf
            }
            print "    ) as t(id, account_id, status, event_date, amount_cents)" > mf
        } else {
            print "    select id, account_id, status, event_date, amount_cents" > mf
            if (i <= nroots)
                printf "    from {{ source('bench_raw', 'raw_%0" width "d') }}\n", i > mf
            else
                print "    from {{ ref('" name[refs[1]] "') }}" > mf
        }
        print ")," > mf
        print "" > mf

        # ---- one CTE per further upstream model, then the join
        for (r = 2; r <= nref; r++) {
            print "upstream_" (r - 1) " as (" > mf
            print "    select id, amount_cents" > mf
            print "    from {{ ref('" name[refs[r]] "') }}" > mf
            print ")," > mf
            print "" > mf
        }
        print "joined as (" > mf
        print "    select" > mf
        print "        base.id, base.account_id, base.status, base.event_date," > mf
        if (nref <= 1)
            print "        base.amount_cents" > mf
        else {
            line = "        greatest(base.amount_cents"
            for (r = 2; r <= nref; r++)
                line = line ", coalesce(upstream_" (r - 1) ".amount_cents, 0)"
            print line ") as amount_cents" > mf
        }
        print "    from base" > mf
        for (r = 2; r <= nref; r++)
            print "    left join upstream_" (r - 1) " on base.id = upstream_" (r - 1) ".id" > mf
        print ")" > mf
        print "" > mf

        # ---- the final select: macros, var(), and a for loop
        print "select" > mf
        print "    id, account_id, status, event_date, amount_cents," > mf
        print "    {{ cents_to_dollars('amount_cents') }} as amount," > mf
        print "    amount_cents >= {{ var('bench_large_amount_cents') }} as is_large," > mf
        print "    {{ status_flags(statuses) }}," > mf
        print "    {% for s in statuses -%}" > mf
        print "    case when status = '{{ s }}' then amount_cents else 0 end as {{ s }}_amount_cents" > mf
        print "    {%- if not loop.last %},{% endif %}" > mf
        print "    {% endfor %}" > mf
        print "from joined" > mf
        print "where event_date >= cast('{{ var(\"bench_start_date\", \"2020-01-01\") }}' as date)" > mf
        close(mf)

        # ---- schema.yml: one per folder
        if (dir != schema_dir) {
            if (schema != "") close(schema)
            schema_dir = dir
            schema = out "/" dir "/schema.yml"
            print "version: 2" > schema
            print "" > schema
            print "models:" > schema
        }
        s = schema
        if (i <= nroots && i % 2 == 1)
            desc = "Root model with literal " ent " rows for domain " sprintf("%02d", dom) "."
        else if (i <= nroots)
            desc = "Root model reading " ent " from the bench_raw source."
        else
            desc = "Layer " layer " (" layer_words[layer] ") " ent " model in domain " sprintf("%02d", dom) ", built from " nref " upstream model" (nref > 1 ? "s" : "") "."
        print "  - name: " name[i] > s
        print "    description: " desc > s
        print "    columns:" > s
        print "      - name: id" > s
        print "        description: Primary key; unique within the model." > s
        print "        data_tests:" > s
        print "          - unique" > s
        print "          - not_null" > s
        if (nref >= 1 && variant == "mixed") {
            print "          - relationships:" > s
            print "              to: ref('" name[refs[1]] "')" > s
            print "              field: id" > s
        }
        if (i % 2 == 0) {
            print "      - name: account_id" > s
            print "        description: Account the record belongs to." > s
        }
        print "      - name: status" > s
        print "        description: Lifecycle status of the record." > s
        if (variant == "mixed") {
            print "        data_tests:" > s
            print "          - accepted_values:" > s
            print "              values: ['new', 'active', 'closed']" > s
        }
        print "      - name: event_date" > s
        print "        description: Date of the event the record describes." > s
        if (variant == "mixed") {
            print "        data_tests:" > s
            print "          - not_null" > s
        }
        if (i % 3 == 0) {
            print "      - name: amount" > s
            print "        description: Amount in dollars, converted from cents." > s
        }
    }
    if (schema != "") close(schema)
}
AWK
)

case ${BENCH_VARIANT:-mixed} in
    mixed | tables | views90) ;;
    *) echo "$0: BENCH_VARIANT must be mixed, tables or views90" >&2; exit 2 ;;
esac
export BENCH_N="$n" BENCH_OUT="$out" BENCH_VARIANT="${BENCH_VARIANT:-mixed}"
(cd "$out" && BENCH_MODE=dirs awk "$prog" </dev/null | xargs mkdir -p)
BENCH_MODE=files awk "$prog" </dev/null
