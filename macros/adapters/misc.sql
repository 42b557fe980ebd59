{#- Small helpers of dbt's global project: previews, SQL validation, grants, timestamps, configs
    and date ranges. Each public macro that dbt dispatches dispatches here too. -#}

{#- the query `show` runs: the node's SQL under a limit -#}
{% macro get_show_sql(compiled_code, sql_header, limit) -%}
  {%- if sql_header is not none -%}{{ sql_header }}{%- endif %}
  {% if limit is not none -%}
  {{ get_limit_subquery_sql(compiled_code, limit) }}
  {%- else -%}
  {{ compiled_code }}
  {%- endif -%}
{%- endmacro %}

{% macro get_limit_subquery_sql(sql, limit) -%}
  {{ adapter.dispatch('get_limit_sql', 'dbt')(sql, limit) }}
{%- endmacro %}

{% macro default__get_limit_sql(sql, limit) -%}
  {{ sql }}
  {% if limit is not none -%}
  limit {{ limit }}
  {%- endif -%}
{%- endmacro %}

{#- runs a query to check it (an explain, where the database has one) -#}
{% macro validate_sql(sql) -%}
  {{ return(adapter.dispatch('validate_sql', 'dbt')(sql)) }}
{%- endmacro %}

{% macro default__validate_sql(sql) -%}
  {%- call statement('validate_sql') -%}
    explain {{ sql }}
  {%- endcall -%}
  {{ return(load_result('validate_sql')) }}
{%- endmacro %}

{% macro get_true_sql() -%}
  {{ return(adapter.dispatch('get_true_sql', 'dbt')()) }}
{%- endmacro %}

{% macro default__get_true_sql() -%}
  {{ return('TRUE') }}
{%- endmacro %}

{#- the sql_header config, written before a model's statement -#}
{% macro set_sql_header(config) -%}
  {{ config.set('sql_header', caller()) }}
{%- endmacro %}

{#- statements that do nothing but report a status, for materializations that skip their work -#}
{% macro noop_statement(name=none, message=none, code=none, rows_affected=none, res=none) -%}
  {%- set sql = caller() -%}
  {%- if name == 'main' -%}
    {{ write(sql) }}
  {%- endif -%}
  {%- if name is not none -%}
    {{ store_raw_result(name, message=message, code=code, rows_affected=rows_affected, agate_table=res) }}
  {%- endif -%}
{%- endmacro %}

{#- grants (apply_grants and the SQL of each engine are in grants.sql): DuckDB has no users to
    grant to, so its apply_grants does nothing -#}
{% macro copy_grants() -%}
  {{ return(adapter.dispatch('copy_grants', 'dbt')()) }}
{%- endmacro %}

{% macro default__copy_grants() -%}
  {{ return(true) }}
{%- endmacro %}

{% macro support_multiple_grantees_per_dcl_statement() -%}
  {{ return(adapter.dispatch('support_multiple_grantees_per_dcl_statement', 'dbt')()) }}
{%- endmacro %}

{% macro default__support_multiple_grantees_per_dcl_statement() -%}
  {{ return(true) }}
{%- endmacro %}

{% macro should_revoke(existing_relation, full_refresh_mode=true) -%}
  {%- if not existing_relation -%}
    {{ return(false) }}
  {%- elif full_refresh_mode -%}
    {{ return(copy_grants()) }}
  {%- else -%}
    {{ return(true) }}
  {%- endif -%}
{%- endmacro %}

{% macro get_dcl_statement_list(relation, grant_config, get_dcl_macro) -%}
  {{ return(adapter.dispatch('get_dcl_statement_list', 'dbt')(relation, grant_config, get_dcl_macro)) }}
{%- endmacro %}

{% macro default__get_dcl_statement_list(relation, grant_config, get_dcl_macro) -%}
  {%- set statements = [] -%}
  {%- for privilege, grantees in grant_config.items() if grantees -%}
    {%- if support_multiple_grantees_per_dcl_statement() -%}
      {%- do statements.append(get_dcl_macro(relation, privilege, grantees)) -%}
    {%- else -%}
      {%- for grantee in grantees -%}
        {%- do statements.append(get_dcl_macro(relation, privilege, [grantee])) -%}
      {%- endfor -%}
    {%- endif -%}
  {%- endfor -%}
  {{ return(statements) }}
{%- endmacro %}

{% macro call_dcl_statements(dcl_statement_list) -%}
  {{ return(adapter.dispatch('call_dcl_statements', 'dbt')(dcl_statement_list)) }}
{%- endmacro %}

{% macro default__call_dcl_statements(dcl_statement_list) -%}
  {%- if dcl_statement_list -%}
    {%- call statement('grants') -%}
      {%- for dcl in dcl_statement_list %}{{ dcl }};{% endfor -%}
    {%- endcall -%}
  {%- endif -%}
{%- endmacro %}

{% macro duckdb__apply_grants(relation, grant_config, should_revoke=true) -%}
{%- endmacro %}

{#- timestamps of snapshots and of models written before current_timestamp() was portable -#}
{% macro snapshot_get_time() -%}
  {{ return(adapter.dispatch('snapshot_get_time', 'dbt')()) }}
{%- endmacro %}

{% macro default__snapshot_get_time() -%}
  {{ current_timestamp() }}
{%- endmacro %}

{#- DuckDB: a plain timestamp, as dbt-duckdb's, the type snapshots keep their times in -#}
{% macro duckdb__snapshot_get_time() -%}
  {{ current_timestamp() }}::timestamp
{%- endmacro %}

{% macro get_snapshot_get_time_data_type() -%}
  {%- set t = run_query('select ' ~ snapshot_get_time() ~ ' as snapshot_time') if execute else none -%}
  {{ return(t.columns[0].data_type | string if t is not none and t.columns | length > 0 else none) }}
{%- endmacro %}

{% macro snapshot_string_as_time(timestamp) -%}
  {{ return(adapter.dispatch('snapshot_string_as_time', 'dbt')(timestamp)) }}
{%- endmacro %}

{% macro default__snapshot_string_as_time(timestamp) -%}
  {{ return("'" ~ timestamp ~ "'::timestamp") }}
{%- endmacro %}

{% macro current_timestamp_backcompat() -%}
  {{ return(adapter.dispatch('current_timestamp_backcompat', 'dbt')()) }}
{%- endmacro %}

{% macro default__current_timestamp_backcompat() -%}
  current_timestamp::timestamp
{%- endmacro %}

{% macro current_timestamp_in_utc_backcompat() -%}
  {{ return(adapter.dispatch('current_timestamp_in_utc_backcompat', 'dbt')()) }}
{%- endmacro %}

{% macro default__current_timestamp_in_utc_backcompat() -%}
  {{ return(adapter.dispatch('current_timestamp_backcompat', 'dbt')()) }}
{%- endmacro %}

{#- Python datetime helpers of the global project -#}
{% macro convert_datetime(date_str, date_fmt) -%}
  {{ return(modules.datetime.datetime.strptime(date_str.strip(), date_fmt)) }}
{%- endmacro %}

{% macro dates_in_range(start_date_str, end_date_str=none, in_fmt="%Y%m%d", out_fmt="%Y%m%d") -%}
  {%- set end_date_str = start_date_str if end_date_str is none else end_date_str -%}
  {%- set start_date = convert_datetime(start_date_str, in_fmt) -%}
  {%- set end_date = convert_datetime(end_date_str, in_fmt) -%}
  {%- set day_count = (end_date - start_date).days -%}
  {%- if day_count < 0 -%}
    {%- set msg -%}
      Partition start date is after the end date ({{ start_date }}, {{ end_date }})
    {%- endset -%}
    {{ exceptions.raise_compiler_error(msg, model) }}
  {%- endif -%}
  {%- set date_list = [] -%}
  {%- for i in range(0, day_count + 1) -%}
    {%- set the_date = (modules.datetime.timedelta(days=i) + start_date) -%}
    {%- if not out_fmt -%}
      {%- do date_list.append(the_date) -%}
    {%- else -%}
      {%- do date_list.append(the_date.strftime(out_fmt)) -%}
    {%- endif -%}
  {%- endfor -%}
  {{ return(date_list) }}
{%- endmacro %}

{% macro partition_range(raw_partition_date, date_fmt='%Y%m%d') -%}
  {%- set partition_range = (raw_partition_date | string).split(",") -%}
  {%- if (partition_range | length) == 1 -%}
    {%- set start_date = partition_range[0] -%}
    {%- set end_date = none -%}
  {%- elif (partition_range | length) == 2 -%}
    {%- set start_date = partition_range[0] -%}
    {%- set end_date = partition_range[1] -%}
  {%- else -%}
    {{ exceptions.raise_compiler_error("Invalid partition time. Expected format: {Start Date}[,{End Date}]. Got: " ~ raw_partition_date) }}
  {%- endif -%}
  {{ return(dates_in_range(start_date, end_date, in_fmt=date_fmt)) }}
{%- endmacro %}

{% macro py_current_timestring() -%}
  {%- set dt = modules.datetime.datetime.now() -%}
  {% do return(dt.strftime("%Y%m%d%H%M%S%f")) %}
{%- endmacro %}
