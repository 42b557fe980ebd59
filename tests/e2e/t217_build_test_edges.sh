#!/usr/bin/env bash
# In build, a test gates a node when every node the test depends on is upstream of it (dbt's
# add_test_edges): a test on a runs before b and c; a relationships test or a singular test over
# a and c gates only what is below both, never b between them, so there is no false cycle.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/te/models" "$WORK/te/tests" && cd "$WORK/te"
printf 'name: te\nprofile: te\n' >dbt_project.yml
echo "select 1 as id" >models/a.sql
echo "select id from {{ ref('a') }}" >models/b.sql
echo "select id from {{ ref('b') }}" >models/c.sql
echo "select id from {{ ref('c') }}" >models/d.sql
echo "select id from {{ ref('a') }}" >models/e.sql
cat >models/schema.yml <<'EOS'
version: 2
models:
  - name: a
    columns:
      - name: id
        tests: [unique]
  - name: c
    columns:
      - name: id
        tests:
          - relationships:
              to: ref('a')
              field: id
EOS
cat >tests/a_and_c_agree.sql <<'EOS'
select a.id from {{ ref('a') }} a left join {{ ref('c') }} c on a.id = c.id where c.id is null
EOS
run build
expect_rc 0 "build orders tests over two models without a false cycle"
expect_no_out "cycle"
line() { grep -n "$1" "$OUT" | grep "START" | head -1 | cut -d: -f1; }
if [ "$(line 'test unique_a_id')" -lt "$(line 'model main.b')" ] && [ "$(line 'test unique_a_id')" -lt "$(line 'model main.e')" ]; then
	ok "a test on a runs before the models below a"
else not_ok "a test on a runs before the models below a" "$(cat "$OUT")"; fi
if [ "$(line 'a_and_c_agree')" -lt "$(line 'model main.d')" ] && [ "$(line 'relationships_c_id')" -lt "$(line 'model main.d')" ]; then
	ok "tests over a and c run before d, below both"
else not_ok "tests over a and c run before d, below both" "$(cat "$OUT")"; fi

# a failing test over a and c skips d only
echo "select a.id from {{ ref('a') }} a, {{ ref('c') }} c" >tests/a_and_c_agree.sql
run build
expect_rc 1 "a failing two-model test fails the build"
expect_out_re "SKIP relation main\.d"
expect_no_out "SKIP relation main.b"
expect_no_out "SKIP relation main.c"
expect_no_out "SKIP relation main.e"
done_testing
