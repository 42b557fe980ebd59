{% set parts = [] %}
{% if execute %}
{% for k, m in graph.metrics.items() | sort %}{% do parts.append(m.name ~ '<' ~ (m.depends_on.nodes | join('+'))) %}{% endfor %}
{% for k, s in graph.semantic_models.items() | sort %}{% do parts.append(s.name ~ '@' ~ s.node_relation.alias ~ '#' ~ (s.measures | length)) %}{% endfor %}
{% for k, q in graph.saved_queries.items() | sort %}{% do parts.append(q.name ~ '?' ~ (q.query_params.metrics | join('+'))) %}{% endfor %}
{% endif %}
select '{{ parts | join(";") }}' as semantic
