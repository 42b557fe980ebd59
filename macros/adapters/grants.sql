{#-
  grants: the `grants` config ({privilege: [grantee, ...]}) applied to a relation once it is built.
  A relation built anew has no grants, so only the configured ones are granted; one kept from an
  earlier run (incremental) first loses the grants the config no longer names (should_revoke, in
  misc.sql with the DCL helpers).
  An engine gives its SQL through get_show_grant_sql, get_grant_sql and get_revoke_sql.
-#}
{% macro apply_grants(relation, grant_config, should_revoke=true) %}
  {{ return(adapter.dispatch('apply_grants', 'dbt')(relation, grant_config, should_revoke)) }}
{% endmacro %}

{% macro default__apply_grants(relation, grant_config, should_revoke=true) %}
  {%- if grant_config -%}
    {%- if should_revoke -%}
      {%- set current = run_query(get_show_grant_sql(relation)) -%}
      {%- for row in current.rows -%}
        {%- set grantee, privilege = row[0], row[1] | lower -%}
        {%- set wanted = (grant_config.get(privilege) or grant_config.get(privilege | upper) or []) -%}
        {%- set wanted = [wanted] if wanted is string else wanted -%}
        {%- if grantee not in wanted -%}
          {% call statement('revoke') %}{{ get_revoke_sql(relation, privilege, [grantee]) }}{% endcall %}
        {%- endif -%}
      {%- endfor -%}
    {%- endif -%}
    {%- for privilege, grantees in grant_config.items() -%}
      {%- set grantees = [grantees] if grantees is string else grantees -%}
      {%- if grantees -%}
        {% call statement('grant') %}{{ get_grant_sql(relation, privilege, grantees) }}{% endcall %}
      {%- endif -%}
    {%- endfor -%}
  {%- endif -%}
{% endmacro %}

{% macro get_show_grant_sql(relation) %}
  {{ return(adapter.dispatch('get_show_grant_sql', 'dbt')(relation)) }}
{% endmacro %}
{% macro default__get_show_grant_sql(relation) -%}
  {{ exceptions.raise_compiler_error("the " ~ adapter.type() ~ " adapter has no grants: remove the 'grants' config") }}
{%- endmacro %}

{% macro get_grant_sql(relation, privilege, grantees) %}
  {{ return(adapter.dispatch('get_grant_sql', 'dbt')(relation, privilege, grantees)) }}
{% endmacro %}
{% macro default__get_grant_sql(relation, privilege, grantees) -%}
  grant {{ privilege }} on {{ relation }} to {{ grantees | join(', ') }}
{%- endmacro %}

{% macro get_revoke_sql(relation, privilege, grantees) %}
  {{ return(adapter.dispatch('get_revoke_sql', 'dbt')(relation, privilege, grantees)) }}
{% endmacro %}
{% macro default__get_revoke_sql(relation, privilege, grantees) -%}
  revoke {{ privilege }} on {{ relation }} from {{ grantees | join(', ') }}
{%- endmacro %}

