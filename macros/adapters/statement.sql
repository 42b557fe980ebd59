{#-
  statement(): runs the SQL of its call block. With a name, the result is kept for
  load_result(name); the 'main' statement is the node's own SQL, written to target/run/.
-#}
{%- macro statement(name=none, fetch_result=false, auto_begin=true, language='sql') -%}
  {%- if execute -%}
    {%- set sql_text = caller() -%}
    {%- if name == 'main' -%}
      {{ write(sql_text) }}
    {%- endif -%}
    {%- set response, table = adapter.execute(sql_text, auto_begin=auto_begin, fetch=fetch_result) -%}
    {%- if name is not none -%}
      {{ store_result(name, response=response, agate_table=table) }}
    {%- endif -%}
  {%- endif -%}
{%- endmacro %}

{% macro run_query(sql) %}
  {% call statement('run_query_statement', fetch_result=true, auto_begin=false) %}{{ sql }}{% endcall %}
  {% do return(load_result('run_query_statement').table) %}
{% endmacro %}

{#- hooks marked transaction: false (before_begin / after_commit) run outside the transaction:
    materializations call run_hooks once with inside_transaction=False and once with True -#}
{% macro run_hooks(hooks, inside_transaction=true) %}
  {% for hook in hooks %}
    {%- set hook_sql = hook.sql if hook is mapping else hook -%}
    {%- set hook_tx = hook.transaction if hook is mapping and hook.transaction is not none and hook.transaction is defined else true -%}
    {%- if hook_sql and hook_sql | trim and (not not hook_tx) == (not not inside_transaction) -%}
      {#- rendered before the statement, as dbt does: its context_macro_stack ends with run_hooks -#}
      {%- set rendered = render(hook_sql) -%}
      {% call statement(auto_begin=inside_transaction) %}{{ rendered }}{% endcall %}
    {%- endif -%}
  {% endfor %}
{% endmacro %}

{% macro make_hook_config(sql, inside_transaction) %}
  {{ return({'sql': sql, 'transaction': inside_transaction}) }}
{% endmacro %}

{% macro before_begin(sql) %}{{ return(make_hook_config(sql, inside_transaction=False)) }}{% endmacro %}
{% macro in_transaction(sql) %}{{ return(make_hook_config(sql, inside_transaction=True)) }}{% endmacro %}
{% macro after_commit(sql) %}{{ return(make_hook_config(sql, inside_transaction=False)) }}{% endmacro %}
