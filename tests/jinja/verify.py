#!/usr/bin/env python3
"""Checks the Jinja conformance suite (tests/jinja/*.test) against Python's Jinja2.

Every case is rendered with Jinja2 (3.1.x) configured as FORMAT.md says:

    Environment(loader=DictLoader(...), extensions=['jinja2.ext.do', 'jinja2.ext.loopcontrols'],
                autoescape=False, keep_trailing_newline=False)   # default Undefined

- `%%EXPECT` cases: the output must equal the expected text exactly.
- `%%ERROR` cases: Jinja2 must raise. The lines under `%%ERROR` are fragments of OUR engine's message;
  they are not checked against Jinja2's wording (use --messages to compare them, for information).

Usage:
    verify.py [FILE.test ...]        check (default: every tests/jinja/*.test); exit 1 on failures
    verify.py --fix [FILE ...]       rewrite the %%EXPECT text of failing cases with Jinja2's output
    verify.py --show NAME [FILE ...] print the case(s) named NAME (exact, else substring match) with
                                     Jinja2's actual output or error
    verify.py --messages [FILE ...]  for %%ERROR cases, print Jinja2's message and the fragments it
                                     does not contain (case-insensitively); informational only
    verify.py --list [FILE ...]      print the case names, one per line (file:name)
"""

import argparse
import glob
import json
import os
import sys
import signal
import warnings

try:
    import jinja2
except ImportError:  # pragma: no cover
    sys.exit("verify.py: Python package jinja2 is required (pip install 'jinja2>=3.1,<3.2')")

HERE = os.path.dirname(os.path.abspath(__file__))

if not jinja2.__version__.startswith("3.1."):
    print("verify.py: warning: expected Jinja2 3.1.x, found %s" % jinja2.__version__, file=sys.stderr)

# Jinja2's lexer decodes string literals with Python's unicode-escape codec, which warns about unknown
# escapes such as '\d' (and keeps them verbatim); keep that behaviour even under -W error.
warnings.filterwarnings("ignore", category=DeprecationWarning)
warnings.filterwarnings("ignore", category=SyntaxWarning)

MARKERS = ("%%TEST", "%%TEMPLATE", "%%FILE", "%%CONTEXT", "%%EXPECT", "%%ERROR", "%%END")


class FormatError(Exception):
    pass


class Case:
    def __init__(self, path, name, lineno):
        self.path = path
        self.file = os.path.basename(path)
        self.name = name
        self.lineno = lineno  # line of the %%TEST marker (1-based)
        self.template = None
        self.files = []  # [(name, text)]
        self.context = None  # raw JSON text or None
        self.expect = None
        self.error = None  # list of fragments
        # (start, end) 0-based line indexes of the %%EXPECT content (end exclusive), for --fix
        self.expect_span = None

    @property
    def tname(self):
        return "%s:%s" % (self.file, self.name)


