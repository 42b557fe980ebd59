-- Placed orders with a positive amount, the status normalised
select
    order_id,
    customer_id,
    amount,
    lower(status) as status,
    order_time
from {{ ref('orders') }}
where amount > 0
  and status is not null
