{#-
  test: the node's SQL selects the rows that break a rule; the test counts them with fail_calc and
  compares the count with warn_if and error_if. The runner reads the one row this returns
  (failures, should_warn, should_error) and gives the test its status. With store_failures the
  failing rows are kept in a table of the audit schema.
-#}
{%- materialization test, default -%}
  {%- set relations = [] -%}
  {%- set limit = config.get('limit') -%}
  {%- set fail_calc = config.get('fail_calc', 'count(*)') -%}
  {%- set warn_if = config.get('warn_if', '!= 0') -%}
  {%- set error_if = config.get('error_if', '!= 0') -%}
  {%- set main_sql = sql -%}

  {%- if should_store_failures() -%}
    {%- set audit = api.Relation.create(database=this.database if this.database else target.database,
                                        schema=target.schema ~ '_' ~ config.get('schema', 'dbt_test__audit'),
                                        identifier=config.get('alias', model.name), type='table') -%}
    {% do adapter.create_schema(audit) %}
    {% call statement('store_failures') -%}
      create or replace table {{ audit }} as (
        {{ main_sql }}
      )
    {%- endcall %}
    {%- do relations.append(audit) -%}
    {%- set main_sql = 'select * from ' ~ audit -%}
  {%- endif -%}

  {% call statement('main', fetch_result=True) -%}
    {{ get_test_sql(main_sql, fail_calc, warn_if, error_if, limit) }}
  {%- endcall %}

  {{ return({'relations': relations}) }}
{%- endmaterialization -%}

{% macro get_test_sql(main_sql, fail_calc, warn_if, error_if, limit) -%}
  {{ adapter.dispatch('get_test_sql', 'dbt')(main_sql, fail_calc, warn_if, error_if, limit) }}
{%- endmacro %}

{% macro default__get_test_sql(main_sql, fail_calc, warn_if, error_if, limit) -%}
select
    {{ fail_calc }} as failures,
    {{ fail_calc }} {{ warn_if }} as should_warn,
    {{ fail_calc }} {{ error_if }} as should_error
from (
    {{ main_sql }}
    {{ 'limit ' ~ limit if limit is not none }}
) dbt_internal_test
{%- endmacro %}

{#- The model a generic test reads, narrowed by the test's `where` config -#}
{% macro get_where_subquery(relation) -%}
  {{ return(adapter.dispatch('get_where_subquery', 'dbt')(relation)) }}
{%- endmacro %}

{% macro default__get_where_subquery(relation) -%}
  {%- set where = config.get('where') -%}
  {%- if where -%}
    {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') -%}
  {%- else -%}
    {%- do return(relation) -%}
  {%- endif -%}
{%- endmacro %}

{% macro should_store_failures() -%}
  {%- set flag = config.get('store_failures') -%}
  {%- if flag is none -%}{%- set flag = flags.STORE_FAILURES if flags is defined else false -%}{%- endif -%}
  {{ return(flag) }}
{%- endmacro %}
