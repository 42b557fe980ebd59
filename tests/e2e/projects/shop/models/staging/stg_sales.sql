-- sales, one row per line
select * from (values
    (10, 1, 3),
    (11, 2, 1),
    (12, 1, 2),
    (13, 3, 10)
) as t(sale_id, item_id, quantity)
