{#-
  view: created under a temporary name and swapped in within one transaction, as tables are;
  an existing table of the same name is replaced by the view.
-#}
{% materialization view, default %}
  {%- set target_relation = this.incorporate(type='view') -%}
  {% call(intermediate) sluice_build_and_swap(target_relation) -%}
    {{ get_create_view_as_sql(intermediate, sql) }}
  {%- endcall %}
  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
