#!/usr/bin/env python3
"""
A compact summary of one of dbt's artifact JSON schemas (schemas/dbt/*/vN.json in dbt-core): the
facts an artifact must satisfy, one a line, for tests/artdiff/schemacheck.c to apply without a
JSON-schema validator and without a copy of the schema.

    schema_summary.py SCHEMA.json > NAME.summary

Lines are `FACT<TAB>PATH<TAB>VALUE`:
    type      the JSON types allowed at PATH (object, array, string, integer, number, boolean, null)
    required  the keys an object at PATH must have
    closed    the only keys an object at PATH may have (additionalProperties: false)
    enum      the only strings allowed at PATH (enum or const)
PATH is "." for the document, then keys joined by "/": "*" stands for any key of a mapping
(additionalProperties), "[]" for any item of an array. Where one of several object shapes is
allowed (anyOf) and the shapes differ by a constant resource_type, each shape's facts are under
PATH{resource_type=VALUE}; shapes that do not differ so are merged: a key is required when every
shape requires it, allowed when one allows it, and a type is allowed when one allows it.
"""
import json
import sys

facts = {}  # path -> {"types": set, "required": set|None, "closed": set|None|False, "enum": set|None}


def join(path, key):
    return key if path == "." else path + "/" + key


def fact(path):
    if path not in facts:
        facts[path] = {"types": set(), "required": None, "closed": None, "enum": None, "open_enum": False}
    return facts[path]


def alternatives(s):
    if "anyOf" in s:
        out = []
        for a in s["anyOf"]:
            out.extend(alternatives(a))
        return out
    return [s]


def value_type(c):
    return ("string" if isinstance(c, str) else "boolean" if isinstance(c, bool) else
            "integer" if isinstance(c, int) else "number" if isinstance(c, float) else "null")


def types_of(s):
    t = s.get("type")
    if isinstance(t, list):
        return set(t)
    if isinstance(t, str):
        return {t}
    if "properties" in s or "additionalProperties" in s:
        return {"object"}
    if "items" in s:
        return {"array"}
    if "const" in s or "enum" in s:
        return {value_type(c) for c in ([s["const"]] if "const" in s else s["enum"])}
    return {"object", "array", "string", "integer", "number", "boolean", "null"}


def discriminator(s):
    rt = (s.get("properties") or {}).get("resource_type")
    if not isinstance(rt, dict):
        return None
    if "const" in rt:
        return rt["const"]
    if isinstance(rt.get("enum"), list) and len(rt["enum"]) == 1:
        return rt["enum"][0]
    return None


def add_object(path, s, f):
    props = s.get("properties") or {}
    req = set(s.get("required") or [])
    f["required"] = req if f["required"] is None else f["required"] & req
    ap = s.get("additionalProperties", True)
    if ap is False:
        allowed = set(props)
        if f["closed"] is None:
            f["closed"] = allowed
        elif f["closed"] is not False:
            f["closed"] = f["closed"] | allowed
    else:
        f["closed"] = False
    for k, sub in props.items():
        walk(sub, join(path, k))
    if isinstance(ap, dict):
        walk(ap, join(path, "*"))


def walk(s, path):
    alts = alternatives(s)
    f = fact(path)
    variants = {}
    for a in alts:
        ts = types_of(a)
        f["types"] |= ts
        if ts == {"string"} and ("enum" in a or "const" in a):
            vals = a["enum"] if "enum" in a else [a["const"]]
            f["enum"] = set(vals) if f["enum"] is None else f["enum"] | set(vals)
        elif "string" in ts:
            f["open_enum"] = True
        if "object" in ts and ("properties" in a or "additionalProperties" in a):
            d = discriminator(a)
            if d is not None:
                variants.setdefault(d, []).append(a)
            else:
                add_object(path, a, f)
        if "array" in ts and "items" in a:
            walk(a["items"], join(path, "[]"))
    for d, shapes in variants.items():
        vpath = "%s{resource_type=%s}" % (path, d)
        vf = fact(vpath)
        vf["types"] |= {"object"}
        for shape in shapes:
            add_object(vpath, shape, vf)


def main():
    with open(sys.argv[1]) as fh:
        schema = json.load(fh)
    walk(schema, ".")
    print("# facts of %s (%s), derived by tests/artdiff/schema_summary.py" % (schema.get("$id", "?"),
                                                                           schema.get("title", "?")))
    for path in sorted(facts):
        f = facts[path]
        if f["types"]:
            print("type\t%s\t%s" % (path, ",".join(sorted(f["types"]))))
        if f["required"]:
            print("required\t%s\t%s" % (path, ",".join(sorted(f["required"]))))
        if f["closed"] not in (None, False):
            print("closed\t%s\t%s" % (path, ",".join(sorted(f["closed"]))))
        if f["enum"] and not f["open_enum"]:
            print("enum\t%s\t%s" % (path, ",".join(sorted(f["enum"]))))


if __name__ == "__main__":
    main()
