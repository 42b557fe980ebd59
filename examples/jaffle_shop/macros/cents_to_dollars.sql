{#- Converts an integer amount in cents into a decimal amount in dollars. PostgreSQL divides
    integers without a remainder, so it gets the cast first: an example of dispatch. -#}
{% macro cents_to_dollars(column_name, scale=2) -%}
    {{ return(adapter.dispatch('cents_to_dollars')(column_name, scale)) }}
{%- endmacro %}

{% macro default__cents_to_dollars(column_name, scale) -%}
    cast({{ column_name }} / 100 as decimal(18, {{ scale }}))
{%- endmacro %}

{% macro postgres__cents_to_dollars(column_name, scale) -%}
    cast(cast({{ column_name }} as decimal(18, {{ scale }})) / 100 as decimal(18, {{ scale }}))
{%- endmacro %}
