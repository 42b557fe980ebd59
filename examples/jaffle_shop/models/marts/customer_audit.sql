-- depends_on: {{ ref('raw_customers') }}
-- depends_on: {{ ref('raw_orders') }}

-- Data-quality audit of the raw layer, read through the declared sources:
-- one row per raw customer, with counts of their raw orders by state and an
-- `is_dormant` flag for customers who never ordered and signed up more than
-- `audit_grace_days` days before the latest raw order.
--
-- The sources point at relations built by the models in models/raw, and a
-- source() call creates no dependency on a model, so the depends_on comments
-- above make sure those models are built first.

with customers as (

    select * from {{ source('jaffle_raw', 'customers_base') }}

),

orders as (

    select * from {{ source('jaffle_raw', 'orders_base') }}

),

order_counts as (

    select
        user_id,
        count(*) as raw_order_count,
        sum(case when status in ('placed', 'shipped') then 1 else 0 end) as open_order_count,
        sum(case when status in ('return_pending', 'returned') then 1 else 0 end) as returned_order_count,
        max(order_date) as last_order_date
    from orders
    group by user_id

),

latest as (

    select max(order_date) as latest_order_date from orders

)

select
    customers.id as customer_id,
    customers.signed_up_at,
    coalesce(order_counts.raw_order_count, 0) as raw_order_count,
    coalesce(order_counts.open_order_count, 0) as open_order_count,
    coalesce(order_counts.returned_order_count, 0) as returned_order_count,
    order_counts.last_order_date,
    case
        when order_counts.user_id is null
            and customers.signed_up_at
                < {{ dbt.dateadd('day', -var('audit_grace_days', 30), 'latest.latest_order_date') }}
            then true
        else false
    end as is_dormant
from customers
cross join latest
left join order_counts
    on customers.id = order_counts.user_id
