select o.id, o.amount, p.method
from {{ ref('stg_orders') }} o
join {{ source('raw', 'raw_payments') }} p on p.order_id = o.id
