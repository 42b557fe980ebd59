{#- On the lake target: the materialized table Flink refreshes agrees with the streaming_table that
    computes the same totals (both upsert tables, read as snapshots: one row a customer) -#}
{{ config(enabled=target.name == 'lake') }}
select
    coalesce(l.customer_id, t.customer_id) as customer_id,
    l.orders as live_orders,
    t.orders as orders
from {{ ref('customer_totals_live') }} l
full outer join {{ ref('customer_totals') }} t
    on l.customer_id = t.customer_id
where l.customer_id is null
   or t.customer_id is null
   or l.orders <> t.orders
   or l.revenue <> t.revenue
