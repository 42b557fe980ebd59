#!/usr/bin/env bash
# sluice deps with hub packages, against the hub double: versions resolved by dbt's range rules
# across the packages and the packages they need (require-dbt-version honoured unless
# --no-version-check), package-lock.yml written as dbt writes it (its sha1_hash is dbt's, computed
# with dbt 1.9's formula for the same packages.yml) and honoured until --upgrade, pre-releases only
# when asked for, dbt's errors for conflicts and unknown packages or versions, --add-package,
# dependencies.yml, and a hub out of reach: an error naming the package and the address, with the
# packages installed before left in place.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hub.sh"

hub_publish dbt-labs/dbt_utils 0.9.0 dbt_utils
hub_publish dbt-labs/dbt_utils 1.0.0 dbt_utils
hub_publish dbt-labs/dbt_utils 1.1.1 dbt_utils
hub_publish dbt-labs/dbt_utils 1.2.0-rc1 dbt_utils
hub_publish dbt-labs/dbt_utils 1.3.0 dbt_utils "" '">=2.0.0"'
hub_publish dbt-labs/dbt_utils 2.0.0 dbt_utils
hub_publish calogica/dbt_date 0.10.0 dbt_date 'packages:
  - package: dbt-labs/dbt_utils
    version: [">=0.9.0", "<2.0.0"]'
hub_publish fivetran/fivetran_utils 0.4.7 fivetran_utils
hub_publish acme/old_thing 1.0.0 old_thing 'packages:
  - package: dbt-labs/dbt_utils
    version: "<1.0.0"'
hub_start

mkdir -p "$WORK/shop/models"
cd "$WORK/shop"
printf 'name: shop\nprofile: shop\n' >dbt_project.yml
cat >packages.yml <<'EOS'
packages:
  - package: dbt-labs/dbt_utils
    version: [">=1.0.0", "<3.0.0"]
  - package: calogica/dbt_date
    version: 0.10.0
EOS
echo "select {{ dbt_utils.dbt_utils_version() }} as u, {{ dbt_date.dbt_date_version() }} as d" >models/versions.sql
LOCK_V1='packages:
  - package: dbt-labs/dbt_utils
    version: 1.1.1
  - package: calogica/dbt_date
    version: 0.10.0
sha1_hash: 03d6301a3a4fc989e85f2769e2047b05db690af2'

run deps
expect_rc 0 "deps installs hub packages"
expect_out "Installing dbt-labs/dbt_utils"
expect_out "Installed from version 1.1.1" "the newest version inside every package's range, among those that support dbt 1.9"
expect_out "Updated version available: 2.0.0"
expect_out "Updates available for packages: ['dbt-labs/dbt_utils']"
expect_out "Updating lock file in file path: $WORK/shop/package-lock.yml"
expect_file_eq package-lock.yml "$LOCK_V1" "package-lock.yml is dbt's, sha1_hash included"
expect_file dbt_packages/dbt_utils/macros/version.sql "the tarball is unpacked under the package's project name"
expect_file dbt_packages/dbt_date/dbt_project.yml
run run
expect_rc 0 "the project builds with its hub packages"
expect_query "select u, d from {{ ref('versions') }}" "1.1.1|0.10.0"

run deps --upgrade --no-version-check
expect_rc 0
expect_out "Installed from version 1.3.0" "--no-version-check also considers versions that require another dbt"

hub_publish dbt-labs/dbt_utils 1.1.2 dbt_utils
run deps --upgrade
expect_rc 0
expect_out "Installed from version 1.1.2" "--upgrade resolves again"
hub_publish dbt-labs/dbt_utils 1.1.3 dbt_utils
run deps
expect_rc 0
expect_out "Installed from version 1.1.2" "the lock is honoured while packages.yml is unchanged"
expect_no_out "Updating lock file" "and not rewritten"
grep -q 'version: 1.1.2' package-lock.yml && ok "the lock pins 1.1.2" || not_ok "the lock pins 1.1.2"

# pre-releases only when asked for
cat >packages.yml <<'EOS'
packages:
  - package: dbt-labs/dbt_utils
    version: [">=1.0.0", "<3.0.0"]
    install_prerelease: true
  - package: calogica/dbt_date
    version: 0.10.0
EOS
run deps
expect_rc 0 "a changed packages.yml is resolved again"
expect_out "Installed from version 1.2.0-rc1" "install_prerelease admits pre-releases"
printf 'packages:\n  - package: dbt-labs/dbt_utils\n    version: ["1.2.0-rc1"]\n' >packages.yml
run deps
expect_rc 0
expect_out "Installed from version 1.2.0-rc1" "naming a pre-release admits it"

