select 1 as order_id, 10 as customer_id, date '2024-01-02' as ordered_at, 12.5 as order_total
