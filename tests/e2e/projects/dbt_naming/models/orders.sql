{% set amount = money('p.amount_cents') %}
select p.order_id, sum({{ amount }}) as amount
from {{ ref('payments') }} as p
group by p.order_id
