-- Raw payment events from the payment processor. Amounts are in cents.
-- An order can be paid in several parts (e.g. a coupon plus a card);
-- order 29 has not been paid yet.

select
    id,
    order_id,
    payment_method,
    amount
from (
    values
        (1, 1, 'bank_transfer', 1499),
        (2, 2, 'credit_card', 900),
        (3, 3, 'bank_transfer', 4200),
        (4, 3, 'coupon', 1500),
        (5, 4, 'credit_card', 700),
        (6, 5, 'gift_card', 3100),
        (7, 5, 'coupon', 500),
        (8, 6, 'credit_card', 4099),
        (9, 7, 'credit_card', 5700),
        (10, 8, 'credit_card', 4500),
        (11, 8, 'coupon', 1500),
        (12, 9, 'gift_card', 800),
        (13, 10, 'credit_card', 4000),
        (14, 10, 'coupon', 1000),
        (15, 11, 'gift_card', 1400),
        (16, 12, 'bank_transfer', 4000),
        (17, 13, 'credit_card', 4200),
        (18, 13, 'coupon', 1000),
        (19, 14, 'credit_card', 4000),
        (20, 15, 'credit_card', 4400),
        (21, 15, 'coupon', 1000),
        (22, 16, 'gift_card', 5450),
        (23, 17, 'gift_card', 4299),
        (24, 18, 'bank_transfer', 2400),
        (25, 18, 'coupon', 500),
        (26, 19, 'credit_card', 1050),
        (27, 20, 'gift_card', 2699),
        (28, 20, 'coupon', 1000),
        (29, 21, 'credit_card', 1299),
        (30, 22, 'credit_card', 5350),
        (31, 22, 'coupon', 500),
        (32, 23, 'gift_card', 3100),
        (33, 24, 'credit_card', 5350),
        (34, 25, 'bank_transfer', 4950),
        (35, 25, 'coupon', 1500),
        (36, 26, 'gift_card', 4299),
        (37, 27, 'credit_card', 5800),
        (38, 27, 'coupon', 1000),
        (39, 28, 'gift_card', 4900),
        (40, 30, 'credit_card', 5150)
) as t(id, order_id, payment_method, amount)
