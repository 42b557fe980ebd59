-- Every order's per-method amounts must add up to its total amount.
-- The test fails if this query returns any rows.

select
    order_id,
    amount,
    credit_card_amount + coupon_amount + bank_transfer_amount + gift_card_amount as summed_amount
from {{ ref('orders') }}
where credit_card_amount + coupon_amount + bank_transfer_amount + gift_card_amount != amount
