#!/usr/bin/env bash
# depends_on.macros of models and tests lists what dbt-core 1.9 lists: every macro called at the
# top of the node's own code (not from inside another macro), recorded while parsing and again
# when the node is compiled, so a macro called only under `{% if execute %}` appears once the node
# has been compiled or run (MacroGenerator.track_call). Before, only the parse's calls were listed.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/p/models" "$WORK/p/macros" "$WORK/p/tests"
cd "$WORK/p" || exit 2
printf 'name: p\n' >dbt_project.yml
cat >macros/m.sql <<'SQL'
{% macro inner() %}1{% endmacro %}
{% macro outer() %}{{ inner() }}{% endmacro %}
{% macro only_at_run() %}2{% endmacro %}
{% macro in_test() %}0{% endmacro %}
{% test at_least(model, column_name, n) %}
select * from {{ model }} where {{ column_name }} < {{ n }}{% if execute %} and {{ in_test() }} = 0{% endif %}
{% endtest %}
SQL
cat >models/a.sql <<'SQL'
select {{ outer() }} as x{% if execute %}, {{ only_at_run() }} as y{% endif %}
SQL
cat >models/schema.yml <<'YML'
models:
  - name: a
    columns:
      - name: x
        data_tests:
          - not_null
          - at_least:
              n: 0
YML
cat >tests/singular.sql <<'SQL'
select * from {{ ref('a') }} where x < 0{% if execute %} and {{ only_at_run() }} = 2{% endif %}
SQL


run parse
expect_rc 0 "parse"
expect_json target/manifest.json '.nodes["model.p.a"].depends_on.macros' '["macro.p.outer"]' \
	"parsing lists the macros the model calls with execute false, not the ones they call"
expect_json target/manifest.json '.nodes["test.p.singular"].depends_on.macros' '[]' \
	"parsing lists no macro of a test whose only call is under execute"

run run
expect_rc 0 "run"
expect_json target/manifest.json '.nodes["model.p.a"].depends_on.macros' '["macro.p.outer","macro.p.only_at_run"]' \
	"after a run the model also lists the macro it calls only under execute, after the parse's"

run build
expect_rc 0 "build"
expect_json target/manifest.json '.nodes["model.p.a"].depends_on.macros' '["macro.p.outer","macro.p.only_at_run"]' \
	"the materialization and what it calls are not the model's"
expect_json target/manifest.json '.nodes["test.p.singular"].depends_on.macros' '["macro.p.only_at_run"]' \
	"a singular test lists the macro it calls under execute once compiled"
at=$(node -e 'const d = require(process.argv[1]); console.log(Object.keys(d.nodes).find((k) => k.startsWith("test.p.at_least_a_x__0")))' "$PWD/target/manifest.json")
expect_json target/manifest.json ".nodes[\"$at\"].depends_on.macros" '["macro.p.test_at_least","macro.dbt.get_where_subquery"]' \
	"a generic test lists its macro and get_where_subquery, not what its macro calls under execute"

run docs generate
expect_rc 0 "docs generate"
expect_json target/manifest.json '.nodes["model.p.a"].depends_on.macros' '["macro.p.outer","macro.p.only_at_run"]' \
	"docs generate compiles the nodes: their manifest has the same macros"

# a unit test renders the model's code on its own behalf: its calls do not change the model's
cat >models/unit.yml <<'YML'
unit_tests:
  - name: a_is_one
    model: a
    given: []
    expect:
      rows: [{x: 1, y: 2}]
YML
run parse
run test -s a_is_one
expect_rc 0 "unit test"
expect_json target/manifest.json '.nodes["model.p.a"].depends_on.macros' '["macro.p.outer"]' \
	"a unit test of the model does not add to the model's macros"

done_testing
