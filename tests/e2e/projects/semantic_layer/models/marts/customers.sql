select 10 as customer_id, 'Ana' as customer_name
