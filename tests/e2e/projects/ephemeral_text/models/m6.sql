-- c
with x as (select 1) select * from x, {{ ref('e1') }}, {{ ref('e2') }}