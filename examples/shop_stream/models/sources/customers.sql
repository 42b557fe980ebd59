{#- The latest version of each customer: an upsert-kafka topic keyed by customer_id -#}
{{ config(connector_properties={
     'connector': 'upsert-kafka',
     'topic': 'customers',
     'key.format': 'json',
     'value.format': 'json'},
   primary_key='customer_id') }}
