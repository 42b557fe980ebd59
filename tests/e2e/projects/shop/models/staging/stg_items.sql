select * from (values
    (1, 'apple', 120),
    (2, 'pear', 80),
    (3, 'plum', 45)
) as t(item_id, item_name, price_cents)
