{% macro cents(column) %}({{ column }} / 100){% endmacro %}

{% macro money(column) %}round({{ cents(column) }}, 2){% endmacro %}
