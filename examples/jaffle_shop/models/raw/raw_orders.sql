-- Raw orders exported from the order management system.
-- Statuses: placed -> shipped -> completed, or return_pending -> returned.

select
    id,
    user_id,
    cast(order_date as date) as order_date,
    status
from (
    values
        (1, 3, '2018-01-01', 'completed'),
        (2, 7, '2018-01-02', 'completed'),
        (3, 1, '2018-01-02', 'completed'),
        (4, 2, '2018-01-04', 'completed'),
        (5, 5, '2018-01-05', 'completed'),
        (6, 1, '2018-01-09', 'completed'),
        (7, 8, '2018-01-11', 'returned'),
        (8, 4, '2018-01-14', 'completed'),
        (9, 6, '2018-01-17', 'completed'),
        (10, 3, '2018-01-20', 'completed'),
        (11, 9, '2018-01-23', 'return_pending'),
        (12, 2, '2018-01-26', 'completed'),
        (13, 7, '2018-01-29', 'completed'),
        (14, 5, '2018-02-01', 'returned'),
        (15, 1, '2018-02-03', 'completed'),
        (16, 8, '2018-02-07', 'completed'),
        (17, 4, '2018-02-10', 'completed'),
        (18, 6, '2018-02-13', 'completed'),
        (19, 3, '2018-02-16', 'completed'),
        (20, 9, '2018-02-19', 'completed'),
        (21, 2, '2018-02-22', 'shipped'),
        (22, 7, '2018-02-25', 'completed'),
        (23, 5, '2018-03-01', 'shipped'),
        (24, 1, '2018-03-04', 'shipped'),
        (25, 8, '2018-03-08', 'completed'),
        (26, 4, '2018-03-12', 'shipped'),
        (27, 6, '2018-03-15', 'placed'),
        (28, 3, '2018-03-18', 'placed'),
        (29, 9, '2018-03-22', 'placed'),
        (30, 2, '2018-03-25', 'placed')
) as t(id, user_id, order_date, status)
