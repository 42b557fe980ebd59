{% test row_count_at_least(model, n, column_name=none) %}
select 1 from (select count(*) as c from {{ model }}) t where c < {{ n }}
{% endtest %}
