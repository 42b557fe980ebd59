-- The revenue of the windows adds up to the amounts of the orders that fell in them: a window that
-- lost or doubled an order shows up here
with per_window as (
    select sum(revenue) as revenue from {{ ref('orders_per_minute') }}
),
per_order as (
    select sum(amount) as revenue from {{ ref('stg_orders') }}
    where order_time < (select max(window_end) from {{ ref('orders_per_minute') }})
)
select *
from per_window, per_order
where per_window.revenue <> per_order.revenue
