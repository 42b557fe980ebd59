select order_id, 1 as line_no from {{ ref('orders') }}
