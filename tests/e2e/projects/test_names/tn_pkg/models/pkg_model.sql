select 1 as pkg_id
