#!/usr/bin/env bash
# sluice init: a new project that builds at once, its profile, and the errors of a bad name, a
# missing required key, an existing folder or profile; prompts on a terminal (script(1)'s pty).
. "$(dirname "$0")/lib.sh"

cd "$WORK"
run init shop
expect_rc 0 "init NAME exits 0"
expect_out 'Your new project "shop" was created'
for f in dbt_project.yml models/example/daily_numbers.sql models/example/schema.yml README.md .gitignore \
	seeds/.gitkeep tests/.gitkeep macros/.gitkeep; do
	if [ -e "shop/$f" ]; then ok "shop/$f exists"; else not_ok "shop/$f exists"; fi
done
expect_file_has() {
	if grep -qF -- "$2" "$1"; then ok "${3:-$1 has '$2'}"; else not_ok "${3:-$1 has '$2'}" "$(cat "$1")"; fi
}
expect_file_has shop/dbt_project.yml "name: 'shop'"
expect_file_has shop/dbt_project.yml "profile: 'shop'"
expect_file_has "$HOME/.dbt/profiles.yml" "type: duckdb" "the profile is the embedded DuckDB"
expect_file_has "$HOME/.dbt/profiles.yml" "path: shop.duckdb"
cd shop; run build; cd "$WORK"
expect_rc 0 "the new project builds"
expect_out "PASS=7"
if [ -f shop/shop.duckdb ]; then ok "the database file is in the project"; else not_ok "the database file is in the project"; fi

# a second project appends its profile and keeps the first (and its comments)
sed -i '1i # my profiles' "$HOME/.dbt/profiles.yml"
run init --adapter postgres --user ana --dbname shop_db --port 5433 pgshop
expect_rc 0 "init --adapter postgres with flags exits 0"
expect_file_has "$HOME/.dbt/profiles.yml" "# my profiles" "the comments of profiles.yml stay"
expect_file_has "$HOME/.dbt/profiles.yml" "type: postgres"
expect_file_has "$HOME/.dbt/profiles.yml" "port: 5433"
expect_file_has "$HOME/.dbt/profiles.yml" "SLUICE_POSTGRES_PASSWORD" "a password not typed is read from the environment"
expect_file_has "$HOME/.dbt/profiles.yml" "path: shop.duckdb" "the first profile stays"

# errors: a required key without a terminal, a bad key, a bad name, an existing folder or profile
run init --adapter postgres pg2
expect_rc 2 "a missing required key exits 2"
expect_err "needs 'user'"
expect_err "pass --user VALUE"
run init --adapter postgres --usr ana pg3
expect_rc 2 "an unknown key exits 2"
expect_err "did you mean '--user'?"
run init 9lives
expect_rc 2 "an invalid name exits 2"
expect_err "9lives is not a valid project name"
run init shop
expect_rc 2 "an existing folder exits 2"
expect_err "a project called shop already exists here"
run init --adapter flink --skip-profile-setup stream1
expect_rc 0 "--skip-profile-setup"
if grep -q "stream1" "$HOME/.dbt/profiles.yml"; then not_ok "--skip-profile-setup writes no profile"
else ok "--skip-profile-setup writes no profile"; fi
run init --profile nosuch p4
expect_rc 2 "--profile of a missing profile exits 2"
expect_err "could not find profile named 'nosuch'"
run init --profile shop p5
expect_rc 0 "--profile of an existing profile"
expect_file_has p5/dbt_project.yml "profile: 'shop'"

# inside a project: only its profile; an existing one is not overwritten without a terminal
cd shop/models; run init; cd "$WORK"
expect_rc 2 "an existing profile is not overwritten without a terminal"
expect_err "already exists"
cd stream1; run init --adapter flink --port 8084; cd "$WORK"
expect_rc 0 "init inside a project writes its profile"
expect_file_has "$HOME/.dbt/profiles.yml" "port: 8084"

# on a terminal: the adapter and every key are asked for
if command -v script >/dev/null 2>&1; then
	printf '2\ndb.internal\n\nbob\nsecret-pw\nwarehouse\n\n2\n' |
		timeout 120 script -qec "$SLUICE init termproj" /dev/null | tr -d '\r' >"$OUT"
	expect_out "Which database would you like to use?"
	expect_out "host (the server's host name) [localhost]:"
	expect_out "Profile termproj written"
	expect_file_has "$HOME/.dbt/profiles.yml" "host: db.internal" "a typed answer is written"
	expect_file_has "$HOME/.dbt/profiles.yml" "port: 5432" "an empty answer takes the default"
	expect_file_has "$HOME/.dbt/profiles.yml" "user: bob"
	expect_file_has "$HOME/.dbt/profiles.yml" "password: secret-pw" "a typed password is written, as dbt init does"
else
	ok "skipped: no script(1)"
fi

done_testing
