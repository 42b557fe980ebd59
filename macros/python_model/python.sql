{#-
  The code dbt appends to a Python model before handing it to the engine: functions ref() and
  source() that map the model's refs and sources to relation names and load them with the
  engine's loader, its config and meta values, `this`, and the dbtObj a model's function receives.
  Sluice runs no Python models (DuckDB's dbt-duckdb does, through its Python environment); these
  render the same code, for adapters and packages that build on them.
-#}

{#- the relation names of the model's refs, keyed as ref() is called: [package.]name[.vN] -#}
{% macro build_ref_function(model) -%}
  {%- set names = {} -%}
  {%- for r in model.refs -%}
    {%- set args = [r.get('package'), r['name']] if r.get('package') else [r['name']] -%}
    {%- set rel = ref(*args, v=r.get('version')) -%}
    {#- a relation renders without sample or empty-mode wrapping; an overridden ref may return a
        plain string, which is taken as it is -#}
    {%- if rel.render is defined and rel.render is callable -%}{%- set rel = rel.render() -%}{%- endif -%}
    {%- if r.get('version') -%}{%- do args.append('v' ~ r['version']) -%}{%- endif -%}
    {%- do names.update({args | join('.'): resolve_model_name(rel)}) -%}
  {%- endfor %}
def ref(*args, **kwargs):
    refs = {{ names | tojson }}
    key = '.'.join(args)
    version = kwargs.get("v") or kwargs.get("version")
    if version:
        key += f".v{version}"
    dbt_load_df_function = kwargs.get("dbt_load_df_function")
    return dbt_load_df_function(refs[key])
{% endmacro %}

{#- the relation names of the model's sources, keyed source_name.table_name -#}
{% macro build_source_function(model) -%}
  {%- set names = {} -%}
  {%- for s in model.sources -%}
    {%- do names.update({s | join('.'): resolve_model_name(source(*s))}) -%}
  {%- endfor %}
def source(*args, dbt_load_df_function):
    sources = {{ names | tojson }}
    key = '.'.join(args)
    return dbt_load_df_function(sources[key])
{% endmacro %}

{#- the config values (and meta values) the model's code reads with dbt.config.get / meta_get,
    each with the default it gave -#}
{% macro build_config_dict(model) -%}
  {%- set cfg = model.config -%}
  {%- set used = cfg.get('config_keys_used') or [] -%}
  {%- set defaults = cfg.get('config_keys_defaults') or [] -%}
  {%- set values = {} -%}
  {%- for key in used -%}
    {%- do values.update({key: cfg.get(key, defaults[loop.index0] if loop.index0 < defaults | length else none)}) -%}
  {%- endfor -%}
  {%- set meta_used = cfg.get('meta_keys_used') or [] -%}
  {%- set meta_defaults = cfg.get('meta_keys_defaults') or [] -%}
  {%- set meta = cfg.get('meta') or {} -%}
  {%- set meta_values = {} -%}
  {%- for key in meta_used -%}
    {%- set dflt = meta_defaults[loop.index0] if loop.index0 < meta_defaults | length else none -%}
    {%- do meta_values.update({key: meta[key] if key in meta else dflt}) -%}
  {%- endfor %}
config_dict = {{ values }}
meta_dict = {{ meta_values }}
{% endmacro %}

{% macro py_script_postfix(model) %}
# the model's own code ends here; what follows is needed to run it
# COMMAND ----------
# generated: ref(), source(), config and this for the code above

{{ build_ref_function(model) }}
{{ build_source_function(model) }}
{{ build_config_dict(model) }}

class config:
    def __init__(self, *args, **kwargs):
        pass

    @staticmethod
    def get(key, default=None):
        return config_dict.get(key, default)

    @staticmethod
    def meta_get(key, default=None):
        return meta_dict.get(key, default)

class this:
    """the model's own relation: dbt.this, dbt.this.identifier, ..."""
    database = "{{ this.database }}"
    schema = "{{ this.schema }}"
    identifier = "{{ this.identifier }}"
    def __repr__(self):
        return '{{ resolve_model_name(this) }}'


class dbtObj:
    def __init__(self, load_df_function) -> None:
        self.source = lambda *args: source(*args, dbt_load_df_function=load_df_function)
        self.ref = lambda *args, **kwargs: ref(*args, **kwargs, dbt_load_df_function=load_df_function)
        self.config = config
        self.this = this()
        self.is_incremental = {{ is_incremental() }}

# COMMAND ----------
{{ py_script_comment() }}
{% endmacro %}

{#- where an adapter adds how to run the compiled code: nothing by default -#}
{% macro py_script_comment() -%}
{%- endmacro %}
