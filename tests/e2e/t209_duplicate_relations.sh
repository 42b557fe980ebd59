#!/usr/bin/env bash
# No two resources may build the same relation: dbt-core's _check_resource_uniqueness raises its
# AmbiguousAliasError when two enabled models, seeds or snapshots (ephemeral models too) come to
# the same "database"."schema"."alias". Otherwise the second build would silently replace the
# first one's table. Different schemas, or a disabled model, are fine. Nor may a versioned model
# share its name with an unversioned one (DuplicateVersionedUnversionedError).
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/dr/models" "$WORK/dr/seeds" && cd "$WORK/dr" || exit 2
printf 'name: dr\n' >dbt_project.yml
printf 'id\n1\n' >seeds/people.csv
echo "select 1 as id" >models/a.sql
echo "{{ config(alias='a') }} select 2 as id" >models/b.sql
run parse
expect_rc 2 "two models with one alias"
expect_err 'dbt found two resources with the database representation'
expect_err '"main"."a"'
expect_err "model.dr.a (models/a.sql) and model.dr.b (models/b.sql)"
expect_err "models/b.sql:1:"
expect_err "change the alias, schema or database of one of them"

echo "{{ config(alias='a', schema='other') }} select 2 as id" >models/b.sql
run parse
expect_rc 0 "the same alias in another schema"

echo "{{ config(alias='a', enabled=false) }} select 2 as id" >models/b.sql
run parse
expect_rc 0 "a disabled model is left out"

echo "{{ config(alias='people', materialized='ephemeral') }} select 2 as id" >models/b.sql
run parse
expect_rc 2 "an ephemeral model named as a seed's relation"
expect_err "model.dr.b (models/b.sql) and seed.dr.people (seeds/people.csv)"

rm models/b.sql
run build
expect_rc 0 "one relation each"

# a versioned model named as an unversioned one: ref() could not tell them apart
# (DuplicateVersionedUnversionedError)
echo "select 1 as id" >models/dim_v1.sql
echo "select 2 as id" >models/dim.sql
printf 'models:\n  - name: dim\n    versions:\n      - v: 1\n' >models/versions.yml
run parse
expect_rc 2 "versioned and unversioned models of one name"
expect_err 'dbt found versioned and unversioned models with the name "dim"'
expect_err "models/dim.sql:1:"
expect_err "change the name of the unversioned resource model.dr.dim (models/dim.sql), or add it to the versions in dr://models/versions.yml"
rm models/dim.sql
run parse
expect_rc 0 "the versioned model alone"
done_testing
