{#-
  The primary key of a table that a statement creates with CREATE TABLE ... AS SELECT on Confluent
  Cloud: the model's primary_key config (a column or a list) as the column list's only element,
  `(PRIMARY KEY (a, b) NOT ENFORCED)`, so that an updating query (an aggregation, a join) writes an
  upsert table keyed by it; nothing when the model has none.
-#}
{% macro confluent_ctas_key() -%}
  {%- set keys = flink_as_list(config.get('primary_key')) -%}
  {%- if keys -%}
    {%- set quoted = [] -%}
    {%- for k in keys -%}{%- do quoted.append(adapter.quote(k)) -%}{%- endfor -%}
    {{- ' (PRIMARY KEY (' ~ quoted | join(', ') ~ ') NOT ENFORCED)' -}}
  {%- endif -%}
{%- endmacro %}
