{#- Each order with its customer: a regular join, so an order is updated when its customer
    changes; upsert-kafka keeps the latest row of each order -#}
{{ config(connector_properties={'connector': 'upsert-kafka', 'topic': 'orders_enriched',
                                'key.format': 'json', 'value.format': 'json'},
          primary_key='order_id',
          upgrade='savepoint') }}
select
    o.order_id,
    o.amount,
    o.status,
    o.order_time,
    c.customer_id,
    c.name as customer_name,
    c.country
from {{ ref('stg_orders') }} as o
join {{ ref('customers') }} as c
  on o.customer_id = c.customer_id
