{#-
  Confluent Cloud's table options and statement settings from a model's config, named as
  dbt-confluent names them:
    with                  the table options: WITH ('k' = 'v', ...), e.g. {'changelog.mode': 'append'}
    distributed_by        {columns: [..], buckets: n}: DISTRIBUTED BY HASH(cols) [INTO n BUCKETS];
                          the columns must lead the table's schema, in that order (Confluent refuses
                          the table otherwise). A list or a column name with a `buckets` config
                          beside it is the earlier form, also taken.
    start_mode            materialized_table only: START_MODE = FROM_BEGINNING | FROM_NOW |
                          RESUME_OR_FROM_BEGINNING (where the statement starts reading its sources)
    statement_properties  the statement's properties (spec.properties): sql.* options such as
                          'sql.state-ttl' or 'sql.tables.scan.startup.mode'; the catalog, database
                          and snapshot mode are Sluice's to set
    statement_name        the base of the statement names instead of <prefix><project>-<model>
    compute_pool_id       the compute pool of the model's statements instead of the profile's (not
                          part of the definition: a running statement keeps its pool until it is
                          submitted again)
  Every mistake is a compilation error naming the model's file.
-#}

{% macro confluent_fail(msg) -%}
  {%- do exceptions.raise_compiler_error("model " ~ model.name ~ " (" ~ model.original_file_path ~ "): " ~ msg) -%}
{%- endmacro %}

{% macro confluent_scalar_text(value) -%}
  {%- if value is sameas true or value is sameas false -%}{{ return(value | string | lower) }}{%- endif -%}
  {{ return(value | string) }}
{%- endmacro %}

