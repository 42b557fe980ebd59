with o as (
    select customer_id, sum(amount) as total, count(*) as n_orders
    from {{ ref('stg_orders') }}
    where amount > {{ var('min_amount') }}
    group by customer_id
)
select c.id as customer_id, c.name, coalesce(o.total, 0) as total, coalesce(o.n_orders, 0) as n_orders,
       '{{ env_var("UT_REGION", "eu") }}' as region
from {{ ref('raw_customers') }} c
left join o on o.customer_id = c.id
