{#- A Kafka topic as a table: its columns, event time and watermark are in sources.yml -#}
{{ config(connector_properties={
     'connector': 'kafka',
     'topic': 'orders',
     'properties.group.id': 'shop_stream',
     'scan.startup.mode': 'earliest-offset',
     'format': 'json'},
   watermark={'column': 'order_time', 'strategy': "order_time - INTERVAL '5' SECOND"}) }}
