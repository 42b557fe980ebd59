{#- Date arithmetic, written for DuckDB's (and PostgreSQL-like) SQL -#}
{% macro dateadd(datepart, interval, from_date_or_timestamp) %}
  {{ return(adapter.dispatch('dateadd', 'dbt')(datepart, interval, from_date_or_timestamp)) }}
{% endmacro %}
{% macro default__dateadd(datepart, interval, from_date_or_timestamp) -%}
  dateadd({{ datepart }}, {{ interval }}, {{ from_date_or_timestamp }})
{%- endmacro %}
{% macro duckdb__dateadd(datepart, interval, from_date_or_timestamp) -%}
  ({{ from_date_or_timestamp }} + (interval '1 {{ datepart }}' * ({{ interval }})))
{%- endmacro %}

{% macro datediff(first_date, second_date, datepart) %}
  {{ return(adapter.dispatch('datediff', 'dbt')(first_date, second_date, datepart)) }}
{% endmacro %}
{% macro default__datediff(first_date, second_date, datepart) -%}
  datediff({{ datepart }}, {{ first_date }}, {{ second_date }})
{%- endmacro %}
{% macro duckdb__datediff(first_date, second_date, datepart) -%}
  date_diff('{{ datepart }}', cast({{ first_date }} as timestamp), cast({{ second_date }} as timestamp))
{%- endmacro %}

{% macro date_trunc(datepart, date) %}
  {{ return(adapter.dispatch('date_trunc', 'dbt')(datepart, date)) }}
{% endmacro %}
{% macro default__date_trunc(datepart, date) -%}
  date_trunc('{{ datepart }}', {{ date }})
{%- endmacro %}

{% macro last_day(date, datepart) %}
  {{ return(adapter.dispatch('last_day', 'dbt')(date, datepart)) }}
{% endmacro %}
{% macro default__last_day(date, datepart) -%}
  {{ dbt.default_last_day(date, datepart) }}
{%- endmacro %}
{#- the day before the start of the next period; adapters with a last_day function call theirs -#}
{% macro default_last_day(date, datepart) -%}
  cast({{ dbt.dateadd('day', '-1', dbt.dateadd(datepart, '1', dbt.date_trunc(datepart, date))) }} as date)
{%- endmacro %}

{% macro date(year, month, day) %}
  {{ return(adapter.dispatch('date', 'dbt')(year, month, day)) }}
{% endmacro %}
{% macro default__date(year, month, day) -%}
  cast('{{ '%04d-%02d-%02d' % (year, month, day) }}' as date)
{%- endmacro %}
{% macro duckdb__date(year, month, day) -%}
  make_date({{ year }}, {{ month }}, {{ day }})
{%- endmacro %}

{% macro current_timestamp() %}{{ return(adapter.dispatch('current_timestamp', 'dbt')()) }}{% endmacro %}
{% macro default__current_timestamp() -%}current_timestamp{%- endmacro %}
{% macro duckdb__current_timestamp() -%}now(){%- endmacro %}

{#- A series 1..upper_bound as a query with one column, generated_number -#}
{% macro generate_series(upper_bound) %}
  {{ return(adapter.dispatch('generate_series', 'dbt')(upper_bound)) }}
{% endmacro %}
{#- portable: a cross join of 0/1 digits, one per power of two -#}
{% macro default__generate_series(upper_bound) -%}
  {%- set n = dbt.get_powers_of_two(upper_bound) -%}
  with p as (select 0 as generated_number union all select 1)
  select generated_number from (
    select {% for i in range(n) %}p{{ i }}.generated_number * {{ 2 ** i }}{% if not loop.last %} + {% endif %}{% endfor %}{% if n == 0 %}0{% endif %} + 1 as generated_number
    from {% for i in range(n) %}p as p{{ i }}{% if not loop.last %} cross join {% endif %}{% endfor %}{% if n == 0 %}(select 1) as one{% endif %}
  ) s
  where generated_number <= {{ upper_bound }}
  order by generated_number
{%- endmacro %}
{% macro duckdb__generate_series(upper_bound) -%}
  select unnest(range(1, {{ upper_bound }} + 1)) as generated_number
{%- endmacro %}

{#- the number of binary digits that count up to upper_bound -#}
{% macro get_powers_of_two(upper_bound) %}
  {{ return(adapter.dispatch('get_powers_of_two', 'dbt')(upper_bound)) }}
{% endmacro %}
{% macro default__get_powers_of_two(upper_bound) %}
  {%- if upper_bound <= 0 -%}
    {{ exceptions.raise_compiler_error("generate_series needs an upper bound above zero, got " ~ upper_bound) }}
  {%- endif -%}
  {%- set ns = namespace(p=0) -%}
  {%- for i in range(64) -%}{%- if 2 ** ns.p < upper_bound -%}{%- set ns.p = ns.p + 1 -%}{%- endif -%}{%- endfor -%}
  {{ return(ns.p) }}
{% endmacro %}

{#- Every datepart from start_date (included) to end_date (excluded), as date_<datepart> -#}
{% macro date_spine(datepart, start_date, end_date) %}
  {{ return(adapter.dispatch('date_spine', 'dbt')(datepart, start_date, end_date)) }}
{% endmacro %}
{% macro default__date_spine(datepart, start_date, end_date) -%}
select date_{{ datepart }} from (
  select {{ dbt.dateadd(datepart, 'generated_number - 1', start_date) }} as date_{{ datepart }}
  from ({{ dbt.generate_series(1000) }}) s
) spine
where date_{{ datepart }} < {{ end_date }}
{%- endmacro %}
{% macro duckdb__date_spine(datepart, start_date, end_date) -%}
select cast(d as timestamp) as date_{{ datepart }}
from unnest(range(cast({{ start_date }} as timestamp), cast({{ end_date }} as timestamp), interval '1 {{ datepart }}')) as t(d)
{%- endmacro %}
