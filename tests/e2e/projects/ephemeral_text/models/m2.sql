

  select * from {{ ref('e1') }}, {{ ref('e2') }}