def parse_file(path):
    """Returns (cases, problems); problems are (lineno, message) format errors."""
    with open(path, encoding="utf-8", newline="") as f:
        text = f.read()
    if "\r" in text:
        return [], [(1, "file contains carriage returns (CRLF is not allowed)")]
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the file's final newline does not make an extra line
    cases, problems = [], []
    case = None
    section = None  # (kind, arg, start index)
    seen_names = set()

    def close_section(end):
        nonlocal section
        if section is None:
            return
        kind, arg, start = section
        content = "\n".join(lines[start:end])
        if kind == "%%TEMPLATE":
            if case.template is not None:
                problems.append((start, "case %r: two %%%%TEMPLATE sections" % case.name))
            case.template = content
        elif kind == "%%FILE":
            if not arg:
                problems.append((start, "case %r: %%%%FILE without a name" % case.name))
            elif any(n == arg for n, _ in case.files):
                problems.append((start, "case %r: %%%%FILE %s given twice" % (case.name, arg)))
            case.files.append((arg, content))
        elif kind == "%%CONTEXT":
            if case.context is not None:
                problems.append((start, "case %r: two %%%%CONTEXT sections" % case.name))
            case.context = content
        elif kind == "%%EXPECT":
            if case.expect is not None or case.error is not None:
                problems.append((start, "case %r: more than one %%%%EXPECT/%%%%ERROR" % case.name))
            case.expect = content
            case.expect_span = (start, end)
        elif kind == "%%ERROR":
            if case.expect is not None or case.error is not None:
                problems.append((start, "case %r: more than one %%%%EXPECT/%%%%ERROR" % case.name))
            case.error = [l for l in lines[start:end] if l.strip() != ""]
        section = None

    for i, line in enumerate(lines):
        if not line.startswith("%%"):
            if case is None:
                # outside a case: comments only (anything before the first %%TEST)
                if cases and not line.startswith("#"):
                    problems.append((i + 1, "text between cases must be a '#' comment: %r" % line))
            elif section is None:
                problems.append((i + 1, "text outside a section in case %r: %r" % (case.name, line)))
            continue
        word, _, arg = line.partition(" ")
        arg = arg.strip()
        if word not in MARKERS:
            problems.append((i + 1, "unknown marker %r" % word))
            continue
        if word == "%%TEST":
            if case is not None:
                problems.append((i + 1, "%%%%TEST before %%%%END of case %r" % case.name))
                close_section(i)
            if not arg:
                problems.append((i + 1, "%%TEST without a name"))
            if arg in seen_names:
                problems.append((i + 1, "duplicate case name %r" % arg))
            seen_names.add(arg)
            case = Case(path, arg, i + 1)
            section = None
            continue
        if case is None:
            problems.append((i + 1, "%s outside a case" % word))
            continue
        close_section(i)
        if word == "%%END":
            if case.template is None:
                problems.append((case.lineno, "case %r has no %%%%TEMPLATE" % case.name))
            if case.expect is None and case.error is None:
                problems.append((case.lineno, "case %r has neither %%%%EXPECT nor %%%%ERROR" % case.name))
            if case.error is not None and not case.error:
                problems.append((case.lineno, "case %r: %%%%ERROR needs at least one fragment" % case.name))
            cases.append(case)
            case = None
            continue
        section = (word, arg, i + 1)
    if case is not None:
        problems.append((case.lineno, "case %r is not closed by %%%%END" % case.name))
    return cases, problems


class NamedDictLoader(jinja2.DictLoader):
    """DictLoader that also reports each template's name as its filename, so that tracebacks say
    which template a runtime error happened in (used only for --messages)."""

    def get_source(self, environment, template):
        source, _, uptodate = super().get_source(environment, template)
        return source, template, uptodate


def render(case):
    """Returns ('ok', output) or ('error', exception)."""
    ctx = json.loads(case.context) if case.context is not None and case.context.strip() else {}
    if not isinstance(ctx, dict):
        raise FormatError("%%CONTEXT is not a JSON object")
    mapping = dict(case.files)
    mapping[case.tname] = case.template
    env = jinja2.Environment(
        loader=NamedDictLoader(mapping),
        extensions=["jinja2.ext.do", "jinja2.ext.loopcontrols"],
        autoescape=False,
        keep_trailing_newline=False,
    )
    try:
        return "ok", env.get_template(case.tname).render(ctx)
    except RecursionError as e:
        return "error", e
    except Exception as e:  # any exception counts as "rendering fails"
        return "error", e


def error_text(case, exc):
    """A message in the shape our engine prints: `name:LINE: error: message`."""
    names = set(n for n, _ in case.files) | {case.tname}
    where, line = None, None
    if isinstance(exc, jinja2.TemplateSyntaxError):
        where, line = exc.name, exc.lineno
    else:
        tb = exc.__traceback__
        while tb is not None:
            fn = tb.tb_frame.f_code.co_filename
            if fn in names:
                where, line = fn, tb.tb_lineno
            tb = tb.tb_next
    msg = str(exc).split("\n")[0] if isinstance(exc, jinja2.TemplateSyntaxError) else str(exc)
    if getattr(exc, "message", None):
        msg = exc.message
    return "%s:%s: error: %s: %s" % (where or "?", line or "?", type(exc).__name__, msg)


def check(case):
    """Returns None when the case passes, else a message."""
    try:
        kind, val = render(case)
    except (FormatError, ValueError) as e:
        return "bad case: %s" % e
    if case.error is not None:
        if kind == "ok":
            return "expected an error, got output %r" % val
        return None
    if kind == "error":
        return "expected output %r, got %s: %s" % (case.expect, type(val).__name__, val)
    if val != case.expect:
        return "expected %r, got %r" % (case.expect, val)
    return None


