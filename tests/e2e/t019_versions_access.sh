#!/usr/bin/env bash
# Model versions, groups and access: each version's file becomes a node of the model
# (model.p.name.vN, relation name_vN), latest_version and defined_in choose the files, ref() reads
# the latest version and ref(v=)/ref(version=) a pinned one, columns follow include/exclude, the
# manifest has version, latest_version, deprecation_date and groups, selectors find versions, and a
# ref() to a private model from outside its group is dbt's error.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/vt/models" && cd "$WORK/vt"
printf 'name: vt\nprofile: vt\n' >dbt_project.yml
echo "select 1 as id, 'ann' as name, 'x' as legacy" >models/dim_customers_v1.sql
echo "select 1 as id, 'ann' as name" >models/dim_customers.sql
echo "select 1 as id, 'ann' as name, 'new' as extra" >models/dim_customers_v3.sql
echo "select * from {{ ref('dim_customers') }}" >models/latest_user.sql
echo "select v1.legacy, v3.extra from {{ ref('dim_customers', v=1) }} v1 join {{ ref('dim_customers', version=3) }} v3 using (id)" >models/pinned_user.sql
cat >models/schema.yml <<'EOS'
groups:
  - name: finance
    owner: {name: Ana, email: ana@example.com}
models:
  - name: dim_customers
    latest_version: 2
    description: Customers.
    config:
      materialized: table
    columns:
      - name: id
        data_tests: [not_null]
      - name: name
        data_tests: [unique]
    versions:
      - v: 1
        deprecation_date: 2020-01-01
        columns:
          - include: all
          - name: legacy
            data_tests: [not_null]
      - v: 2
        defined_in: dim_customers
      - v: 3
        description: The next customers.
        deprecation_date: 2030-01-01
        config:
          tags: [next]
        columns:
          - include: all
            exclude: [name]
          - name: extra
EOS

run build
expect_rc 0 "a project with a versioned model builds"
expect_out "OK created sql table model main.dim_customers_v1"
expect_out "OK created sql table model main.dim_customers_v2" "the latest version defined in the unsuffixed file"
expect_out "OK created sql table model main.dim_customers_v3"
expect_query "select * from main.latest_user" "1|ann" "an unpinned ref() reads the latest version"
expect_out "PASS not_null_dim_customers_v1_id" "the model's tests test each version"
expect_out "PASS not_null_dim_customers_v3_id"
expect_out "PASS unique_dim_customers_v2_name"
expect_no_out "unique_dim_customers_v3_name" "a column that a version excludes is not tested there"
expect_out "PASS not_null_dim_customers_v1_legacy" "a version's own column tests test that version"
expect_no_out "not_null_dim_customers_v2_legacy"
expect_err "Model dim_customers.v1 has passed its deprecation date of 2020-01-01T00:00:00"
expect_err "While compiling 'pinned_user': Found a reference to dim_customers.v1, which was deprecated on '2020-01-01T00:00:00"
expect_err "A new version of 'dim_customers' is available. Migrate now: {{ ref('vt', 'dim_customers', v='2') }}."
expect_err "While compiling 'pinned_user': Found a reference to dim_customers.v3, which is slated for deprecation on '2030-01-01T00:00:00"
expect_query "select * from main.pinned_user" "x|new" "ref(v=1) and ref(version=3) read those versions"
m=target/manifest.json
expect_json $m '.nodes["model.vt.dim_customers.v1"].name' "dim_customers"
expect_json $m '.nodes["model.vt.dim_customers.v1"].version' "1"
expect_json $m '.nodes["model.vt.dim_customers.v3"].latest_version' "2"
expect_json $m '.nodes["model.vt.dim_customers.v2"].original_file_path' "models/dim_customers.sql"
expect_json $m '.nodes["model.vt.dim_customers.v3"].deprecation_date.slice(0, 19)' "2030-01-01T00:00:00"
expect_json $m '.nodes["model.vt.dim_customers.v3"].fqn' '["vt","dim_customers","v3"]'
expect_json $m '.nodes["model.vt.dim_customers.v1"].columns.legacy.name' "legacy" "a version adds its own columns"
expect_json $m '.nodes["model.vt.dim_customers.v3"].columns && Object.keys(d.nodes["model.vt.dim_customers.v3"].columns).join(",")' "id,extra" \
	"include/exclude narrows the model's columns"
