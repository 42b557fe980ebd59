#!/usr/bin/env bash
# Ephemeral models: nested and diamond-shaped refs become one flat WITH list with each CTE once,
# merged with the model's own WITH (RECURSIVE, after comments); tests and show on ephemerals.
# Materializations of a project's own: the adapter's one wins over the default one, and a project
# overrides a built-in one.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/ep/models" "$WORK/ep/tests" && cd "$WORK/ep"
printf 'name: ep\nprofile: ep\nmodels:\n  ep:\n    eph:\n      +materialized: ephemeral\n' >dbt_project.yml
mkdir -p models/eph
echo "select 1 as x union all select 2" >models/eph/e1.sql
echo "with q as (select x * 10 as x from {{ ref('e1') }}) select * from q" >models/eph/e2.sql
echo "select a.x + b.x as x from {{ ref('e1') }} a join {{ ref('e2') }} b on a.x * 10 = b.x" >models/eph/e3.sql
cat >models/top.sql <<'EOS'
{{ config(materialized='table') }}
-- a comment before the model's own WITH
/* and another */ with recursive r(n) as (select 1 union all select n + 1 from r where n < 2)
select e3.x, r.n, (select count(*) from {{ ref('e1') }}) as n1
from {{ ref('e3') }} e3 join r on true join {{ ref('e3') }} again on again.x = e3.x
EOS
cat >models/props.yml <<'EOS'
models:
  - name: e3
    columns:
      - name: x
        tests: [unique, not_null]
EOS
echo "select * from {{ ref('e2') }} where x not in (10, 20)" >tests/e2_values.sql
run build
expect_rc 0 "a project of nested ephemerals builds"
expect_out "PASS unique_e3_x"
expect_out "PASS e2_values"
expect_query "select x, n, n1 from top order by x, n" "11|1|2
11|2|2
22|1|2
22|2|2"
for cte in e1 e2 e3; do
	c=$(grep -c "__dbt__cte__$cte as (" target/compiled/ep/models/top.sql)
	if [ "$c" = 1 ]; then ok "the CTE of $cte is written once"; else not_ok "the CTE of $cte is written once" "$(cat target/compiled/ep/models/top.sql)"; fi
done
# dbt puts the CTEs after the keyword and the blank that follows it (inject_ctes_into_sql)
if grep -A1 -n "__dbt__cte__e1 as" target/compiled/ep/models/top.sql | head -1 | grep -q "recursive  __dbt__cte__e1"; then
	ok "the CTEs go after the model's WITH RECURSIVE"; else not_ok "the CTEs go after the model's WITH RECURSIVE" "$(cat target/compiled/ep/models/top.sql)"; fi
e1_at=$(grep -n "__dbt__cte__e1 as" target/compiled/ep/models/top.sql | cut -d: -f1)
e3_at=$(grep -n "__dbt__cte__e3 as" target/compiled/ep/models/top.sql | cut -d: -f1)
if [ "$e1_at" -lt "$e3_at" ]; then ok "a CTE comes before the CTEs that use it"; else not_ok "a CTE comes before the CTEs that use it"; fi
expect_query "select count(*) from information_schema.tables where table_name like 'e_'" "0" "ephemeral models are never built"
expect_query "select sum(x) from {{ ref('e3') }}" "33" "show on an ephemeral model"

# materializations of the project's own
mkdir -p "$WORK/om/models" "$WORK/om/macros" && cd "$WORK/om"
printf 'name: om\nprofile: om\n' >dbt_project.yml
cat >macros/mats.sql <<'EOS'
{% materialization stamped, default %}
  {% call statement('main') %}create or replace table {{ this }} as select 'default' as who, * from ({{ sql }}){% endcall %}
  {{ return({'relations': [this]}) }}
{% endmaterialization %}
{% materialization stamped, adapter='duckdb' %}
  {%- set target_relation = this.incorporate(type='table') -%}
  {% call statement('main') %}create or replace table {{ target_relation }} as select '{{ adapter.type() }}' as who, * from ({{ sql }}){% endcall %}
  {{ adapter.commit() }}
  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
{% materialization view, adapter='duckdb' %}
  {% call statement('main') %}create or replace view {{ this }} as select 'overridden' as how, * from ({{ sql }}){% endcall %}
  {{ return({'relations': [this]}) }}
{% endmaterialization %}
EOS
echo "{{ config(materialized='stamped') }} select 1 as id" >models/s.sql
echo "select 2 as id" >models/v.sql
run run
expect_rc 0 "project materializations run"
expect_out "OK created sql stamped model main.s"
expect_query "select who, id from s" "duckdb|1" "the adapter's materialization wins over the default one"
expect_query "select how, id from v" "overridden|2" "a project overrides a built-in materialization"
expect_json target/run_results.json '.results.find(r => r.unique_id == "model.om.s").status' success

done_testing
