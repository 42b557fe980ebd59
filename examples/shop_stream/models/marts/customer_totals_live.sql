{#- The same totals as customer_totals, kept current by Flink itself: a materialized table (Flink
    1.20+) whose refresh job Flink runs and names. It needs a catalog that keeps its tables, so it is
    built on the `lake` target only (a Paimon catalog); on `dev` it is disabled. -#}
{{ config(enabled=target.name == 'lake', materialized='materialized_table', freshness='30 seconds',
          connector_properties={'connector': 'upsert-kafka', 'topic': 'customer_totals_live',
                                'key.format': 'json', 'value.format': 'json'},
          primary_key='customer_id') }}
select
    customer_id,
    count(*) as orders,
    sum(amount) as revenue
from {{ ref('stg_orders') }}
group by customer_id
