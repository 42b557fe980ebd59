#!/usr/bin/env bash
# Under a test path, generic/ holds generic test definitions and fixtures/ holds unit test
# fixtures: neither is read as a singular data test, in the root project or in a package.
. "$(dirname "$0")/lib.sh"

P="$WORK/pkg"
mkdir -p "$P/tests/fixtures" "$P/tests/generic" "$P/models"
printf 'name: pkg\n' >"$P/dbt_project.yml"
echo "select 1 as one" >"$P/models/pkg_model.sql"
echo "select 1 as id" >"$P/tests/fixtures/pkg_fixture.sql"
echo "select * from {{ ref('pkg_model') }} where one <> 1" >"$P/tests/pkg_singular.sql"
mkdir -p "$WORK/p/models" "$WORK/p/tests/fixtures" "$WORK/p/tests/generic" "$WORK/p/tests/sub/fixtures"
cd "$WORK/p" || exit 2
printf 'name: p\n' >dbt_project.yml
printf 'packages:\n  - local: ../pkg\n' >packages.yml
echo "select 1 as id" >models/m.sql
echo "select 1 as id, 'x' as name" >tests/fixtures/m_fixture.sql
printf 'id\n1\n' >tests/fixtures/m_fixture.csv
echo "{% test is_one(model, column_name) %}select * from {{ model }} where {{ column_name }} <> 1{% endtest %}" \
	>tests/generic/is_one.sql
echo "select * from {{ ref('m') }} where id <> 1" >tests/real_singular.sql
echo "select * from {{ ref('m') }} where id <> 1" >tests/sub/fixtures/deeper.sql
cat >models/schema.yml <<'YML'
models:
  - name: m
    columns:
      - name: id
        data_tests: [is_one]
unit_tests:
  - name: m_from_fixture
    model: m
    given: []
    expect:
      format: sql
      fixture: m_fixture
YML
run deps
expect_rc 0 "deps"
run ls --resource-type test --output name
expect_rc 0 "ls"
expect_out "real_singular" "a singular test is read"
expect_out "deeper" "fixtures/ deeper down is no fixture folder (dbt looks at the first folder only)"
expect_out "pkg_singular" "a package's singular test is read"
expect_out "is_one_m_id" "the generic test applies"
expect_no_out "m_fixture" "a fixture is no singular test"
expect_no_out "pkg_fixture" "nor is a package's"
expect_no_out "test.p.is_one " "a generic test definition is no singular test"

done_testing
