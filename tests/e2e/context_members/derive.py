#!/usr/bin/env python3
"""Prints the member names of dbt-core's ModelContext, from its Python source.

  git --git-dir=<dbt-core mirror> show 1.9.latest:core/dbt/context/<f>.py > <f>.py   (for base,
  target, configured, manifest, providers), then: python3 derive.py > dbt_1.9_model_context.txt

A member is a method decorated with @contextmember or @contextproperty (named by the decorator's
argument when it has one) on ModelContext or a class it derives from; BaseContext.to_dict() adds
`context` and `builtins`. `debug` exists only with DBT_MACRO_DEBUGGING set, so it is left out.
"""
import ast

classes = {}
for f in ("base", "target", "configured", "manifest", "providers"):
    tree = ast.parse(open(f + ".py").read())
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        members = []
        for item in node.body:
            if not isinstance(item, ast.FunctionDef):
                continue
            for d in item.decorator_list:
                if isinstance(d, ast.Call) and getattr(d.func, "id", "") in ("contextmember", "contextproperty"):
                    members.append(d.args[0].value if d.args else item.name)
        classes[node.name] = ([b.id for b in node.bases if isinstance(b, ast.Name)], members)


def collect(name):
    if name not in classes:
        return set()
    bases, members = classes[name]
    out = set(members)
    for b in bases:
        out |= collect(b)
    return out


print("\n".join(sorted(collect("ModelContext") | {"context", "builtins"})))