# dbt's errors; nothing installed before is touched
printf 'packages:\n  - package: dbt-labs/dbt_utils\n    version: [">=1.0.0", "<3.0.0"]\n  - package: calogica/dbt_date\n    version: 0.10.0\n' >packages.yml
run deps
expect_rc 0
cp package-lock.yml "$WORK/lock.before"
printf '  - package: acme/old_thing\n    version: 1.0.0\n' >>packages.yml
run deps
expect_rc 2 "conflicting ranges are an error"
expect_err "packages.yml:2:14: error: Version error for package dbt-labs/dbt_utils: Could not find a satisfactory version from options: ['>=1.0.0', '<3.0.0', '>=0.9.0', '<2.0.0', '<1.0.0']"
if cmp -s package-lock.yml "$WORK/lock.before"; then ok "the lock is left as it was"; else not_ok "the lock is left as it was"; fi
expect_file dbt_packages/dbt_utils/dbt_project.yml "the installed packages are left as they were"

printf 'packages:\n  - package: nobody/nothing\n    version: 1.0.0\n' >packages.yml
run deps
expect_rc 2
expect_err "packages.yml:2:14: error: Package nobody/nothing was not found in the package index"

printf 'packages:\n  - package: dbt-labs/dbt_utils\n    version: 3.0.0\n' >packages.yml
run deps
expect_rc 2
expect_err "error: Could not find a matching compatible version for package dbt-labs/dbt_utils"
expect_err "Requested range: =3.0.0, =3.0.0"
expect_err "Compatible versions: ['0.9.0', '1.0.0', '1.1.1', '1.1.2', '1.1.3', '2.0.0']"
expect_err "To include them, run 'sluice deps --no-version-check'"

printf 'packages:\n  - package: dbt-labs/dbt_utils\n    version: ">=1.0"\n' >packages.yml
run deps
expect_rc 2
expect_err 'packages.yml:3:14: error: ">=1.0" is not a valid semantic version.'

# --add-package writes packages.yml as dbt does (sorted keys, indented lists) and installs
printf 'packages:\n  - package: dbt-labs/dbt_utils\n    version: [">=1.0.0", "<3.0.0"]\n' >packages.yml
rm -f package-lock.yml
run deps --add-package calogica/dbt_date@0.10.0
expect_rc 0 "--add-package"
expect_out "Added new package calogica/dbt_date@0.10.0 to $WORK/shop/packages.yml"
expect_file_eq packages.yml "packages:
  - package: dbt-labs/dbt_utils
    version:
      - '>=1.0.0'
      - <3.0.0
  - package: calogica/dbt_date
    version: 0.10.0"
expect_file_eq package-lock.yml "${LOCK_V1/1.1.1/1.1.3}" "the same packages give the same hash"
run deps --add-package calogica/dbt_date
expect_rc 2
expect_err "Version is required in --add-package when source is hub"

# dependencies.yml holds the same packages: same hash, so the lock stands
mv packages.yml dependencies.yml
run deps
expect_rc 0 "deps reads dependencies.yml"
expect_no_out "Updating lock file" "the lock's hash depends on the packages, not the file"
expect_out "Installed from version 1.1.3"

# the lock of dbt-core's own test of package-lock.yml (tests/functional/dependencies/
# test_dependency_options.py) for the same packages.yml has this sha1_hash
mkdir -p "$WORK/ft" && cd "$WORK/ft"
printf 'name: ft\n' >dbt_project.yml
printf 'packages:\n  - package: fivetran/fivetran_utils\n    version: 0.4.7\n' >packages.yml
run deps --lock
expect_rc 0 "deps --lock"
expect_file_eq package-lock.yml "packages:
  - package: fivetran/fivetran_utils
    version: 0.4.7
sha1_hash: 71304bca2138cf8004070b3573a1e17183c0c1a8" "dbt's own lock file for the same packages"
if [ ! -e dbt_packages ]; then ok "--lock installs nothing"; else not_ok "--lock installs nothing"; fi
# a tarball package (here one of the hub's tarballs): installed under its given name, and what
# its packages.yml names is installed too
printf 'packages:\n  - tarball: "%starballs/calogica/dbt_date/0.10.0.tar.gz"\n    name: my_date\n' "$HUB" >packages.yml
run deps
expect_rc 0 "a tarball package"
expect_out "Installing my_date"
expect_out "Installed from tarball (url: ${HUB}tarballs/calogica/dbt_date/0.10.0.tar.gz)"
expect_file dbt_packages/my_date/macros/version.sql "is unpacked under its name"
expect_file dbt_packages/dbt_utils/macros/version.sql "with the packages it needs"
grep -qF "  - name: my_date" package-lock.yml && ok "and locked with its name" || not_ok "and locked with its name" "$(cat package-lock.yml)"
cd "$WORK/shop"

# without the hub: the error names the package and the address tried; nothing is removed
addr="$HUB"
hub_stop_checked
run deps
expect_rc 2 "a hub out of reach is an error"
expect_err "cannot install package 'dbt-labs/dbt_utils': the package hub at ${addr}api/v1/index.json did not answer"
expect_file dbt_packages/dbt_utils/macros/version.sql "what was installed is left in place"
expect_file dbt_packages/dbt_date/dbt_project.yml
if [ -z "$(ls -A "$WORK/shop" | grep '^\.dbt_packages')" ]; then ok "no staging folder is left behind"; else not_ok "no staging folder is left behind" "$(ls -A)"; fi
run run
expect_rc 0 "the project still builds with what was installed"

done_testing
