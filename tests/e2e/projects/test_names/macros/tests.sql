{% test in_range(model, column_name, bounds, inclusive=true) %}
select * from {{ model }} where {{ column_name }} < {{ bounds['low'] }} or {{ column_name }} > {{ bounds['high'] }}
{% endtest %}
{% test matches_any(model, column_name, patterns) %}
select * from {{ model }} where 1 = 0
{% endtest %}
{% test value_is_within_the_expected_bounds_for_this_column(model, column_name, bounds) %}
select * from {{ model }} where {{ column_name }} < {{ bounds['low'] }}
{% endtest %}
