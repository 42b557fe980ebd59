{% macro m(x, y=2) %}{{ x ~ y }}{% endmacro %}
{% for i in l if i is number %}{{ loop.index }}:{{ m(i) }}{% else %}none{% endfor %}
{% set ns = namespace(t=0) %}{% for k, v in d.items() %}{% set ns.t = ns.t + 1 %}{{ k|upper }}={{ v|default("-") }}{% endfor %}{{ ns.t }}
{{ s|replace("e", "E")|center(10) }} {{ n * 3 // 2 }} {{ "%05d"|format(n) }} {{ l|join(",") }} {{ d|tojson }}
