#!/usr/bin/env bash
# sluice deps with git packages, from local repositories (file:// URLs) made here: a tag, a branch
# or a commit as revision (the lock pins the commit), subdirectory, the packages a git package
# needs, warn-unpinned, the lock honoured until --upgrade, dbt's error for two revisions of one
# repository (with and without .git), and a repository out of reach: an error naming it, with the
# packages installed before left in place.
. "$(dirname "$0")/lib.sh"

export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.com
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
g() { git -C "$1" "${@:2}" >/dev/null 2>&1; }

# base: a package that gpkg needs from v2.0 on
mkdir -p "$WORK/base/macros"
printf 'name: base\n' >"$WORK/base/dbt_project.yml"
echo "{% macro base_v() %}'b1'{% endmacro %}" >"$WORK/base/macros/v.sql"
git init -q -b main "$WORK/base" && g "$WORK/base" add -A && g "$WORK/base" commit -m b1 && g "$WORK/base" tag v0.1

# gpkg: tags v1.0 and v2.0 on main, a package in sub/inner
R="$WORK/gpkg"
mkdir -p "$R/macros" "$R/sub/inner/macros"
printf 'name: gpkg\n' >"$R/dbt_project.yml"
echo "{% macro gpkg_v() %}'one'{% endmacro %}" >"$R/macros/v.sql"
printf 'name: inner\n' >"$R/sub/inner/dbt_project.yml"
echo "{% macro inner_v() %}'i1'{% endmacro %}" >"$R/sub/inner/macros/v.sql"
git init -q -b main "$R" && g "$R" add -A && g "$R" commit -m one && g "$R" tag v1.0
C1=$(git -C "$R" rev-parse HEAD)
echo "{% macro gpkg_v() %}'two'{% endmacro %}" >"$R/macros/v.sql"
printf 'packages:\n  - git: "file://%s/base"\n    revision: v0.1\n' "$WORK" >"$R/packages.yml"
g "$R" add -A && g "$R" commit -m two && g "$R" tag v2.0
C2=$(git -C "$R" rev-parse HEAD)
CB=$(git -C "$WORK/base" rev-parse HEAD)
URL="file://$R"

mkdir -p "$WORK/shop/models"
cd "$WORK/shop"
printf 'name: shop\nprofile: shop\n' >dbt_project.yml
echo "select {{ gpkg.gpkg_v() }} as v" >models/v.sql

printf 'packages:\n  - git: "%s"\n    revision: v1.0\n' "$URL" >packages.yml
run deps
expect_rc 0 "deps installs a git package at a tag"
expect_out "Installing $URL"
expect_out "Installed from revision $C1" "the lock pins the tag's commit"
grep -qF "'one'" dbt_packages/gpkg/macros/v.sql && ok "the tag's content is installed" || not_ok "the tag's content is installed"
expect_no_out "warning:" "a tag is pinned: no warning"
expect_file_eq package-lock.yml "packages:
  - git: $URL
    revision: $C1
sha1_hash: $(sed -n 's/^sha1_hash: //p' package-lock.yml)"
if [ "$(sed -n 's/^sha1_hash: //p' package-lock.yml | tr -d '0-9a-f' | wc -c)" -eq 1 ]; then ok "a 40-hex sha1_hash"; else not_ok "a 40-hex sha1_hash"; fi

# v2.0 needs base: installed too, and recorded in the lock
printf 'packages:\n  - git: "%s"\n    revision: v2.0\n' "$URL" >packages.yml
run deps
expect_rc 0 "a git package's own packages are installed"
expect_out "Installed from revision $C2"
expect_out "Installing file://$WORK/base"
expect_out "Installed from revision $CB"
expect_file dbt_packages/base/macros/v.sql
grep -qF "revision: $CB" package-lock.yml && ok "the lock holds the packages' packages" || not_ok "the lock holds the packages' packages" "$(cat package-lock.yml)"
run run
expect_rc 0
expect_query "select v from {{ ref('v') }}" "two"

# a commit as revision, and a subdirectory
printf 'packages:\n  - git: "%s"\n    revision: %s\n  - git: "%s.git"\n    revision: %s\n  - git: "%s"\n    revision: v2.0\n    subdirectory: sub/inner\n' \
	"$URL" "$C1" "$URL" "$C1" "$URL" >packages.yml
run deps
expect_rc 0 "a commit as revision; the same repository with .git is the same package"
grep -qF "'one'" dbt_packages/gpkg/macros/v.sql && ok "the commit's content is installed" || not_ok "the commit's content is installed"
expect_out "and subdirectory sub/inner"
expect_file dbt_packages/inner/macros/v.sql "a subdirectory installs under its own project name"
if [ ! -e dbt_packages/inner/sub ] && [ ! -e dbt_packages/inner/.git ]; then ok "only the subdirectory is installed"; else not_ok "only the subdirectory is installed"; fi
if [ ! -e dbt_packages/base ]; then ok "a package no longer needed is gone"; else not_ok "a package no longer needed is gone"; fi

