{#- The cross-database macros in PostgreSQL's SQL, where the defaults do not fit it -#}

{#- PostgreSQL's intervals know no quarter: three months -#}
{% macro postgres__dateadd(datepart, interval, from_date_or_timestamp) -%}
  {%- set unit = "interval '3 month'" if datepart | lower == 'quarter' else "interval '1 " ~ datepart ~ "'" -%}
  ({{ from_date_or_timestamp }} + (({{ unit }}) * ({{ interval }})))
{%- endmacro %}

{#- Whole boundaries crossed between the two dates, as dbt counts them on every engine, as an integer -#}
{% macro postgres__datediff(first_date, second_date, datepart) -%}
  cast({{ postgres_datediff_expr(first_date, second_date, datepart) }} as bigint)
{%- endmacro %}

{% macro postgres_datediff_expr(first_date, second_date, datepart) -%}
  {%- set a = 'cast(' ~ first_date ~ ' as timestamp)' -%}
  {%- set b = 'cast(' ~ second_date ~ ' as timestamp)' -%}
  {%- set days = '(cast(' ~ b ~ ' as date) - cast(' ~ a ~ ' as date))' -%}
  {%- if datepart == 'year' -%}
    (date_part('year', {{ b }}) - date_part('year', {{ a }}))
  {%- elif datepart == 'quarter' -%}
    ((date_part('year', {{ b }}) - date_part('year', {{ a }})) * 4 + date_part('quarter', {{ b }}) - date_part('quarter', {{ a }}))
  {%- elif datepart == 'month' -%}
    ((date_part('year', {{ b }}) - date_part('year', {{ a }})) * 12 + date_part('month', {{ b }}) - date_part('month', {{ a }}))
  {%- elif datepart == 'day' -%}
    {{ days }}
  {%- elif datepart == 'week' -%}
    ({{ days }} / 7 + case
        when date_part('dow', {{ a }}) <= date_part('dow', {{ b }}) then
          case when {{ a }} <= {{ b }} then 0 else -1 end
        else
          case when {{ a }} <= {{ b }} then 1 else 0 end
      end)
  {%- elif datepart == 'hour' -%}
    ({{ days }} * 24 + date_part('hour', {{ b }}) - date_part('hour', {{ a }}))
  {%- elif datepart == 'minute' -%}
    (({{ days }} * 24 + date_part('hour', {{ b }}) - date_part('hour', {{ a }})) * 60 + date_part('minute', {{ b }}) - date_part('minute', {{ a }}))
  {%- elif datepart == 'second' -%}
    ((({{ days }} * 24 + date_part('hour', {{ b }}) - date_part('hour', {{ a }})) * 60 + date_part('minute', {{ b }}) - date_part('minute', {{ a }})) * 60 + floor(date_part('second', {{ b }})) - floor(date_part('second', {{ a }})))
  {%- elif datepart in ['millisecond', 'microsecond'] -%}
    {%- set per = 1000 if datepart == 'millisecond' else 1000000 -%}
    (floor(extract(epoch from {{ b }}) * {{ per }}) - floor(extract(epoch from {{ a }}) * {{ per }}))
  {%- else -%}
    {{ exceptions.raise_compiler_error("datediff: unsupported datepart '" ~ datepart ~ "' on postgres") }}
  {%- endif -%}
{%- endmacro %}

{% macro postgres__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
  {%- if limit_num -%}
    array_to_string((array_agg(cast({{ measure }} as text){% if order_by_clause %} {{ order_by_clause }}{% endif %}))[1:{{ limit_num }}], {{ delimiter_text }})
  {%- else -%}
    string_agg(cast({{ measure }} as text), {{ delimiter_text }}{% if order_by_clause %} {{ order_by_clause }}{% endif %})
  {%- endif -%}
{%- endmacro %}

{#- any_value() arrives in PostgreSQL 16 -#}
{% macro postgres__any_value(expression) -%}min({{ expression }}){%- endmacro %}

{% macro postgres__generate_series(upper_bound) -%}
  select generated_number from generate_series(1, {{ upper_bound }}) as s(generated_number)
{%- endmacro %}

{% macro postgres__date_spine(datepart, start_date, end_date) -%}
select cast(d as timestamp) as date_{{ datepart }}
from generate_series(cast({{ start_date }} as timestamp), cast({{ end_date }} as timestamp) - interval '1 microsecond', interval '1 {{ datepart }}') as t(d)
{%- endmacro %}

{% macro postgres__split_part(string_text, delimiter_text, part_number) -%}
  {%- if part_number is number and part_number < 0 -%}
    reverse(split_part(reverse({{ string_text }}), reverse({{ delimiter_text }}), {{ -part_number }}))
  {%- else -%}
    split_part({{ string_text }}, {{ delimiter_text }}, {{ part_number }})
  {%- endif -%}
{%- endmacro %}
