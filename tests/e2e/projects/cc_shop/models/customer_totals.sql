{{ config(materialized='table') }}
select customer, count(*) as n, sum(amount) as total
from {{ ref('big_orders') }}
group by customer
