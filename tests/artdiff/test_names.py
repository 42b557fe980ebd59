#!/usr/bin/env python3
"""
The names dbt-core 1.9 gives a project's generic tests, derived from its properties files alone
(independently of Sluice): for each test, one JSON line
    {"unique_id", "name", "alias", "path", "fqn", "package_name"}
sorted by unique_id. The rules are dbt-core's (parser/generic_test_builders.py and
parser/schema_generic_tests.py on 1.9.latest), written again here:

- the full name is `<type>_<target>_<args>`: type is the test's name, `source_` before it for a
  source's test and `<namespace>_` before that for a namespaced one (dbt_utils.expression_is_true);
  target is the model/seed/snapshot name (`<model>_v<version>` for a version) or
  `<source>_<table>`; args are the test's arguments sorted by key (column_name among them, not
  model, not the config keys), a dict giving its values and a list its items, each str()'d and
  with every run of characters other than [0-9a-zA-Z_] turned into `_`, joined by `__`;
- a full name of 64 characters or more is shortened to its first 30 characters of `<type>_<target>`,
  `_` and the md5 of the full name: that short form is the alias and the file name (path); the name,
  fqn and unique_id keep the full name; a `name:` given to the test replaces both;
- the unique_id is `test.<project>.<name>.<hash>`, hash the last 10 hex digits of the md5 of the
  name followed by the repr of {namespace, name, kwargs} with every leaf str()'d and dict keys sorted
  (kwargs hold the arguments as written, plus model and column_name);
- fqn is [project, the folders of the properties file under its resource path..., name].

Usage: test_names.py PROJECT_DIR   (packages are read from its dbt_packages/ folder)
Versioned models are left out (their per-version columns and tests are not derived here); each one
is named on stderr.
"""
import copy
import hashlib
import json
import os
import re
import sys

import yaml

CONFIG_ARGS = ("severity", "tags", "enabled", "where", "limit", "warn_if", "error_if", "fail_calc",
               "store_failures", "store_failures_as", "meta", "database", "schema", "alias")
NAME_PATTERN = re.compile(r"((?P<ns>([a-zA-Z_][0-9a-zA-Z_]*))\.)?(?P<name>([a-zA-Z_][0-9a-zA-Z_]*))")


def md5(text):
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def synthesize(test_type, target, args):
    flat = []
    for key in sorted(args):
        if key == "model":
            continue
        val = args[key]
        if isinstance(val, dict):
            parts = list(val.values())
        elif isinstance(val, (list, tuple)):
            parts = list(val)
        else:
            parts = [val]
        flat.extend(str(p) for p in parts)
    unique = "__".join(re.sub("[^0-9a-zA-Z_]+", "_", a) for a in flat)
    ident = "{}_{}".format(test_type, target)
    full = "{}_{}".format(ident, unique)
    short = "{}_{}".format(ident[:30], md5(full)) if len(full) >= 64 else full
    return short, full


def hashable(data):
    if type(data) == dict:
        return {k: hashable(data[k]) for k in sorted(data.keys())}
    if type(data) == list:
        return [hashable(v) for v in data]
    return str(data)


