#!/usr/bin/env bash
# The order ready nodes start in is dbt's (GraphQueue._get_scores): by depth among the selected
# nodes, then by unique_id. With one thread, every root runs before a model that depends on
# another one, even when the model's name sorts first; a selection's depth counts the selected
# nodes only.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/ro/models" && cd "$WORK/ro"
printf 'name: ro\nprofile: ro\n' >dbt_project.yml
echo "select 1 as id" >models/z_root1.sql
echo "select 2 as id" >models/z_root2.sql
echo "select * from {{ ref('z_root1') }}" >models/a_child.sql
echo "select * from {{ ref('a_child') }}" >models/b_grandchild.sql
echo "select * from {{ ref('z_root2') }}" >models/c_child.sql

order() { grep -o 'START sql view model main\.[a-z_0-9]*' "$OUT" | sed 's/.*main\.//' | tr '\n' ' '; }
run run --threads 1
expect_rc 0 "run"
got=$(order)
if [ "$got" = "z_root1 z_root2 a_child c_child b_grandchild " ]; then ok "roots first, then each level by name"
else not_ok "roots first, then each level by name" "got: $got"; fi
run run --threads 1 -s a_child b_grandchild c_child
got=$(order)
if [ "$got" = "a_child c_child b_grandchild " ]; then ok "depth among the selected nodes"
else not_ok "depth among the selected nodes" "got: $got"; fi
done_testing
