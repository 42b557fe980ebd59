{#- Orders and revenue of each customer so far: an updating aggregation, kept in an upsert-kafka
    topic keyed by customer_id (each new order updates its customer's row). Its tests read the
    table as it ends up, its changelog folded into one row a customer. -#}
{{ config(connector_properties={'connector': 'upsert-kafka', 'topic': 'customer_totals',
                                'key.format': 'json', 'value.format': 'json'},
          primary_key='customer_id') }}
select
    customer_id,
    count(*) as orders,
    sum(amount) as revenue
from {{ ref('stg_orders') }}
group by customer_id
