-- One row per customer, with consistent column names.

with source as (

    select * from {{ ref('raw_customers') }}

),

renamed as (

    select
        id as customer_id,
        first_name,
        last_name,
        first_name || ' ' || last_name as full_name,
        signed_up_at
    from source

)

select * from renamed