expect_json $m '.nodes["model.vt.dim_customers.v3"].description' "The next customers."
expect_json $m '.nodes["model.vt.dim_customers.v1"].description' "Customers." "a version without one keeps the model's description"
expect_json $m '.nodes["model.vt.dim_customers.v3"].config.tags' '["next"]' "a version's config is merged over the model's"
expect_json $m '.nodes["model.vt.pinned_user"].refs' \
	'[{"name":"dim_customers","package":null,"version":1},{"name":"dim_customers","package":null,"version":3}]'
expect_json $m '.nodes["model.vt.latest_user"].depends_on.nodes' '["model.vt.dim_customers.v2"]'
expect_json $m '.groups["group.vt.finance"].owner' '{"email":"ana@example.com","name":"Ana"}'

run ls -s dim_customers --output name --resource-type model
expect_rc 0
if [ "$(tr '\n' ' ' <"$OUT")" = "dim_customers.v1 dim_customers.v2 dim_customers.v3 " ]; then
	ok "a model's name selects all its versions"; else not_ok "a model's name selects all its versions" "$(cat "$OUT")"; fi
for pair in "dim_customers.v1:dim_customers.v1" "dim_customers_v3:dim_customers.v3" "version:latest:dim_customers.v2" \
	"version:old:dim_customers.v1" "version:prerelease:dim_customers.v3"; do
	sel=${pair%:*}; want=${pair##*:}
	run ls -s "$sel" --output name --resource-type model
	if [ "$(cat "$OUT")" = "$want" ]; then ok "selector $sel"; else not_ok "selector $sel" "$(cat "$OUT")"; fi
done
run ls -s version:none --output name
if [ "$(tr '\n' ' ' <"$OUT")" = "latest_user pinned_user " ]; then ok "version:none selects the unversioned models"
else not_ok "version:none selects the unversioned models" "$(cat "$OUT")"; fi

echo "select * from {{ ref('dim_customers', v=7) }}" >models/bad.sql
run ls
expect_rc 2 "a ref() to a version that does not exist"
expect_err "models/bad.sql:1:18: error: model 'bad' depends on a node named 'dim_customers' with version '7' which was not found"
rm models/bad.sql
sed -i 's/latest_version: 2/latest_version: 4/' models/schema.yml
run ls
expect_rc 2 "a latest_version that is not a version"
expect_err "latest_version: 4 is not one of model 'dim_customers' versions: [1, 2, 3]"
sed -i 's/latest_version: 4/latest_version: 2/' models/schema.yml

# access: a private model only from its own group
cat >models/access.yml <<'EOS'
models:
  - name: latest_user
    access: private
    config: {group: finance}
  - name: pinned_user
    config: {group: finance}
EOS
echo "select * from {{ ref('latest_user') }}" >models/outsider.sql
run ls
expect_rc 2 "a ref() to a private model from outside its group fails"
expect_err "error: Node model.vt.outsider attempted to reference node model.vt.latest_user, which is not allowed because the referenced node is private to the 'finance' group."
echo "{{ config(group='finance') }} select * from {{ ref('latest_user') }}" >models/outsider.sql
run ls -s access:private group:finance --output name
expect_rc 0 "the same ref() from a model of the group is allowed"
if [ "$(tr '\n' ' ' <"$OUT")" = "latest_user outsider pinned_user " ]; then ok "access: and group: select"
else not_ok "access: and group: select" "$(cat "$OUT")"; fi
run parse
expect_json target/manifest.json '.nodes["model.vt.latest_user"].access' "private"
echo "{{ config(group='sales') }} select 1 as x" >models/outsider.sql
run ls
expect_rc 2 "a group that is not defined"
expect_err "Invalid group 'sales', expected one of ['finance']"
sed -i 's/access: private/access: secret/' models/access.yml
rm models/outsider.sql
run ls
expect_rc 2 "an access value dbt does not know"
expect_err "Node model.vt.latest_user has an invalid value (secret) for the access field"

done_testing