{#- The table options of config `with` (after `first`, e.g. the connector) -#}
{% macro confluent_with_options(first=none) -%}
  {%- set given = config.get('with') -%}
  {%- if given is none -%}{%- set given = {} -%}{%- endif -%}
  {%- if given is not mapping -%}
    {%- do confluent_fail("config `with` must be a mapping of table options, e.g. with={'changelog.mode': 'append'}, not " ~ given) -%}
  {%- endif -%}
  {%- set out = {} -%}
  {%- if first -%}{%- do out.update(first) -%}{%- endif -%}
  {%- for key, value in given.items() -%}
    {%- if value is none or value is mapping or (value is iterable and value is not string) -%}
      {%- do confluent_fail("table option '" ~ key ~ "' in config `with` must be a string, number or boolean") -%}
    {%- endif -%}
    {%- do out.update({key | string: confluent_scalar_text(value)}) -%}
  {%- endfor -%}
  {{ return(out) }}
{%- endmacro %}

{#- "WITH (...)" or "" -#}
{% macro confluent_with_clause(options) -%}
  {%- if not options -%}{{ return('') }}{%- endif -%}
  {{ return(flink_with_clause(options) | trim) }}
{%- endmacro %}

{#- "DISTRIBUTED BY HASH(...) [INTO n BUCKETS]" or "" -#}
{% macro confluent_distributed_by() -%}
  {%- set d = config.get('distributed_by') -%}
  {%- set buckets = config.get('buckets') -%}
  {%- if d is none -%}
    {%- if buckets is not none -%}
      {%- do confluent_fail("config `buckets` needs distributed_by: write distributed_by={'columns': ['<key column>'], 'buckets': " ~ buckets ~ "}") -%}
    {%- endif -%}
    {{ return('') }}
  {%- endif -%}
  {%- if d is string or (d is iterable and d is not mapping) -%}
    {%- set d = {'columns': flink_as_list(d), 'buckets': buckets} -%}
  {%- elif d is mapping -%}
    {%- for key in d -%}
      {%- if key not in ['columns', 'buckets'] -%}
        {%- do confluent_fail("distributed_by takes columns and buckets, not '" ~ key ~ "' (Confluent distributes by HASH only)") -%}
      {%- endif -%}
    {%- endfor -%}
    {%- if buckets is not none -%}
      {%- do confluent_fail("give the bucket count once, inside distributed_by={'columns': [...], 'buckets': n}, not also as config `buckets`") -%}
    {%- endif -%}
  {%- else -%}
    {%- do confluent_fail("distributed_by must be a mapping {'columns': ['<key column>', ...], 'buckets': <n>}, not " ~ d) -%}
  {%- endif -%}
  {%- set columns = d.get('columns') -%}
  {%- if columns is none or columns is string or columns is mapping or columns is not iterable or columns | length == 0 -%}
    {%- do confluent_fail("distributed_by needs columns: a non-empty list of column names, e.g. {'columns': ['order_id']}") -%}
  {%- endif -%}
  {%- set quoted = [] -%}
  {%- for c in columns -%}
    {%- if c is not string or c | trim == '' or '`' in c -%}
      {%- do confluent_fail("distributed_by columns must be column names (non-empty, without backticks), not " ~ c) -%}
    {%- endif -%}
    {%- do quoted.append(adapter.quote(c)) -%}
  {%- endfor -%}
  {%- set b = d.get('buckets') -%}
  {%- if b is not none and (b is sameas true or b is sameas false or b is not number or b != b | int or b < 1) -%}
    {%- do confluent_fail("distributed_by buckets must be a positive integer, not " ~ b) -%}
  {%- endif -%}
  {{ return('DISTRIBUTED BY HASH(' ~ quoted | join(', ') ~ ')' ~ (' INTO ' ~ b ~ ' BUCKETS' if b is not none else '')) }}
{%- endmacro %}

{#- START_MODE of a materialized table, upper case, or none; elsewhere an error -#}
{% macro confluent_start_mode(for_mt) -%}
  {%- set m = config.get('start_mode') -%}
  {%- if m is none -%}{{ return(none) }}{%- endif -%}
  {%- if not for_mt -%}
    {%- do confluent_fail("start_mode applies to materialized_table only (START_MODE of CREATE OR ALTER MATERIALIZED TABLE); to choose where a streaming_table starts reading, set statement_properties={'sql.tables.scan.startup.mode': 'latest-offset'}") -%}
  {%- endif -%}
  {%- set modes = ['FROM_BEGINNING', 'FROM_NOW', 'RESUME_OR_FROM_BEGINNING'] -%}
  {%- if m is not string or (m | upper) not in modes -%}
    {%- do confluent_fail("'" ~ m ~ "' is not a start_mode: use one of " ~ modes | join(', ')) -%}
  {%- endif -%}
  {{ return(m | upper) }}
{%- endmacro %}

{#- The statement properties (a mapping, {} when none), checked -#}
{% macro confluent_statement_properties() -%}
  {%- set p = config.get('statement_properties') -%}
  {%- if p is none -%}{{ return({}) }}{%- endif -%}
  {%- if p is not mapping -%}
    {%- do confluent_fail("statement_properties must be a mapping of sql.* properties, e.g. {'sql.state-ttl': '12 h'}, not " ~ p) -%}
  {%- endif -%}
  {%- set out = {} -%}
  {%- for key, value in p.items() -%}
    {%- if key in ['sql.current-catalog', 'sql.current-database', 'sql.snapshot.mode'] -%}
      {%- do confluent_fail("statement_properties: '" ~ key ~ "' is a reserved system property: Sluice sets it from the profile (and sql.snapshot.mode for bounded statements)") -%}
    {%- endif -%}
    {%- if value is none or value is mapping or (value is iterable and value is not string) -%}
      {%- do confluent_fail("statement_properties: the value of '" ~ key ~ "' must be a string, number or boolean") -%}
    {%- endif -%}
    {%- do out.update({key | string: confluent_scalar_text(value)}) -%}
  {%- endfor -%}
  {{ return(out) }}
{%- endmacro %}

{#- The statement properties as lines of a definition (so that changing them changes the hash) -#}
{% macro confluent_properties_text(props) -%}
  {%- set lines = [] -%}
  {%- for key in props | sort -%}{%- do lines.append("-- statement property '" ~ key ~ "' = '" ~ props[key] ~ "'") -%}{%- endfor -%}
  {{ return(lines | join('\n')) }}
{%- endmacro %}

{#- CREATE TABLE relation [DISTRIBUTED BY ...] [WITH (...)] AS: the head of a CTAS with the model's
    options; exactly "CREATE TABLE relation AS" without options -#}
{% macro confluent_ctas_head(relation, key='') -%}
  {%- set parts = ['CREATE TABLE ' ~ relation ~ key] -%}
  {%- set dist = confluent_distributed_by() -%}
  {%- set w = confluent_with_clause(confluent_with_options()) -%}
  {%- if not dist and not w -%}{{ return('CREATE TABLE ' ~ relation ~ key ~ ' AS') }}{%- endif -%}
  {%- if dist -%}{%- do parts.append(dist) -%}{%- endif -%}
  {%- if w -%}{%- do parts.append(w) -%}{%- endif -%}
  {%- do parts.append('AS') -%}
  {{ return(parts | join('\n')) }}
{%- endmacro %}

{#- config compute_pool_id (none: the profile's pool) -#}
{% macro confluent_compute_pool() -%}
  {%- set p = config.get('compute_pool_id') -%}
  {%- if p is not none and (p is not string or not p) -%}
    {%- do confluent_fail("compute_pool_id must be the id of a compute pool of the environment, e.g. 'lfcp-01x6d2', not " ~ p) -%}
  {%- endif -%}
  {{ return(p) }}
{%- endmacro %}
