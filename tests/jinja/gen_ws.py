#!/usr/bin/env python3
"""Generates the whitespace-control conformance corpus (tests/jinja/ws_gen_NN.test).

Random but deterministic (seeded) templates mix every whitespace marker Jinja2 knows
(`{%-`, `{%+`, `-%}`, `+%}`, `{{-`, `{{+`, `-}}`, `{#-`, `{#+`, `-#}`, `+#}`) with every block tag
(if/elif/else, for/else with break/continue, set and block set with filters, filter, macro, call,
do, raw, with, block, autoescape, include, import, extends) and comments, with data made of words,
spaces, tabs, newlines and the other characters Python counts as whitespace. Each template is
rendered by Python's Jinja2 (the oracle, configured as FORMAT.md says and as dbt does: trim_blocks
and lstrip_blocks off) and written with its output in the conformance format, so running the suite
never needs Python.

Usage:
    gen_ws.py [--seed N] [--count N] [--per-file N] [--out DIR]    (defaults reproduce the corpus)
    gen_ws.py --check     regenerate in memory and compare with the committed files

Cases whose template Jinja2 refuses, or whose text would collide with the format (a line starting
with %%), are drawn again; the count of cases written is always --count.
"""

import argparse
import os
import random
import sys

try:
    import jinja2
except ImportError:  # pragma: no cover
    sys.exit("gen_ws.py: Python package jinja2 is required (pip install 'jinja2>=3.1,<3.2')")

HERE = os.path.dirname(os.path.abspath(__file__))
PREFIX = "ws_gen_"

# whitespace Python's str.rstrip() and the regex \s both remove (besides ' ', '\t', '\n');
# '\r' is left out: the format forbids it and Jinja2 turns it into '\n' anyway
EXOTIC_WS = ["\x0b", "\x0c", "\x1c", "\x1f", "\x85", "\xa0", "\u2003", "\u2028", "\u3000"]

WORDS = ["a", "b", "xy", "sel", "q1", ",", ";", "()", "}", "%", "#", "-", "+", "=", "|", ".", "'", "x-",
         "+y", "#}", "%}", "}}", "-}", "{x", "é"]


