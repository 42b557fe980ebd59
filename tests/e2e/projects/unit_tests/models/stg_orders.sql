select id, customer_id, amount, status, ordered_at
from {{ ref('raw_orders') }}
where status <> 'returned'
