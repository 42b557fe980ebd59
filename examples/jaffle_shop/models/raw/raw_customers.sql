-- Raw customer records as they would arrive from the shop's web app.
-- Customer 10 has signed up but never ordered.

select
    id,
    first_name,
    last_name,
    cast(signed_up_at as date) as signed_up_at
from (
    values
        (1, 'Mara', 'Quill', '2017-11-02'),
        (2, 'Tobias', 'Fenn', '2017-11-19'),
        (3, 'Ines', 'Marlowe', '2017-12-01'),
        (4, 'Rohan', 'Patel', '2017-12-08'),
        (5, 'Lucia', 'Moreno', '2017-12-15'),
        (6, 'Kenji', 'Arakawa', '2017-12-27'),
        (7, 'Greta', 'Holm', '2017-12-30'),
        (8, 'Samir', 'Haddad', '2018-01-07'),
        (9, 'Noor', 'Bakker', '2018-01-16'),
        (10, 'Felix', 'Ward', '2018-02-20')
) as t(id, first_name, last_name, signed_up_at)
