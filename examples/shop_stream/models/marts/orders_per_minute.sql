{#- Orders and revenue in tumbling one-minute windows of event time: each window is written once,
    when the watermark passes its end -#}
{{ config(connector_properties={'connector': 'kafka', 'topic': 'orders_per_minute', 'format': 'json'}) }}
select
    window_start,
    window_end,
    count(*) as orders,
    sum(amount) as revenue
from table(
    tumble(table {{ ref('stg_orders') }}, descriptor(order_time), interval '1' minute))
group by window_start, window_end
