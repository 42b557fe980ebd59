-- One row per order placed on or after the `min_order_date` project var.

with source as (

    select * from {{ ref('raw_orders') }}

),

renamed as (

    select
        id as order_id,
        user_id as customer_id,
        order_date,
        status
    from source
    where order_date >= cast('{{ var("min_order_date") }}' as date)

)

select * from renamed