class Gen:
    def __init__(self, rng):
        self.r = rng

    # ------------------------------------------------------------------ text pieces
    def pick(self, seq):
        return seq[self.r.randrange(len(seq))]

    def chance(self, p):
        return self.r.random() < p

    def ws(self, allow_empty=True, exotic=None):
        """A run of whitespace (maybe empty)."""
        exotic = self.exotic if exotic is None else exotic
        n = self.r.choice([0, 0, 1, 1, 1, 2, 3]) if allow_empty else self.r.choice([1, 1, 2, 3])
        out = []
        for _ in range(n):
            c = self.pick([" ", " ", " ", "\n", "\n", "\t", "  \n", "\n  "])
            if exotic and self.chance(0.2):
                c = self.pick(EXOTIC_WS)
            out.append(c)
        return "".join(out)

    def data(self):
        """Template data: words separated and surrounded by whitespace."""
        parts = []
        for _ in range(self.r.choice([0, 1, 1, 1, 2])):
            parts.append(self.ws())
            parts.append(self.pick(WORDS))
        parts.append(self.ws())
        return "".join(parts)

    def lsign(self):
        return self.pick(["", "", "", "-", "-", "+"])

    def rsign(self, plus=True):
        return self.pick(["", "", "", "-", "-", "+"] if plus else ["", "", "-", "-"])

    def inner(self):
        """Whitespace inside a tag, next to its delimiters."""
        return self.pick([" ", " ", " ", "", "  ", "\n", "\t", " \n "]) if not self.exotic or not self.chance(0.2) \
            else self.pick(EXOTIC_WS[:2] + [" "])

    def stmt(self, body, rplus=True):
        """A `{% body %}` tag with random signs and inner spacing."""
        return "{%" + self.lsign() + self.inner() + body + self.inner() + self.rsign(rplus) + "%}"

    def var(self, expr):
        return "{{" + self.lsign() + self.inner() + expr + self.inner() + self.rsign(False) + "}}"

    def comment(self):
        body = self.pick(["", " c ", "note", " {{ x }} ", " %} ", "-", " a -", "+", "\n", " x\n y ", "{%- if %}"])
        return "{#" + self.lsign() + body + self.rsign() + "#}"

    # ------------------------------------------------------------------ expressions
    def strlit(self):
        return self.pick(["'a'", "' b '", "'\\n'", "'c\\n'", "'\\t d'", "\"e f\"", "''", "' '", "'-'",
                          "'x\\n  y'"])

    def expr(self, scope):
        choices = [self.strlit, lambda: str(self.r.randrange(10)), lambda: "[1, 2]|join(' ')"]
        if scope["vars"]:
            choices += [lambda: self.pick(scope["vars"])] * 3
        if scope["loops"]:
            choices += [lambda: self.pick(["loop.index", "loop.first", "loop.length", "loop.revindex0"])]
        if scope["args"]:
            choices += [lambda: self.pick(scope["args"])] * 2
        if scope["macros"]:
            choices += [lambda: self.call_expr(scope)]
        e = self.pick(choices)()
        if self.chance(0.15):
            e = "%s ~ %s" % (e, self.strlit())
        return e

    def call_expr(self, scope):
        name, nargs = self.pick(scope["macros"])
        args = ", ".join(self.strlit() for _ in range(self.r.randrange(nargs + 1)))
        return "%s(%s)" % (name, args)

    def cond(self, scope):
        c = self.pick(["true", "false", "1 > 2", "[]", "[0]", "'x'", "none", "not false"])
        if scope["loops"] and self.chance(0.4):
            c = self.pick(["loop.first", "loop.last", "loop.index > 1", "not loop.last"])
        return c

    def seq(self):
        return self.pick(["[1, 2]", "[1, 2, 3]", "[]", "range(2)", "'ab'", "[' ', '\\n']", "['a']"])

    def filt(self, block=False):
        """A filter for `set x | f` (any) or `filter f` (string results only: Jinja2 joins the
        output of a filter block, so a number there fails)."""
        strs = ["upper", "trim", "replace(' ', '.')", "replace('\\n', '|')", "indent(2)", "indent(2, true)",
                "center(7)", "lower", "capitalize", "striptags", "title", "indent(1, blank=true)"]
        return self.pick(strs if block else strs + ["wordcount", "length"])

    # ------------------------------------------------------------------ nodes
    def body(self, scope, depth, budget):
        out = []
        for _ in range(self.r.randrange(1, budget + 1)):
            out.append(self.node(scope, depth))
        return "".join(out)

    def child_scope(self, scope, **kw):
        # the counters (nvar, nmacro, nblock) stay shared so that names never repeat
        s = {k: (v if k.startswith("n") else list(v) if isinstance(v, list) else v) for k, v in scope.items()}
        for k, v in kw.items():
            s[k] = s[k] + v
        return s

    def node(self, scope, depth):
        kinds = ["data", "data", "var", "var", "comment"]
        if depth < self.maxdepth:
            kinds += ["if", "for", "set", "setblock", "filter", "with", "raw", "do", "macro", "call", "recursive"]
            if depth == 0:
                kinds += ["block"]
            if scope["loops"]:
                kinds += ["loopctl"]
            if scope["in_caller_macro"]:
                kinds += ["caller", "caller"]
        k = self.pick(kinds)
        return getattr(self, "n_" + k)(scope, depth)

    def n_data(self, scope, depth):
        return self.data()

    def n_var(self, scope, depth):
        return self.data() + self.var(self.expr(scope)) + self.data()

    def n_comment(self, scope, depth):
        return self.data() + self.comment() + self.data()

    def n_if(self, scope, depth):
        s = self.stmt("if " + self.cond(scope)) + self.body(self.child_scope(scope), depth + 1, 2)
        for _ in range(self.pick([0, 0, 1, 2])):
            s += self.stmt("elif " + self.cond(scope)) + self.body(self.child_scope(scope), depth + 1, 1)
        if self.chance(0.5):
            s += self.stmt("else") + self.body(self.child_scope(scope), depth + 1, 1)
        return s + self.stmt("endif")

    def n_for(self, scope, depth):
        v = "i%d" % depth
        head = "for %s in %s" % (v, self.seq())
        if self.chance(0.15):
            head += " if %s" % self.pick(["true", "%s != 2" % v, "%s" % v])
        inner = self.child_scope(scope, vars=[v], loops=[v])
        s = self.stmt(head) + self.body(inner, depth + 1, 2)
        if self.chance(0.3):
            s += self.stmt("else") + self.body(self.child_scope(scope), depth + 1, 1)
        return s + self.stmt("endfor")

    def n_recursive(self, scope, depth):
        """A recursive loop over a small tree: [label, children]."""
        v = "r%d" % depth
        tree = self.pick(["[['a', []], ['b', [['c', []]]]]", "[['a', [['b', [['c', []]]]]]]", "[]",
                          "[['x', []]]"])
        inner = self.child_scope(scope, loops=[v])
        s = self.stmt("for %s in %s recursive" % (v, tree)) + self.data() + self.var(v + "[0]")
        s += self.data() + self.stmt("if %s[1]" % v) + self.data() + self.var("loop(%s[1])" % v) + \
            self.data() + self.stmt("endif") + self.body(inner, depth + 1, 1)
        return s + self.stmt("endfor")

    def n_loopctl(self, scope, depth):
        word = self.pick(["break", "continue"])
        if self.chance(0.6):
            return self.stmt("if " + self.cond(scope)) + self.data() + self.stmt(word) + self.data() + \
                self.stmt("endif")
        return self.stmt(word)

    def new_var(self, scope):
        scope["nvar"][0] += 1
        return "v%d" % scope["nvar"][0]

    def n_set(self, scope, depth):
        v = self.new_var(scope)
        s = self.data() + self.stmt("set %s = %s" % (v, self.expr(scope))) + self.data()
        scope["vars"].append(v)
        if self.chance(0.6):
            s += self.var(v) + self.data()
        return s

    def n_setblock(self, scope, depth):
        v = self.new_var(scope)
        head = "set " + v
        if self.chance(0.4):
            head += " | " + self.filt()
        s = self.stmt(head) + self.body(self.child_scope(scope), depth + 1, 2) + self.stmt("endset")
        scope["vars"].append(v)
        use = self.pick(["%s", "%s|string|replace('\\n', '/')", "%s|string|length", "'[' ~ %s ~ ']'"]) % v
        return s + self.data() + self.var(use) + self.data()

    def n_filter(self, scope, depth):
        f = self.filt(block=True)
        if self.chance(0.2):
            f += "|" + self.filt(block=True)
        return self.stmt("filter " + f) + self.body(self.child_scope(scope), depth + 1, 2) + \
            self.stmt("endfilter")

    def n_with(self, scope, depth):
        if self.chance(0.2):
            return self.stmt("with") + self.body(self.child_scope(scope), depth + 1, 2) + self.stmt("endwith")
        v = self.new_var(scope)
        inner = self.child_scope(scope, vars=[v])
        return self.stmt("with %s = %s" % (v, self.expr(scope))) + self.body(inner, depth + 1, 2) + \
            self.stmt("endwith")

    def n_raw(self, scope, depth):
        content = self.pick(["", " x ", "{{ y }}", " {%- if a -%} ", "{# z #}\n", "\n {{- 1 -}} \n",
                             "{% raw %}", "a\n\n", " {%+ for +%} "])
        content = self.ws() + content + self.ws()
        # the opening tag cannot end with "+%}" (Jinja2 then reads an unknown tag 'raw')
        return self.data() + self.stmt("raw", rplus=False) + content + self.stmt("endraw") + self.data()

    def n_do(self, scope, depth):
        v = self.new_var(scope)
        s = self.stmt("set %s = []" % v) + self.data()
        for _ in range(self.r.randrange(1, 3)):
            s += self.stmt("do %s.append(%s)" % (v, self.expr(scope))) + self.data()
        return s + self.var("%s|join(%s)" % (v, self.strlit()))

    def n_macro(self, scope, depth):
        scope["nmacro"][0] += 1
        name = "m%d" % scope["nmacro"][0]
        nargs = self.r.randrange(0, 3)
        params = ["p%d" % i for i in range(nargs)]
        sig = ", ".join(p if i == 0 else "%s=%s" % (p, self.strlit()) for i, p in enumerate(params))
        uses_caller = self.chance(0.4)
        caller_arg = uses_caller and self.chance(0.4)
        inner = self.fresh_scope(scope, args=params, macros=list(scope["macros"]),
                                 in_caller_macro=uses_caller, caller_arg=caller_arg)
        s = self.stmt("macro %s(%s)" % (name, sig)) + self.body(inner, depth + 1, 2)
        if uses_caller and "caller(" not in s:
            s += self.n_caller(inner, depth + 1)
        s += self.stmt("endmacro")
        if uses_caller:
            scope["caller_macros"].append((name, nargs, caller_arg))
        else:
            scope["macros"].append((name, nargs))
        # call it right away, once or twice
        for _ in range(self.pick([1, 1, 1, 2])):
            if uses_caller:
                s += self.call_block(scope, depth, name, nargs, caller_arg)
            else:
                s += self.data() + self.var(self.call_expr({"macros": [(name, nargs)]}))
        return s + self.data()

    def n_caller(self, scope, depth):
        if scope["caller_arg"] and self.chance(0.5):
            return self.data() + self.var("caller(%s)" % self.strlit()) + self.data()
        return self.data() + self.var("caller()") + self.data()

    def call_block(self, scope, depth, name, nargs, caller_arg):
        args = ", ".join(self.strlit() for _ in range(self.r.randrange(nargs + 1)))
        inner = self.child_scope(scope)
        inner["in_caller_macro"] = False
        inner["loops"] = []  # the body is a macro of its own: no break/continue there
        head = "call %s(%s)" % (name, args)
        if caller_arg or self.chance(0.3):
            head = "call(c=' ') %s(%s)" % (name, args)
            inner["args"] = inner["args"] + ["c"]
        return self.stmt(head) + self.body(inner, depth + 1, 2) + self.stmt("endcall")

    def n_call(self, scope, depth):
        if not scope["caller_macros"]:
            return self.n_macro(scope, depth)
        name, nargs, caller_arg = self.pick(scope["caller_macros"])
        return self.data() + self.call_block(scope, depth, name, nargs, caller_arg) + self.data()

    def n_block(self, scope, depth):
        scope["nblock"][0] += 1
        name = "b%d" % scope["nblock"][0]
        end = "endblock" + self.pick(["", " " + name])
        top = self.fresh_scope(scope)
        return self.stmt("block " + name) + self.body(top, depth + 1, 3) + self.stmt(end)

    # ------------------------------------------------------------------ whole cases
    def new_scope(self):
        return {"vars": [], "loops": [], "args": [], "macros": [], "caller_macros": [],
                "in_caller_macro": False, "caller_arg": False, "nvar": [0], "nmacro": [0], "nblock": [0]}

    def fresh_scope(self, scope, **kw):
        """An empty scope (a macro's or a block's body) sharing the name counters with `scope`."""
        s = self.new_scope()
        for k in ("nvar", "nmacro", "nblock"):
            s[k] = scope[k]
        s.update(kw)
        return s

    def template(self, budget):
        scope = self.new_scope()
        return self.body(scope, 0, budget)

    def case(self):
        """Returns (template, files): files is a list of (name, text)."""
        self.exotic = self.chance(0.1)
        self.maxdepth = self.pick([1, 1, 2, 2, 3])
        kind = self.pick(["plain"] * 14 + ["include", "import", "extends", "autoescape"])
        if kind == "plain":
            t = self.template(3)
            if self.chance(0.2):
                t += "\n"
            return t, []
        if kind == "autoescape":
            return self.data() + self.stmt("autoescape " + self.pick(["false", "true"])) + \
                self.template(3) + self.stmt("endautoescape") + self.data(), []
        if kind == "include":
            inc = self.template(3) + self.pick(["", "\n"])
            t = self.template(2) + self.stmt("include 'inc'") + self.template(2)
            return t, [("inc", inc)]
        if kind == "import":
            lib = ""
            names = []
            for i in range(self.r.randrange(1, 3)):
                inner = self.new_scope()
                inner["args"] = ["a"]
                lib += self.data() + self.stmt("macro lm%d(a='-')" % i) + self.body(inner, 1, 3) + \
                    self.stmt("endmacro") + self.data()
                names.append("lm%d" % i)
            if self.chance(0.5):
                head = "from 'lib' import " + ", ".join(names)
                calls = names
            else:
                head = "import 'lib' as L"
                calls = ["L." + n for n in names]
            t = self.data() + self.stmt(head) + self.data()
            for c in calls:
                t += self.var("%s(%s)" % (c, self.pick(["", self.strlit()]))) + self.data()
            return t, [("lib", lib)]
        # extends: a base with blocks, a child overriding some of them (text outside blocks is dropped)
        base, child = "", ""
        nblocks = self.r.randrange(1, 4)
        for i in range(nblocks):
            name = "blk%d" % i
            top = self.new_scope()
            top["nblock"] = [10 + i * 10]
            base += self.data() + self.stmt("block " + name) + self.body(top, 1, 2) + \
                self.stmt("endblock") + self.data()
            if self.chance(0.7):
                top = self.new_scope()
                top["nblock"] = [100 + i * 10]
                sup = self.var("super()") if self.chance(0.4) else ""
                child += self.data() + self.stmt("block " + name) + self.body(top, 1, 2) + sup + \
                    self.stmt("endblock") + self.data()
        child = self.data() + self.stmt("extends 'base'") + child
        if self.chance(0.3):
            child += self.comment() + self.data()
        return child, [("base", base)]


