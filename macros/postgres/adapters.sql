{#-
  PostgreSQL's SQL for the adapter macros that dispatch: relations (tables, views, materialized
  views, unlogged tables), indexes and grants. Each is a postgres__ implementation that a project
  can override as in dbt.
-#}

{% macro postgres_relation_keyword(relation) -%}
  {{- 'materialized view' if relation.type == 'materialized_view' else ('view' if relation.type == 'view' else 'table') -}}
{%- endmacro %}

{% macro postgres__drop_relation(relation) -%}
  {%- call statement('drop_relation', auto_begin=false) -%}
    drop {{ postgres_relation_keyword(relation) }} if exists {{ relation }} cascade
  {%- endcall -%}
{%- endmacro %}

{% macro postgres__rename_relation(from_relation, to_relation) -%}
  {%- call statement('rename_relation') -%}
    alter {{ postgres_relation_keyword(from_relation) }} {{ from_relation }} rename to {{ adapter.quote(to_relation.identifier) }}
  {%- endcall -%}
{%- endmacro %}

{#- The relations a materialization builds beside its target keep within PostgreSQL's 63-byte
    names (NAMEDATALEN - 1), which the server would silently cut: the target's identifier is cut
    first to leave room for the suffix, as dbt-postgres names them, so that a long name's
    intermediate or backup table is not the target's own name again -#}
{% macro postgres__make_relation_with_suffix(base_relation, suffix, dstring=false) %}
  {%- if dstring -%}
    {%- set suffix = suffix ~ modules.datetime.datetime.now().strftime('%H%M%S%f') -%}
  {%- endif -%}
  {%- set max_length = 63 -%}
  {%- if suffix | length > max_length -%}
    {%- do exceptions.raise_compiler_error('Relation suffix is too long (' ~ (suffix | length) ~ ' characters). Maximum length is ' ~ max_length ~ ' characters.') -%}
  {%- endif -%}
  {{ return(base_relation.incorporate(path={'identifier': base_relation.identifier[:max_length - (suffix | length)] ~ suffix})) }}
{% endmacro %}

{% macro postgres__make_intermediate_relation(base_relation, suffix) %}
  {{ return(postgres__make_relation_with_suffix(base_relation, suffix)) }}
{% endmacro %}

{#- a temporary table lives in the session's own schema: dbt-postgres names it with neither
    schema nor database, and a time string keeps two apart -#}
{% macro postgres__make_temp_relation(base_relation, suffix) %}
  {{ return(postgres__make_relation_with_suffix(base_relation, suffix, dstring=true).incorporate(path={'schema': none, 'database': none})) }}
{% endmacro %}

{#- Sluice's own materializations build plain tables beside the target, in its schema -#}
{% macro postgres__sluice_staging_relation(base_relation, suffix) %}
  {{ return(postgres__make_relation_with_suffix(base_relation, suffix)) }}
{% endmacro %}

{% macro postgres__make_backup_relation(base_relation, backup_relation_type, suffix) %}
  {{ return(postgres__make_relation_with_suffix(base_relation, suffix).incorporate(type=backup_relation_type)) }}
{% endmacro %}

{#- unlogged: true builds an UNLOGGED table (not written to the WAL: faster, lost on a crash);
    the indexes: config is created with the table, so the swap brings them along -#}
{% macro postgres__create_table_as(temporary, relation, sql) -%}
  {%- set unlogged = config.get('unlogged', false) -%}
  {%- set sql_header = config.get('sql_header', none) -%}
  {%- set contract_enforced = (config.get('contract') or {}).get('enforced') -%}
  {%- if contract_enforced -%}
    {{ get_assert_columns_equivalent(sql) }}
  {%- endif %}
  {{ sql_header if sql_header is not none }}
  create {% if temporary -%}temporary{%- elif unlogged -%}unlogged{%- endif %} table {{ relation.include(database=false, schema=(not temporary)) }}
  {%- if contract_enforced and not temporary %}
  {{ get_table_columns_and_constraints() }};
  insert into {{ relation.include(database=false) }} (
    {{ adapter.dispatch('get_column_names', 'dbt')() }}
  )
  {{ get_select_subquery(sql) }};
  {%- else %} as (
    {{ sql }}
  );
  {%- endif %}
  {%- if not temporary %}
  {%- for index_dict in config.get('indexes', []) or [] %}
  {{ get_create_index_sql(relation, index_dict) }};
  {%- endfor %}
  {%- endif %}
{%- endmacro %}

{% macro postgres__create_view_as(relation, sql) -%}
  {%- set sql_header = config.get('sql_header', none) -%}
  {%- if (config.get('contract') or {}).get('enforced') -%}
    {{ get_assert_columns_equivalent(sql) }}
  {%- endif %}
  {{ sql_header if sql_header is not none }}
  create view {{ relation.include(database=false) }} as (
    {{ sql }}
  )
{%- endmacro %}

{#- ---- indexes: {'columns': [...], 'unique': bool, 'type': 'btree'|'hash'|'gist'|...} (get_create_index_sql dispatches here) ---- -#}
{% macro postgres__get_create_index_sql(relation, index_dict) -%}
  {%- set columns = index_dict.get('columns') -%}
  {%- if columns is string -%}{%- set columns = [columns] -%}{%- endif -%}
  {%- if not columns -%}
    {{ exceptions.raise_compiler_error("an index of '" ~ model.name ~ "' has no 'columns': give e.g. {'columns': ['id']}") }}
  {%- endif -%}
  {%- set unique = index_dict.get('unique', false) -%}
  {%- set type = index_dict.get('type') -%}
  {%- set index_name = local_md5(columns | join('_') ~ '_' ~ unique ~ '_' ~ (type or '') ~ '_' ~ relation.identifier ~ '_' ~ modules.datetime.datetime.utcnow().isoformat()) -%}
  create {% if unique -%}unique {% endif %}index if not exists {{ adapter.quote(index_name) }}
  on {{ relation.include(database=false) }} {% if type %}using {{ type }} {% endif %}({{ columns | join(', ') }})
{%- endmacro %}

{#- ---- grants: {'select': ['role_a', 'role_b'], ...} ---- -#}
{% macro postgres__get_show_grant_sql(relation) -%}
  select grantee, privilege_type
  from information_schema.role_table_grants
  where grantor = current_role
    and grantee != current_role
    and table_schema = '{{ relation.schema }}'
    and table_name = '{{ relation.identifier }}'
{%- endmacro %}

{% macro postgres__get_grant_sql(relation, privilege, grantees) -%}
  grant {{ privilege }} on {{ relation.include(database=false) }} to {{ postgres_quote_roles(grantees) }}
{%- endmacro %}

{% macro postgres__get_revoke_sql(relation, privilege, grantees) -%}
  revoke {{ privilege }} on {{ relation.include(database=false) }} from {{ postgres_quote_roles(grantees) }}
{%- endmacro %}

{% macro postgres_quote_roles(grantees) -%}
  {%- set out = [] -%}
  {%- for g in grantees -%}{%- do out.append(adapter.quote(g)) -%}{%- endfor -%}
  {{- out | join(', ') -}}
{%- endmacro %}

{#- ---- incremental merge: MERGE from PostgreSQL 15, UPDATE ... FROM then INSERT before ---- -#}
{% macro postgres__get_incremental_merge_sql(arg_dict) %}
  {%- if adapter.server_version_num() >= 150000 -%}
    {{ return(get_merge_sql(arg_dict['target_relation'], arg_dict['temp_relation'], arg_dict['unique_key'], arg_dict['dest_columns'], arg_dict['incremental_predicates'])) }}
  {%- endif -%}
  {{ return(postgres_update_insert_sql(arg_dict['target_relation'], arg_dict['temp_relation'], arg_dict['unique_key'], arg_dict['dest_columns'], arg_dict['incremental_predicates'])) }}
{% endmacro %}

{#- microbatch, as dbt-postgres: a merge on the unique_key, which it needs -#}
{% macro postgres__get_incremental_microbatch_sql(arg_dict) %}
  {%- if not arg_dict['unique_key'] -%}
    {{ exceptions.raise_compiler_error("dbt-postgres 'microbatch' requires a `unique_key` config") }}
  {%- endif -%}
  {{ return(adapter.dispatch('get_incremental_merge_sql', 'dbt')(arg_dict)) }}
{% endmacro %}

{#- What MERGE does, in two statements: the matched keys are updated, the others inserted -#}
{% macro postgres_update_insert_sql(target, source, unique_key, dest_columns, incremental_predicates=none) -%}
  {%- set keys = [] if not unique_key else ([unique_key] if unique_key is string else unique_key) -%}
  {%- set update_cols = config.get('merge_update_columns') -%}
  {%- set exclude_cols = (config.get('merge_exclude_columns') or []) | map('lower') | list -%}
  {%- if update_cols is none -%}
    {%- set update_cols = [] -%}
    {%- for c in dest_columns if c.name | lower not in exclude_cols -%}{%- do update_cols.append(c.name) -%}{%- endfor -%}
  {%- endif -%}
  {%- set cols = get_quoted_csv(dest_columns | map(attribute='name')) -%}
  {%- set join_on -%}
    {%- for k in keys %}DBT_INTERNAL_SOURCE.{{ k }} = DBT_INTERNAL_DEST.{{ k }}{% if not loop.last %} and {% endif %}{% endfor -%}
    {%- for p in incremental_predicates or [] %} and ({{ p }}){% endfor -%}
  {%- endset -%}
  {%- if keys and update_cols %}
  update {{ target }} as DBT_INTERNAL_DEST set
    {% for c in update_cols %}{{ adapter.quote(c) }} = DBT_INTERNAL_SOURCE.{{ adapter.quote(c) }}{% if not loop.last %}, {% endif %}{% endfor %}
  from {{ source }} as DBT_INTERNAL_SOURCE
  where {{ join_on }};
  {% endif %}
  insert into {{ target }} ({{ cols }})
  select {{ cols }} from {{ source }} as DBT_INTERNAL_SOURCE
  {%- if keys %}
  where not exists (select 1 from {{ target }} as DBT_INTERNAL_DEST where {{ join_on }})
  {%- endif %}
{%- endmacro %}

{#- ---- tests ---- -#}
{% macro postgres__get_test_sql(main_sql, fail_calc, warn_if, error_if, limit) -%}
select
    {{ fail_calc }} as failures,
    case when {{ fail_calc }} {{ warn_if }} then true else false end as should_warn,
    case when {{ fail_calc }} {{ error_if }} then true else false end as should_error
from (
    {{ main_sql }}
    {{ 'limit ' ~ limit if limit is not none }}
) dbt_internal_test
{%- endmacro %}