def one_test(project, yml_rel, kind, target, column_name, data_test, source=None):
    if isinstance(data_test, str):
        data_test = {data_test: {}}
    data_test = dict(data_test)
    if "test_name" in data_test:
        test_name = data_test.pop("test_name")
        args = data_test
    else:
        (test_name, args), = data_test.items()
    args = copy.deepcopy(args if args is not None else {})
    if column_name is not None:
        args["column_name"] = column_name
    # dbt 1.10+ (require_generic_test_arguments_property): `arguments:` merged over the keys beside
    # it, before config, name and description are taken out
    arguments = args.pop("arguments", {})
    if isinstance(arguments, dict):
        args = {**args, **arguments}
    m = NAME_PATTERN.match(test_name)
    ns, name = m.group("ns"), m.group("name")
    config = {}
    nested = args.get("config") or {}
    for key in CONFIG_ARGS:
        val = args.pop(key, None)
        if not val and "config" in args:
            val = args["config"].pop(key, None) if isinstance(args["config"], dict) else None
        if val is not None:
            config[key] = val
    if isinstance(nested, dict):
        config.update({k: v for k, v in nested.items() if v is not None})
    args.pop("config", None)
    args.pop("description", None)
    if kind == "source":
        model_str = "{{ get_where_subquery(source('%s', '%s')) }}" % (source[0], source[1])
    else:
        model_str = "{{ get_where_subquery(ref('%s')) }}" % target
    if "name" in args:
        compiled = full = args.pop("name")
    else:
        test_type = ("source_" + name) if kind == "source" else name
        if ns is not None:
            test_type = "{}_{}".format(ns, test_type)
        compiled, full = synthesize(test_type, target if kind != "source" else "%s_%s" % source, args)
        if compiled != full and "alias" not in config:
            config["alias"] = compiled
    args["model"] = model_str
    metadata = {"namespace": ns, "name": name, "kwargs": args}
    test_hash = md5(full + repr(hashable(metadata)))[-10:]
    parts = yml_rel.split("/")
    fqn = [project] + parts[1:-1] + [full]
    return {"unique_id": "test.%s.%s.%s" % (project, full, test_hash), "name": full,
            "alias": config.get("alias", full), "path": compiled + ".sql", "fqn": fqn,
            "package_name": project}


def quoted(col, default):
    q = col.get("quote")
    return '"%s"' % col["name"] if (q or (q is None and default)) else col["name"]


def entry_tests(project, yml_rel, kind, target, entry, source=None, quote_default=False):
    out = []
    for col in entry.get("columns") or []:
        if not isinstance(col, dict) or "name" not in col:
            continue
        for t in (col.get("data_tests") or col.get("tests") or []):
            out.append(one_test(project, yml_rel, kind, target, quoted(col, quote_default), t, source))
    for t in (entry.get("data_tests") or entry.get("tests") or []):
        out.append(one_test(project, yml_rel, kind, target, None, t, source))
    return out


def project_tests(root):
    with open(os.path.join(root, "dbt_project.yml")) as f:
        proj = yaml.safe_load(f)
    name = proj["name"]
    paths = []
    for key, dflt in (("model-paths", ["models"]), ("seed-paths", ["seeds"]), ("snapshot-paths", ["snapshots"]),
                      ("analysis-paths", ["analyses"]), ("macro-paths", ["macros"]), ("test-paths", ["tests"])):
        for p in proj.get(key, dflt):
            if p not in paths:
                paths.append(p)
    out = []
    for base in paths:
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, base)):
            dirnames.sort()
            for fn in sorted(filenames):
                if not fn.endswith((".yml", ".yaml")):
                    continue
                full = os.path.join(dirpath, fn)
                rel = os.path.relpath(full, root).replace(os.sep, "/")
                with open(full) as f:
                    doc = yaml.safe_load(f) or {}
                for section in ("models", "seeds", "snapshots", "analyses"):
                    for e in doc.get(section) or []:
                        if not isinstance(e, dict) or "name" not in e:
                            continue
                        if section == "models" and e.get("versions"):
                            print("versioned model left out: %s.%s" % (name, e["name"]), file=sys.stderr)
                            continue
                        out += entry_tests(name, rel, section, e["name"], e)
                for s in doc.get("sources") or []:
                    sq = (s.get("quoting") or {}).get("column", False)
                    for t in s.get("tables") or []:
                        tq = (t.get("quoting") or {}).get("column", sq)
                        out += entry_tests(name, rel, "source", None, t, (s["name"], t["name"]), tq)
    return out


def main():
    root = sys.argv[1]
    tests = project_tests(root)
    pkgs = os.path.join(root, "dbt_packages")
    if os.path.isdir(pkgs):
        for d in sorted(os.listdir(pkgs)):
            if os.path.isfile(os.path.join(pkgs, d, "dbt_project.yml")):
                tests += project_tests(os.path.join(pkgs, d))
    for t in sorted(tests, key=lambda t: t["unique_id"]):
        print(json.dumps(t, sort_keys=True))


if __name__ == "__main__":
    main()