# a branch: warned about, pinned by the lock until --upgrade
printf 'packages:\n  - git: "%s"\n    revision: main\n' "$URL" >packages.yml
run deps
expect_rc 0
expect_err "The git package \"$URL\" is pinned to the \"main\" branch" "an unpinned branch is warned about"
echo "{% macro gpkg_v() %}'three'{% endmacro %}" >"$R/macros/v.sql"
g "$R" commit -am three
run deps
expect_rc 0
grep -qF "'two'" dbt_packages/gpkg/macros/v.sql && ok "the lock keeps the branch's old commit" || not_ok "the lock keeps the branch's old commit"
run deps --upgrade
expect_rc 0
grep -qF "'three'" dbt_packages/gpkg/macros/v.sql && ok "--upgrade moves to the branch's new commit" || not_ok "--upgrade moves to the branch's new commit"

printf 'packages:\n  - git: "%s"\n' "$URL" >packages.yml
run deps
expect_rc 0
expect_err "is not pinned, using HEAD (default branch)"
printf 'packages:\n  - git: "%s"\n    warn-unpinned: false\n' "$URL" >packages.yml
run deps
expect_rc 0
expect_no_out "warning:" "warn-unpinned: false silences the warning"
expect_no_out "not pinned"

# a lock whose sha1_hash is the one dbt-core's own test asserts for these packages.yml entries
# (tests/functional/dependencies/test_simple_dependency.py) is honoured: the hash matches, so the
# lock, pointed here at the local repository, is installed as it is and not resolved again
cat >packages.yml <<'EOS'
packages:
  - git: "https://github.com/dbt-labs/dbt-multipe-packages.git"
    subdirectory: "dbt-utils-main"
    revision: "v0.1.0"
  - git: "https://github.com/dbt-labs/dbt-multipe-packages.git"
    subdirectory: "dbt-date-main"
    revision: "v0.1.0"
EOS
printf 'packages:\n  - git: %s\n    revision: %s\n    subdirectory: sub/inner\nsha1_hash: b9c8042f29446c55a33f9f211737f445a640c7a1\n' "$URL" "$C1" >package-lock.yml
run deps
expect_rc 0 "a lock written by dbt for the same packages is honoured"
expect_no_out "Updating lock file"
expect_out "Installing $URL/sub/inner"
expect_file dbt_packages/inner/macros/v.sql

# a secret in the URL is rendered to clone, and neither shown nor written to the lock
printf 'packages:\n  - git: "file://%s/{{ env_var(\x27DBT_ENV_SECRET_REPO\x27) }}"\n    revision: v1.0\n' "$WORK" >packages.yml
DBT_ENV_SECRET_REPO=gpkg run deps
expect_rc 0 "a git URL with a secret"
grep -qF "git: file://$WORK/{{ env_var('DBT_ENV_SECRET_REPO') }}" package-lock.yml && ok "the lock keeps the URL unrendered" || not_ok "the lock keeps the URL unrendered" "$(cat package-lock.yml)"
expect_no_out "$WORK/gpkg" "the secret is not shown"
DBT_ENV_SECRET_REPO=gpkg run deps
expect_rc 0 "and the lock is installed again with the secret rendered"

# errors
printf 'packages:\n  - git: "%s"\n    revision: v1.0\n  - git: "%s.git"\n    revision: v2.0\n' "$URL" "$URL" >packages.yml
run deps
expect_rc 2 "two revisions of one repository"
expect_err "git dependencies should contain exactly one version. $URL contains: {'v1.0', 'v2.0'}"
printf 'packages:\n  - git: "%s"\n    revision: nope\n' "$URL" >packages.yml
run deps
expect_rc 2
expect_err "packages.yml:2:10: error: cannot check out revision 'nope' of git package '$URL'"
printf 'packages:\n  - git: "%s"\n    revision: v1.0\n    subdirectory: nowhere\n' "$URL" >packages.yml
run deps
expect_rc 2
expect_err "git package '$URL' has no subdirectory 'nowhere' at revision 'v1.0'"

# a repository out of reach: named in the error; the installed packages stay
printf 'packages:\n  - git: "%s"\n    revision: v1.0\n' "$URL" >packages.yml
run deps
expect_rc 0
mv "$R" "$WORK/gone"
run deps --upgrade
expect_rc 2 "a repository out of reach is an error"
expect_err "cannot clone git package '$URL'"
grep -qF "'one'" dbt_packages/gpkg/macros/v.sql && ok "what was installed is left in place" || not_ok "what was installed is left in place"
run run
expect_rc 0 "the project still builds"

done_testing