def fix_file(path, fixes):
    """fixes: list of (case, new_output). Rewrites the %%EXPECT content in place."""
    with open(path, encoding="utf-8", newline="") as f:
        lines = f.read().split("\n")
    final_newline = lines and lines[-1] == ""
    if final_newline:
        lines.pop()
    for case, out in sorted(fixes, key=lambda x: -x[0].expect_span[0]):
        start, end = case.expect_span
        new = out.split("\n") if out != "" else []
        lines[start:end] = new
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("\n".join(lines) + ("\n" if final_newline else ""))


def main():
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # quiet when piped into head
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*", help=".test files (default: all in tests/jinja)")
    ap.add_argument("--fix", action="store_true", help="rewrite %%EXPECT of failing cases with Jinja2's output")
    ap.add_argument("--show", metavar="NAME", help="show case NAME with Jinja2's actual result")
    ap.add_argument("--messages", action="store_true", help="compare %%ERROR fragments with Jinja2's messages")
    ap.add_argument("--list", action="store_true", help="list case names")
    ap.add_argument("-q", "--quiet", action="store_true", help="print only the summary")
    args = ap.parse_args()

    files = args.files or sorted(glob.glob(os.path.join(HERE, "*.test")))
    if not files:
        sys.exit("verify.py: no .test files")

    all_cases = []
    nfail = 0
    for path in files:
        cases, problems = parse_file(path)
        for lineno, msg in problems:
            print("%s:%d: format error: %s" % (os.path.relpath(path), lineno, msg))
            nfail += 1
        all_cases.extend(cases)

    if args.list:
        for c in all_cases:
            print(c.tname)
        return 0

    if args.show is not None:
        sel = [c for c in all_cases if c.name == args.show or c.tname == args.show]
        if not sel:
            sel = [c for c in all_cases if args.show in c.tname]
        if not sel:
            print("no case matches %r" % args.show)
            return 1
        for c in sel:
            print("=== %s (%s:%d)" % (c.tname, os.path.relpath(c.path), c.lineno))
            print("--- template:\n%s" % c.template)
            for n, t in c.files:
                print("--- file %s:\n%s" % (n, t))
            if c.context is not None:
                print("--- context: %s" % c.context)
            if c.error is not None:
                print("--- expected error fragments: %r" % c.error)
            else:
                print("--- expected: %r" % c.expect)
            try:
                kind, val = render(c)
            except (FormatError, ValueError) as e:
                print("--- bad case: %s" % e)
                continue
            if kind == "ok":
                print("--- jinja2 output: %r\n%s" % (val, val))
            else:
                print("--- jinja2 error: %s" % error_text(c, val))
            r = check(c)
            print("--- %s" % ("PASS" if r is None else "FAIL: " + r))
        return 0

    if args.messages:
        for c in all_cases:
            if c.error is None:
                continue
            try:
                kind, val = render(c)
            except (FormatError, ValueError) as e:
                print("%s: bad case: %s" % (c.tname, e))
                continue
            if kind == "ok":
                print("%s: NO ERROR (output %r)" % (c.tname, val))
                continue
            text = error_text(c, val)
            missing = [f for f in c.error if f.lower() not in text.lower()]
            mark = "ok  " if not missing else "DIFF"
            print("%s %s\n       jinja2: %s" % (mark, c.tname, text))
            if missing:
                print("       missing: %r" % missing)
        return 0

    npass = 0
    fixes = {}
    for c in all_cases:
        r = check(c)
        if r is None:
            npass += 1
            continue
        nfail += 1
        if not args.quiet:
            print("FAIL %s (%s:%d): %s" % (c.tname, os.path.relpath(c.path), c.lineno, r))
        if args.fix and c.expect is not None:
            try:
                kind, val = render(c)
            except (FormatError, ValueError):
                continue
            if kind != "ok":
                continue
            if any(l.startswith("%%") for l in val.split("\n")):
                print("  cannot fix %s: output has a line starting with %%%%" % c.tname)
                continue
            fixes.setdefault(c.path, []).append((c, val))
    if args.fix:
        for path, fx in fixes.items():
            fix_file(path, fx)
            print("fixed %d case(s) in %s" % (len(fx), os.path.relpath(path)))
    print("%d passed, %d failed" % (npass, nfail))
    return 1 if nfail else 0


if __name__ == "__main__":
    sys.exit(main())
