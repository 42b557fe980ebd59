#!/usr/bin/env bash
# Generic test arguments are rendered natively, as dbt renders them: `model` and ref()/source()
# arguments reach the test macro as relations, "{{ ... }}" arguments as the value of the
# expression, lists stay lists, and column_name stays the text it is.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/nk/models" "$WORK/nk/tests/generic" && cd "$WORK/nk"
printf 'name: nk\nprofile: nk\nvars:\n  limit_n: 3\n' >dbt_project.yml
echo "select 1 as id union all select 2" >models/a.sql
echo "select 1 as id" >models/b.sql
cat >tests/generic/kinds.sql <<'EOS'
{% test kinds(model, column_name, other, n, names, opts, plain) %}
{%- set facts = [
    model is mapping and model.get('metadata', {}).get('type', '').endswith('Relation'),
    other is mapping and other.identifier == 'b',
    n is number and n == 3,
    names is sequence and names is not string and names | length == 2,
    opts is mapping and opts.deep is number,
    plain is string and plain == 'just text',
    column_name is string and column_name == 'id',
] -%}
select {{ loop_facts(facts) }} as failures from {{ model }} where {{ facts | reject | list | length }} > 0
{% endtest %}
{% macro loop_facts(facts) %}'{% for f in facts %}{{ 1 if f else 0 }}{% endfor %}'{% endmacro %}
EOS
cat >models/schema.yml <<'EOS'
version: 2
models:
  - name: a
    columns:
      - name: id
        tests:
          - kinds:
              other: ref('b')
              n: "{{ var('limit_n') }}"
              names: ["x", "{{ 'y' }}"]
              opts: {deep: "{{ var('limit_n') + 1 }}"}
              plain: just text
EOS
run build
expect_rc 0 "the test gets native arguments"
expect_out_re "PASS kinds_a_id_"
# what the test saw, when it fails: each fact as 1 or 0
sed -i 's/names: \["x", "{{ .y. }}"\]/names: "x"/' models/schema.yml
run build
expect_rc 1 "a string argument stays a string"
if grep -rq "'1110111'" target/compiled; then ok "the test saw every argument as dbt renders it"
else not_ok "the test saw every argument as dbt renders it" "$(grep -rh "as failures" target/compiled)"; fi
done_testing
