#!/usr/bin/env bash
# In on-run-end, a result's status and its node's resource_type are dbt's string enums: they
# print and compare as their value, and have .value and .name (re_data keeps the results whose
# node.resource_type.value is 'test').
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/re/models" "$WORK/re/macros" && cd "$WORK/re"
cat >dbt_project.yml <<'EOS'
name: re
profile: re
on-run-end:
  - "{{ probe(results) }}"
EOS
cat >macros/probe.sql <<'EOS'
{% macro probe(results) %}
  {% for r in results | sort(attribute='unique_id') %}
    {{ log(r.node.resource_type.value ~ '/' ~ r.node.resource_type.name ~ '/' ~ r.status.name ~ '/' ~ r.status
           ~ '/' ~ (r.status == 'pass' or r.status == 'success') ~ '/' ~ (r.node.resource_type in ['model', 'test'])
           ~ '/' ~ r.to_dict().status, info=true) }}
  {% endfor %}
{% endmacro %}
EOS
echo "select 1 as id" >models/m.sql
printf 'models:\n  - name: m\n    columns:\n      - name: id\n        data_tests: [unique]\n' >models/s.yml
run build
expect_rc 0
expect_out "model/Model/Success/success/True/True/success" "a model's result"
expect_out "test/Test/Pass/pass/True/True/pass" "a test's result"
done_testing