def render(tname, template, files):
    mapping = dict(files)
    mapping[tname] = template
    env = jinja2.Environment(
        loader=jinja2.DictLoader(mapping),
        extensions=["jinja2.ext.do", "jinja2.ext.loopcontrols"],
        autoescape=False,
        keep_trailing_newline=False,
    )
    return env.get_template(tname).render()


def format_ok(text):
    return "\r" not in text and not any(l.startswith("%%") for l in text.split("\n"))


def generate(seed, count, per_file):
    """Returns {filename: text}."""
    rng = random.Random(seed)
    g = Gen(rng)
    files = {}
    nfiles = (count + per_file - 1) // per_file
    n = 0
    redrawn = 0
    for fi in range(nfiles):
        fname = "%s%02d.test" % (PREFIX, fi)
        out = ["Generated by gen_ws.py (seed %d): whitespace control mixed with every block tag." % seed,
               "Do not edit: change gen_ws.py and regenerate. Expected outputs come from Jinja2 %s."
               % jinja2.__version__]
        for _ in range(min(per_file, count - n)):
            n += 1
            name = "ws %05d" % n
            while True:
                template, extra = g.case()
                try:
                    result = render("%s:%s" % (fname, name), template, extra)
                except Exception:
                    redrawn += 1
                    continue
                if all(format_ok(x) for x in [template, result] + [t for _, t in extra]):
                    break
                redrawn += 1
            out.append("%%TEST " + name)
            out.append("%%TEMPLATE")
            out.append(template)
            for fn, text in extra:
                out.append("%%FILE " + fn)
                out.append(text)
            out.append("%%EXPECT")
            out.append(result)
            out.append("%%END")
        files[fname] = "\n".join(out) + "\n"
    return files, redrawn


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=20261206)
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--per-file", type=int, default=1000)
    ap.add_argument("--out", default=HERE)
    ap.add_argument("--check", action="store_true", help="compare with the files in --out")
    args = ap.parse_args()
    files, redrawn = generate(args.seed, args.count, args.per_file)
    if args.check:
        bad = 0
        for fname, text in sorted(files.items()):
            path = os.path.join(args.out, fname)
            try:
                with open(path, encoding="utf-8", newline="") as f:
                    same = f.read() == text
            except OSError:
                same = False
            if not same:
                print("%s differs from a fresh generation" % path)
                bad += 1
        return 1 if bad else 0
    for old in os.listdir(args.out):
        if old.startswith(PREFIX) and old.endswith(".test") and old not in files:
            os.remove(os.path.join(args.out, old))
    for fname, text in sorted(files.items()):
        with open(os.path.join(args.out, fname), "w", encoding="utf-8", newline="") as f:
            f.write(text)
    print("wrote %d cases in %d files (%d drawings refused by Jinja2 or the format)"
          % (args.count, len(files), redrawn), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
