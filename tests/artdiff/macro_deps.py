#!/usr/bin/env python3
"""Derives each macro's depends_on.macros with dbt-core 1.9's rules, on Jinja2's own syntax tree.

    macro_deps.py --root NAME --adapter duckdb [--internal dbt] PKG=DIR... > expected.json

Each PKG=DIR is a package whose .sql files under DIR define macros (the root project's, the
packages', and the internal package "dbt"). Prints {unique_id: [unique_id, ...]} for every macro,
as dbt's ManifestLoader.macro_depends_on fills them: statically_extract_macro_calls over the
macro's calls in find_all order, adapter.dispatch resolved as dbt's dispatch searches, names
resolved as MacroResolver.get_macro resolves them. Written from dbt-core's rules, for the tests'
expected values (the tests themselves never run Python).
"""
import argparse
import json
import os
import sys

import jinja2
import jinja2.ext
from jinja2 import nodes

CONTEXT = {"builtins", "dbt_version", "var", "env_var", "return", "fromjson", "tojson", "fromyaml",
           "toyaml", "set", "set_strict", "zip", "zip_strict", "log", "run_started_at",
           "invocation_id", "thread_id", "modules", "flags", "print", "diff_of_two_dicts",
           "local_md5", "target", "project_name"}


class TestTag(jinja2.ext.Extension):
    """{% test name(args) %} ... {% endtest %}: a macro named test_<name>"""
    tags = {"test", "data_test"}

    def parse(self, parser):
        node = nodes.Macro(lineno=next(parser.stream).lineno)
        node.name = "test_" + parser.parse_assign_target(name_only=True).name
        parser.parse_signature(node)
        node.body = parser.parse_statements(("name:endtest", "name:enddata_test"), drop_needle=True)
        return node


class MaterializationTag(jinja2.ext.Extension):
    """{% materialization name, adapter='x' %}: a macro named materialization_<name>_<adapter>"""
    tags = {"materialization"}

    def parse(self, parser):
        node = nodes.Macro(lineno=next(parser.stream).lineno)
        name = parser.parse_assign_target(name_only=True).name
        adapter = "default"
        node.args, node.defaults = [], []
        while parser.stream.skip_if("comma"):
            target = parser.parse_assign_target(name_only=True)
            if target.name == "default":
                continue
            parser.stream.expect("assign")
            value = parser.parse_expression()
            if target.name == "adapter":
                adapter = value.value
            elif target.name == "supported_languages":
                target.set_ctx("param")
                node.args.append(target)
                node.defaults.append(value)
        node.name = "materialization_%s_%s" % (name, adapter)
        node.body = parser.parse_statements(("name:endmaterialization",), drop_needle=True)
        return node


class Skip(jinja2.ext.Extension):
    """{% docs %} and {% snapshot %} blocks: not macros"""
    tags = {"docs", "snapshot"}

    def parse(self, parser):
        tag = next(parser.stream).value
        while not parser.stream.current.test("block_end"):
            next(parser.stream)
        parser.parse_statements(("name:end" + tag,), drop_needle=True)
        return nodes.Output([])


def calls(macro):
    """dbt's statically_extract_macro_calls: names as called, dispatch as (name, namespace)"""
    out = []
    for call in macro.find_all(nodes.Call):
        fn = call.node
        if hasattr(fn, "name"):
            name = fn.name
        elif isinstance(fn, nodes.Getattr) and isinstance(fn.node, nodes.Name):
            if fn.node.name == "adapter":
                if fn.attr == "dispatch":
                    out.append(("dispatch", call))
                continue
            name = "%s.%s" % (fn.node.name, fn.attr)
        else:
            continue
        if name in ("source", "ref", "config") or name in CONTEXT:
            continue
        out.append(("name", name))
    return out


class Resolver:
    def __init__(self, macros, root, internal, prefixes, projects):
        self.macros = macros  # [(package, name)]
        self.root, self.internal, self.prefixes, self.projects = root, internal, prefixes, projects
        self.pkgs = {}
        for pkg, name in macros:
            self.pkgs.setdefault(pkg, {})[name] = (pkg, name)
        self.internal_ns = {}
        for pkg in reversed(internal):
            self.internal_ns.update(self.pkgs.get(pkg, {}))
        self.by_name = dict(self.internal_ns)
        for pkg, ms in self.pkgs.items():
            if pkg not in internal:
                self.by_name.update(ms)
        self.by_name.update(self.pkgs.get(root, {}))

    def get_macro(self, package, name):
        local = self.pkgs.get(package, {})
        return local.get(name) or self.by_name.get(name)

    def from_package(self, package, name):
        if package is None:
            return self.by_name.get(name)
        if package == "dbt":
            return self.internal_ns.get(name)
        if package in self.internal:
            return None
        return self.pkgs.get(package, {}).get(name)

    def dispatch(self, name, ns):
        if ns is None or ns not in self.projects:
            search = [None]
        else:
            search = [self.root, ns]
        for pkg in search:
            for prefix in self.prefixes:
                m = self.from_package(pkg, "%s__%s" % (prefix, name))
                if m:
                    return m
        return None


def deps_of(res, package, name, macro):
    names = []
    for kind, x in calls(macro):
        if kind == "name":
            names.append(x)
            continue
        fname, ns = None, None
        if x.args and isinstance(x.args[0], nodes.Const) and isinstance(x.args[0].value, str):
            fname = x.args[0].value
            names.append(fname)
        for kw in x.kwargs:
            if isinstance(kw.value, nodes.Const) and kw.key == "macro_name":
                fname = kw.value.value
                names.append(fname)
            elif isinstance(kw.value, nodes.Const) and kw.key == "macro_namespace":
                ns = kw.value.value
        if len(x.args) > 1 and isinstance(x.args[1], nodes.Const):
            ns = x.args[1].value
        if fname and "." not in fname:
            m = res.dispatch(fname, ns)
            if m:
                names.append("%s.%s" % m)
    out = []
    for called in names:
        if called == name:
            continue
        pkg, mname = called.split(".") if "." in called else (package, called)
        m = res.get_macro(pkg, mname)
        if m:
            uid = "macro.%s.%s" % m
            if uid not in out:
                out.append(uid)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--adapter", default="duckdb")
    ap.add_argument("--internal", default="dbt")
    ap.add_argument("packages", nargs="+")
    a = ap.parse_args()
    env = jinja2.Environment(extensions=["jinja2.ext.do", "jinja2.ext.loopcontrols", TestTag, MaterializationTag, Skip])
    found = []  # (package, name, Macro node)
    for spec in a.packages:
        pkg, d = spec.split("=", 1)
        for base, dirs, files in sorted(os.walk(d)):
            dirs.sort()
            for f in sorted(files):
                if not f.endswith(".sql"):
                    continue
                with open(os.path.join(base, f), encoding="utf-8") as fh:
                    tree = env.parse(fh.read())
                for n in tree.body:
                    if isinstance(n, nodes.Macro):
                        found.append((pkg, n.name, n))
    internal = a.internal.split(",")
    projects = {p for p, _, _ in found} | {a.root} | set(internal)
    res = Resolver([(p, n) for p, n, _ in found], a.root, internal, [a.adapter, "default"], projects)
    result = {}
    for pkg, name, node in found:
        result["macro.%s.%s" % (pkg, name)] = deps_of(res, pkg, name, node)
    json.dump(result, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
