{%- raw -%}{{ not rendered }}{% endraw %}{# comment #}{{ s[1:3] }}{{ l[-1] }}{{ (1, 2)|list }}{% filter upper %}x{% endfilter %}{{ range(3)|map("string")|list }}{{ "a" in s }}{{ d.k is defined }}
