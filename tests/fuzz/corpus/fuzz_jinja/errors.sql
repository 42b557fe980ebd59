{% call m() %}body{% endcall %}{{ undefined_thing.attr }}
{% if %}
