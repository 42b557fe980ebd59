#!/usr/bin/env bash
# An exposure's depends_on is rendered with dbt's own ref and source (generate_parse_exposure has
# nothing else): a project's ref() override is neither called there nor recorded among the
# exposure's macros, while a model's ref() still goes through it. A name it cannot find is an
# error at its depends_on item.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/ex/models" "$WORK/ex/macros" && cd "$WORK/ex"
printf 'name: ex\nprofile: ex\n' >dbt_project.yml
cat >macros/ref.sql <<'EOS'
{% macro ref(name) %}{% do log('override for ' ~ name, info=True) %}{% do return(builtins.ref(name)) %}{% endmacro %}
EOS
echo "select 1 as id" >models/m.sql
echo "select * from {{ ref('m') }}" >models/n.sql
cat >models/e.yml <<'EOS'
exposures:
  - name: dash
    type: dashboard
    owner: {email: a@example.com}
    depends_on:
      - ref('n')
EOS
run parse
expect_rc 0 "the project parses"
expect_json target/manifest.json '.exposures["exposure.ex.dash"].depends_on' '{"macros":[],"nodes":["model.ex.n"]}' \
	"the exposure's parents, and no macro"
expect_json target/manifest.json '.nodes["model.ex.n"].depends_on.macros' '["macro.ex.ref"]' \
	"the model's ref() is the project's override"
expect_out "override for m" "the override ran for the model"
expect_no_out "override for n" "and not for the exposure"
sed -i "s/ref('n')/ref('nope')/" models/e.yml
run parse
expect_rc 2 "an exposure on a missing model"
expect_err "models/e.yml:6:9: error: exposure 'dash' depends on a node named 'nope' which was not found" \
	"the error is at the depends_on item of the properties file"
done_testing
