select 1 as payment_id, 1 as order_id, 2500 as amount_cents, 'card' as method
union all
select 2, 1, 1000, 'cash'
