#!/usr/bin/env bash
# YAML values with Jinja render natively as dbt-common's quoted_native_concat renders them: one
# {{ expression }} is its value, and a string stays a string ('007' and 'true' from var() are not
# read as literals); several nodes are their text; a constant Jinja folds when it compiles
# ({{ 1 }}, {{ true }}, {{ [1, 1] | sum }}) is text as well; as_native and as_number read a literal as
# Python's literal_eval does. The expected meta is what Jinja2 3.1.6 with dbt-common's
# quoted_native_concat gives (and dbt-core's tests/unit/clients/test_jinja.py table agrees).
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/nr/models" && cd "$WORK/nr"
cat >dbt_project.yml <<'EOS'
name: nr
profile: nr
vars:
  s: "007"
  n: 5
  t: "true"
  h: "100"
  l: [1, 2]
EOS
echo "select 1 as id" >models/m.sql
cat >models/m.yml <<'EOS'
models:
  - name: m
    config:
      meta:
        a: "{{ var('s') }}"
        b: "{{ 1 }}"
        c: "{{ var('n') }}"
        d: "{{ var('s') }}{{ var('s') }}"
        e: "{{ var('h') | as_native }}"
        f: "{{ true }}"
        g: "{{ var('t') }}"
        h: "'{{ 1 }}'"
        i: |
          {{ var('n') }}
        j: "{{ [1, 2] }}"
        k: "{{ var('l') }}"
        l: "{% if true %}false{% endif %}"
        m: "{{ none | as_native }}"
        n: "{{ var('h') | as_number }}"
        o: "{{ var('s') | as_native }}"
        p: "{{ var('n') > 3 }}"
        q: "{{ [1, 1] | sum }}"
        r: "{{ 1 is number }}"
        s: "{{ var('n') | string }}"
        t: "{{ [1, 2] | map('string') | list }}"
        u: "{{ 1 + 1 }}"
        v: "{{ var('n') + 1 }}"
EOS

run parse
expect_rc 0 "the project parses"
expect_json target/manifest.json '.nodes["model.nr.m"].config.meta' \
	'{"a":"007","b":"1","c":5,"d":"007007","e":100,"f":"True","g":"true","h":"'"'1'"'","i":5,"j":"[1, 2]","k":[1,2],"l":"false","m":null,"n":100,"o":"007","p":true,"q":"2","r":"True","s":"5","t":["1","2"],"u":"2","v":6}' \
	"each value is what dbt's native rendering gives"
done_testing
