/* c */ with  __dbt__cte__e1 as (
select 1 as id
),  __dbt__cte__e2 as (
select 2 as id
), x as (select 1) select * from x, __dbt__cte__e1, __dbt__cte__e2