#!/usr/bin/env bash
# A macro file is read as dbt reads it (extract_toplevel_blocks): its macro, materialization and
# test blocks; whatever lies between them (notes, {{ }} that would not parse, other tags such as
# re_data's `{% https://... %}`) is not Jinja to dbt. A {% raw %} block and a quoted "%}" inside a
# macro do not end it. The expected line is Jinja2 3.1.6's rendering of each block on its own.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/tb/models" "$WORK/tb/macros" && cd "$WORK/tb"
printf 'name: tb\nprofile: tb\n' >dbt_project.yml
cat >macros/m.sql <<'EOS'
{% https://example.com/issues/143 %}
Some notes about these macros, with a {{ broken( expression }} in them.
{# a comment with {% macro fake() %}x{% endmacro %} in it #}
{% set top = 5 %}
{% macro hello(x) -%}
  {%- raw %}{% endmacro %}{% endraw -%} {{ x }} '%}'
{%- endmacro %}
{% if true %} stray {% endif %}
{% macro second() %}{{ "%}" }}two{% endmacro %}
trailing text {% unknown_tag %}
EOS
echo "select '{{ hello(1) }}' as a, '{{ second() }}' as b" >models/m.sql
run compile
expect_rc 0 "the macros of a file with other things around them load"
[ "$(tail -n 1 target/compiled/tb/models/m.sql)" = "select '{% endmacro %}1 '%}'' as a, '%}two' as b" ] &&
	ok "each macro as Jinja2 renders it" || not_ok "each macro as Jinja2 renders it" "$(cat target/compiled/tb/models/m.sql)"
run parse
expect_json target/manifest.json '.macros, Object.keys(d.macros).filter(k => k.startsWith("macro.tb.")).sort().join(",")' \
	"macro.tb.hello,macro.tb.second" "the comment's macro is no macro"
# a block never closed is still an error at its file
printf '{%% macro open() %%}x\n' >macros/bad.sql
run parse
expect_rc 2
expect_err "macros/bad.sql:"
done_testing
