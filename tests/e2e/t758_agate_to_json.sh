#!/usr/bin/env bash
# A query's agate table writes itself as agate's Table.to_json does (agate/table/to_json.py): a
# list of one object a row, keyed by a column, or one object a line; numbers as floats (Number's
# jsonify), dates and timestamps in ISO format, as Python's json.dump writes them; the folder is
# made. re_data's generate_overview writes its overview so. The expected files are what
# json.dumps(..., ensure_ascii=False) gives for the rows agate holds.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/tj/macros" && cd "$WORK/tj"
printf 'name: tj\nprofile: tj\n' >dbt_project.yml
cat >macros/m.sql <<'EOS'
{% macro dump() %}
{% set t = run_query("select 1 as id, 2.5 as x, 'é\"' as s, date '2024-01-02' as d, timestamp '2024-01-02 03:04:05' as ts, true as b, null as n union all select 2, 10, 'b', null, null, false, null order by id") %}
{% do t.to_json('out/list.json') %}
{% do t.to_json('out/keyed.json', key='id', indent=2) %}
{% do t.to_json('out/lines.json', newline=True) %}
{% endmacro %}
{% macro dup() %}
{% do run_query("select 1 as id union all select 1").to_json('out/dup.json', key='id') %}
{% endmacro %}
EOS

same_bytes() {  # FILE WANT-FILE NAME: byte for byte, the final newline or its absence included
	if cmp -s "$1" "$2"; then ok "$3"; else not_ok "$3" "$(diff "$2" "$1")"; fi
}

run run-operation dump
expect_rc 0 "to_json in its three forms"
printf '%s' '[{"id": 1.0, "x": 2.5, "s": "é\"", "d": "2024-01-02", "ts": "2024-01-02T03:04:05", "b": true, "n": null}, {"id": 2.0, "x": 10.0, "s": "b", "d": null, "ts": null, "b": false, "n": null}]' >"$WORK/list.want"
same_bytes out/list.json "$WORK/list.want" "a list of rows, no final newline"
cat >"$WORK/keyed.want" <<'EOS'
{
  "1": {
    "id": 1.0,
    "x": 2.5,
    "s": "é\"",
    "d": "2024-01-02",
    "ts": "2024-01-02T03:04:05",
    "b": true,
    "n": null
  },
  "2": {
    "id": 2.0,
    "x": 10.0,
    "s": "b",
    "d": null,
    "ts": null,
    "b": false,
    "n": null
  }
}
EOS
printf '%s' "$(cat "$WORK/keyed.want")" >"$WORK/keyed.want2"
same_bytes out/keyed.json "$WORK/keyed.want2" "keyed by a column, indented"
cat >"$WORK/lines.want" <<'EOS'
{"id": 1.0, "x": 2.5, "s": "é\"", "d": "2024-01-02", "ts": "2024-01-02T03:04:05", "b": true, "n": null}
{"id": 2.0, "x": 10.0, "s": "b", "d": null, "ts": null, "b": false, "n": null}
EOS
same_bytes out/lines.json "$WORK/lines.want" "one object a line, each ended"
run run-operation dup
expect_rc 1 "a key column with a value twice"
expect_err "Value 1 is not unique in the key column."
done_testing
