select 1 as id, 'a' as status, 2 as amount, 1 as customer_id
