{{ config(materialized='table', tags=['finance']) }}
{% set kinds = ['apple', 'pear', 'plum'] %}
select
    i.item_name,
    sum(s.quantity * i.price_cents) / 100.0 as revenue,
    '{{ var("currency") }}' as currency
from {{ ref('stg_sales') }} s
join {{ ref('stg_items') }} i using (item_id)
where i.item_name in ({% for k in kinds %}'{{ k }}'{% if not loop.last %}, {% endif %}{% endfor %})
group by 1
