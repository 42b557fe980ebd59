-- Each customer's row in the upsert table holds the totals of all their orders: a test that saw
-- the table's changelog instead of its final rows would find the customer's earlier totals too
with expected as (
    select customer_id, count(*) as orders, sum(amount) as revenue
    from {{ ref('stg_orders') }}
    group by customer_id
)
select t.customer_id
from {{ ref('customer_totals') }} as t
left join expected as e on t.customer_id = e.customer_id
where e.customer_id is null or t.orders <> e.orders or t.revenue <> e.revenue
