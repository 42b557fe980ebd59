{#-
  table: the new table is built under a temporary name, then swapped in for the old one inside
  one transaction, so a model that fails leaves the previous table untouched.
-#}
{% materialization table, default %}
  {%- set target_relation = this.incorporate(type='table') -%}
  {% call(intermediate) sluice_build_and_swap(target_relation) -%}
    {{ get_create_table_as_sql(false, intermediate, sql) }}
  {%- endcall %}
  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
