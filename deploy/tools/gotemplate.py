"""A subset of Go text/template plus the Sprig functions Helm charts use, enough to render this
repository's chart without a helm binary (none can be installed here or in CI).

It follows Go's semantics where they bite chart authors: whitespace trim markers, truthiness,
missingkey=zero on maps, variable scoping, lazy and/or, strict eq/lt typing (an int never equals
a float64), and Helm's quirk that numbers from values files are float64 (so 1000000 prints as
1e+06 unless passed through `int`). Anything outside the subset - an unknown function, a
construct the parser does not know - is an error naming it, never a silent guess.
"""

from __future__ import annotations

import base64
import copy
import decimal
import hashlib
import json
import math
import re

import yaml


class TemplateError(Exception):
    """A template that Helm would refuse to parse or execute (or that leaves the subset)."""


class FailError(TemplateError):
    """`fail` or `required` fired: the chart itself rejects these values."""


# ---------------------------------------------------------------------------------------------
# Lexing: text and {{ actions }}, with trim markers applied.

_WS = " \t\r\n"


def lex(src: str, name: str):
    """Split a template into ('text', str, line) and ('action', str, line) items."""
    items = []
    pos = 0
    trim_next = False
    while True:
        start = src.find("{{", pos)
        text = src[pos:] if start < 0 else src[pos:start]
        if trim_next:
            text = text.lstrip(_WS)
        if start < 0:
            if text:
                items.append(("text", text, src.count("\n", 0, pos) + 1))
            break
        line = src.count("\n", 0, start) + 1
        inner_start = start + 2
        if src.startswith("-", inner_start) and inner_start + 1 < len(src) and src[inner_start + 1] in _WS:
            text = text.rstrip(_WS)
            inner_start += 2
        if text:
            items.append(("text", text, src.count("\n", 0, pos) + 1))
        end = _find_action_end(src, inner_start, name, line)
        inner = src[inner_start:end]
        trim_next = False
        if len(inner) >= 2 and inner.endswith("-") and inner[-2] in _WS:
            inner = inner[:-2]
            trim_next = True
        items.append(("action", inner, line))
        pos = end + 2
    return items


def _find_action_end(src: str, i: int, name: str, line: int) -> int:
    """Index of the '}}' closing the action that starts at i, skipping quoted strings and comments."""
    j = i
    while j < len(src) and src[j] in _WS:
        j += 1
    if src.startswith("/*", j):
        close = src.find("*/", j + 2)
        if close < 0:
            raise TemplateError(f"{name}:{line}: unclosed comment")
        k = close + 2
        while k < len(src) and src[k] in _WS + "-":
            k += 1
        if not src.startswith("}}", k):
            raise TemplateError(f"{name}:{line}: comment ends with text before }}")
        return k
    quote = None
    while j < len(src):
        c = src[j]
        if quote:
            if c == "\\" and quote == '"':
                j += 2
                continue
            if c == quote:
                quote = None
        elif c in "\"`'":
            quote = c
        elif src.startswith("}}", j):
            return j
        j += 1
    raise TemplateError(f"{name}:{line}: unclosed action (no matching }}}})")


# ---------------------------------------------------------------------------------------------
# Tokens inside an action.

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<str>"(?:[^"\\]|\\.)*")
  | (?P<raw>`[^`]*`)
  | (?P<num>-?(?:0[xX][0-9a-fA-F]+|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?))
  | (?P<field>(?:\.[A-Za-z_][A-Za-z0-9_]*)+)
  | (?P<var>\$[A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
  | (?P<dot>\.)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<declare>:=)
  | (?P<assign>=)
  | (?P<pipe>\|)
  | (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<comma>,)
    """,
    re.VERBOSE,
)

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "'": "'", "0": "\0"}


def _unquote(s: str) -> str:
    out = []
    i = 1
    while i < len(s) - 1:
        c = s[i]
        if c == "\\":
            n = s[i + 1]
            if n in _ESCAPES:
                out.append(_ESCAPES[n])
                i += 2
                continue
            if n == "x":
                out.append(chr(int(s[i + 2:i + 4], 16)))
                i += 4
                continue
            if n == "u":
                out.append(chr(int(s[i + 2:i + 6], 16)))
                i += 6
                continue
            raise TemplateError(f"unsupported escape \\{n} in {s}")
        out.append(c)
        i += 1
    return "".join(out)


def tokenize(action: str, where: str):
    toks = []
    pos = 0
    while pos < len(action):
        m = _TOKEN.match(action, pos)
        if not m:
            raise TemplateError(f"{where}: cannot read action near {action[pos:pos + 20]!r}")
        kind = m.lastgroup
        text = m.group()
        pos = m.end()
        if kind == "ws":
            continue
        if kind == "str":
            toks.append(("lit", _unquote(text)))
        elif kind == "raw":
            toks.append(("lit", text[1:-1]))
        elif kind == "num":
            if re.fullmatch(r"-?0[xX][0-9a-fA-F]+", text):
                toks.append(("lit", int(text, 16)))
            elif re.fullmatch(r"-?\d+", text):
                toks.append(("lit", int(text)))
            else:
                toks.append(("lit", float(text)))
        elif kind == "field":
            toks.append(("field", text[1:].split(".")))
        elif kind == "var":
            parts = text.split(".")
            toks.append(("var", parts[0], parts[1:]))
        elif kind == "ident":
            if text == "true":
                toks.append(("lit", True))
            elif text == "false":
                toks.append(("lit", False))
            elif text == "nil":
                toks.append(("lit", None))
            else:
                toks.append(("ident", text))
        else:
            toks.append((kind,))
        if kind == "rparen" and pos < len(action) and action[pos] == ".":
            raise TemplateError(f"{where}: field access on a parenthesised value is not supported")
    return toks


# ---------------------------------------------------------------------------------------------
# Parsing into a tree.

class Pipe:
    def __init__(self, decl, assign, cmds):
        self.decl = decl        # variable names declared (or assigned) by this pipeline
        self.assign = assign    # True for "=", False for ":="
        self.cmds = cmds        # list of commands, each a list of operands


class Node:
    def __init__(self, kind, line, **kw):
        self.kind = kind
        self.line = line
        self.__dict__.update(kw)


def _parse_pipe(toks, where, allow_decl=True):
    i = 0
    decl, assign = [], False
    if allow_decl and toks and toks[0][0] == "var" and not toks[0][2]:
        j = 0
        names = [toks[0][1]]
        j = 1
        if len(toks) > 2 and toks[1][0] == "comma" and toks[2][0] == "var":
            names.append(toks[2][1])
            j = 3
        if j < len(toks) and toks[j][0] in ("declare", "assign"):
            decl = names
            assign = toks[j][0] == "assign"
            i = j + 1
    cmds, i = _parse_cmds(toks, i, where, top=True)
    if not cmds:
        raise TemplateError(f"{where}: missing value")
    return Pipe(decl, assign, cmds)


def _parse_cmds(toks, i, where, top):
    cmds = [[]]
    while i < len(toks):
        t = toks[i]
        if t[0] == "pipe":
            if not cmds[-1]:
                raise TemplateError(f"{where}: empty command before |")
            cmds.append([])
            i += 1
        elif t[0] == "rparen":
            if top:
                raise TemplateError(f"{where}: unexpected )")
            return [c for c in cmds if c], i
        elif t[0] == "lparen":
            sub, i = _parse_cmds(toks, i + 1, where, top=False)
            if i >= len(toks) or toks[i][0] != "rparen":
                raise TemplateError(f"{where}: unclosed (")
            cmds[-1].append(("pipe", Pipe([], False, sub)))
            i += 1
        elif t[0] in ("lit", "field", "var", "dot", "ident"):
            cmds[-1].append(t)
            i += 1
        else:
            raise TemplateError(f"{where}: unexpected {t[0]}")
    if not top:
        raise TemplateError(f"{where}: unclosed (")
    if not cmds[-1] and len(cmds) > 1:
        raise TemplateError(f"{where}: empty command after |")
    return [c for c in cmds if c], i


_BLOCKS = ("if", "range", "with")


def parse(src: str, name: str, defines: dict):
    """Parse one file; named templates go into `defines`. Returns the file's node list."""
    items = lex(src, name)
    nodes, pos, stop = _parse_list(items, 0, name, defines, stops=())
    if stop is not None:
        raise TemplateError(f"{name}:{items[pos - 1][2]}: unexpected {{{{{stop}}}}}")
    return nodes


def _keyword(action):
    s = action.strip()
    m = re.match(r"(if|else|end|range|with|define|template|block|break|continue)\b", s)
    return (m.group(1), s[m.end():].strip()) if m else (None, s)


def _parse_list(items, pos, name, defines, stops):
    nodes = []
    while pos < len(items):
        kind, text, line = items[pos]
        where = f"{name}:{line}"
        if kind == "text":
            nodes.append(Node("text", line, text=text))
            pos += 1
            continue
        stripped = text.strip()
        if stripped.startswith("/*"):
            pos += 1
            continue
        kw, rest = _keyword(text)
        if kw in ("end", "else"):
            if kw not in stops:
                raise TemplateError(f"{where}: unexpected {{{{{kw}}}}}")
            return nodes, pos + 1, (kw, rest, line)
        pos += 1
        if kw in _BLOCKS:
            node, pos = _parse_block(kw, rest, items, pos, name, defines, line)
            nodes.append(node)
        elif kw == "define":
            toks = tokenize(rest, where)
            if len(toks) != 1 or toks[0][0] != "lit" or not isinstance(toks[0][1], str):
                raise TemplateError(f"{where}: define needs one quoted name")
            body, pos, stop = _parse_list(items, pos, name, defines, stops=("end",))
            if stop is None:
                raise TemplateError(f"{where}: define {toks[0][1]!r} has no {{{{end}}}}")
            defines[toks[0][1]] = (body, name)
        elif kw == "template":
            toks = tokenize(rest, where)
            if not toks or toks[0][0] != "lit" or not isinstance(toks[0][1], str):
                raise TemplateError(f"{where}: template needs a quoted name")
            pipe = _parse_pipe(toks[1:], where) if len(toks) > 1 else None
            nodes.append(Node("template", line, name=toks[0][1], pipe=pipe, where=where))
        elif kw in ("block", "break", "continue"):
            raise TemplateError(f"{where}: {{{{{kw}}}}} is not supported by this checker")
        else:
            nodes.append(Node("action", line, pipe=_parse_pipe(tokenize(text, where), where), where=where))
    if stops:
        raise TemplateError(f"{name}: missing {{{{end}}}} (a block opened before end of file)")
    return nodes, pos, None


def _parse_block(kw, rest, items, pos, name, defines, line):
    where = f"{name}:{line}"
    if not rest:
        raise TemplateError(f"{where}: {kw} without a pipeline")
    pipe = _parse_pipe(tokenize(rest, where), where)
    if kw == "range" and pipe.decl and pipe.assign:
        raise TemplateError(f"{where}: range cannot assign with =")
    body, pos, stop = _parse_list(items, pos, name, defines, stops=("end", "else"))
    if stop is None:
        raise TemplateError(f"{where}: {kw} has no {{{{end}}}}")
    else_body = []
    skw, srest, sline = stop
    if skw == "else":
        if srest:
            nkw, nrest = _keyword(srest)
            if nkw not in ("if", "with") or kw == "range":
                raise TemplateError(f"{name}:{sline}: unsupported else clause {srest!r}")
            if nkw != kw:
                raise TemplateError(f"{name}:{sline}: 'else {nkw}' inside {kw}")
            # "else if" / "else with": a nested block that shares this block's {{end}}.
            inner, pos = _parse_block(nkw, nrest, items, pos, name, defines, sline)
            else_body = [inner]
        else:
            else_body, pos, stop2 = _parse_list(items, pos, name, defines, stops=("end",))
            if stop2 is None:
                raise TemplateError(f"{where}: {kw} ... else has no {{{{end}}}}")
    return Node(kw, line, pipe=pipe, body=body, else_body=else_body, where=where), pos


# ---------------------------------------------------------------------------------------------
# Values and printing, Go style.

class StrictDict(dict):
    """A Go struct (Release, Chart, Capabilities): an unknown field is an error."""


class ValuesDict(dict):
    """A map from a values file: a missing key reads as nil, and is recorded."""

    def __init__(self, data, path):
        super().__init__(data)
        self.path = path


def helm_values(obj, path=""):
    """Values as Helm holds them: maps, lists, strings, bools, nil and float64 numbers."""
    if isinstance(obj, dict):
        return ValuesDict({str(k): helm_values(v, f"{path}.{k}") for k, v in obj.items()}, path)
    if isinstance(obj, list):
        return [helm_values(v, f"{path}[{i}]") for i, v in enumerate(obj)]
    if isinstance(obj, bool) or obj is None or isinstance(obj, str):
        return obj
    if isinstance(obj, (int, float)):
        return float(obj)
    return str(obj)


def go_float(v: float) -> str:
    """fmt's %v for a float64 ('g', shortest, exponent from 1e+06 on)."""
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    if v == 0:
        return "0"
    d = decimal.Decimal(repr(v))
    sign, digits, exp = d.as_tuple()
    digits = list(digits)
    while len(digits) > 1 and digits[-1] == 0:
        digits.pop()
        exp += 1
    nd = len(digits)
    dp = nd + exp
    x = dp - 1
    s = "".join(map(str, digits))
    neg = "-" if sign else ""
    if x < -4 or x >= 6:
        mant = s[0] + ("." + s[1:] if nd > 1 else "")
        return f"{neg}{mant}e{'+' if x >= 0 else '-'}{abs(x):02d}"
    if dp <= 0:
        return f"{neg}0.{'0' * -dp}{s}"
    if dp >= nd:
        return f"{neg}{s}{'0' * (dp - nd)}"
    return f"{neg}{s[:dp]}.{s[dp:]}"


def go_str(v) -> str:
    """How text/template prints a value (Helm then removes '<no value>')."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return go_float(v)
    if isinstance(v, str):
        return v
    if isinstance(v, list):
        return "[" + " ".join(go_str(x) for x in v) + "]"
    if isinstance(v, dict):
        return "map[" + " ".join(f"{k}:{go_str(v[k])}" for k in sorted(v)) + "]"
    return str(v)


def go_type(v) -> str:
    if v is None:
        return "<nil>"
    return {bool: "bool", int: "int64", float: "float64", str: "string", list: "[]interface {}"}.get(
        type(v), "map[string]interface {}" if isinstance(v, dict) else type(v).__name__)


def go_quote(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def truth(v) -> bool:
    if v is None:
        return False
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return v != 0
    if isinstance(v, (str, list, dict)):
        return len(v) > 0
    return True


_FMT = re.compile(r"%([-+# 0]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])")


def go_sprintf(fmt: str, args: list) -> str:
    out = []
    pos = 0
    ai = 0
    for m in _FMT.finditer(fmt):
        out.append(fmt[pos:m.start()])
        pos = m.end()
        flags, width, prec, verb = m.groups()
        if verb == "%":
            out.append("%")
            continue
        if ai >= len(args):
            out.append(f"%!{verb}(MISSING)")
            continue
        a = args[ai]
        ai += 1
        if verb == "d":
            if isinstance(a, int) and not isinstance(a, bool):
                s = str(abs(a))
                sign = "-" if a < 0 else ("+" if "+" in flags else "")
                w = int(width or 0)
                if "0" in flags and "-" not in flags:
                    s = sign + s.rjust(max(w - len(sign), 0), "0")
                else:
                    s = sign + s
            else:
                out.append(f"%!d({go_type(a)}={go_str(a)})")
                continue
        elif verb in ("s", "v"):
            if verb == "s" and not isinstance(a, str) and a is not None and not isinstance(a, (list, dict)):
                s = f"%!s({go_type(a)}={go_str(a)})"
            else:
                s = "<nil>" if a is None else go_str(a)
        elif verb == "q":
            if not isinstance(a, str):
                out.append(f"%!q({go_type(a)}={go_str(a)})")
                continue
            s = go_quote(a)
        elif verb == "f":
            if not isinstance(a, (int, float)) or isinstance(a, bool):
                out.append(f"%!f({go_type(a)}={go_str(a)})")
                continue
            s = f"{float(a):.{int(prec) if prec else 6}f}"
        elif verb == "t":
            s = go_str(a) if isinstance(a, bool) else f"%!t({go_type(a)}={go_str(a)})"
        else:
            raise TemplateError(f"printf verb %{verb} is not supported by this checker")
        if width and verb != "d":
            s = s.ljust(int(width)) if "-" in flags else s.rjust(int(width))
        elif width and verb == "d" and "0" not in flags:
            s = s.ljust(int(width)) if "-" in flags else s.rjust(int(width))
        out.append(s)
    out.append(fmt[pos:])
    if ai < len(args):
        out.append("%!(EXTRA " + ", ".join(f"{go_type(a)}={go_str(a)}" for a in args[ai:]) + ")")
    return "".join(out)


def go_sprint(args: list) -> str:
    """fmt.Sprint: a space between operands when neither is a string."""
    out = []
    for i, a in enumerate(args):
        if i > 0 and not isinstance(a, str) and not isinstance(args[i - 1], str):
            out.append(" ")
        out.append("<nil>" if a is None else go_str(a))
    return "".join(out)


def _plain(v):
    """Values as sigs.k8s.io/yaml sees them (through JSON): integral floats are integers."""
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_plain(x) for x in v]
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e21:
        return int(v)
    return v


def to_yaml(v) -> str:
    if v is None:
        return "null"
    text = yaml.safe_dump(_plain(v), default_flow_style=False, sort_keys=True, allow_unicode=True, width=10**9)
    if text.endswith("\n...\n"):
        text = text[:-5]
    return text[:-1] if text.endswith("\n") else text


def to_int(v) -> int:
    """Sprig's toInt (spf13/cast): floats truncate, bad strings are 0."""
    if v is None:
        return 0
    if isinstance(v, bool):
        return 1 if v else 0
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        return int(v)
    if isinstance(v, str):
        try:
            return int(v, 0)
        except ValueError:
            try:
                return int(float(v))
            except ValueError:
                return 0
    return 0


def _go_div(a: int, b: int) -> int:
    if b == 0:
        raise TemplateError("integer divide by zero")
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def _go_mod(a: int, b: int) -> int:
    if b == 0:
        raise TemplateError("integer divide by zero")
    return a - _go_div(a, b) * b


def _kind(v):
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, str):
        return "string"
    if v is None:
        return "nil"
    return "other"


def _cmp_args(a, b, op):
    ka, kb = _kind(a), _kind(b)
    if ka != kb:
        raise TemplateError(f"{op}: incompatible types for comparison ({go_type(a)} and {go_type(b)}); "
                            "values.yaml numbers are float64: compare through `int`")
    if op != "eq" and ka not in ("int", "float", "string"):
        raise TemplateError(f"{op}: invalid type for comparison ({go_type(a)})")


def _merge(dst, src, overwrite):
    for k, v in src.items():
        if k in dst and isinstance(dst[k], dict) and isinstance(v, dict):
            _merge(dst[k], v, overwrite)
        elif k not in dst or overwrite or dst[k] is None:
            dst[k] = copy.deepcopy(v)
    return dst


def _merge_all(dst, srcs, overwrite):
    """Sprig merge (dst wins) / mergeOverwrite (later sources win); dst is modified and returned."""
    for src in srcs:
        _merge(dst, src, overwrite)
    return dst


def _semver(v: str):
    m = re.match(r"^\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?", str(v))
    if not m:
        raise TemplateError(f"semverCompare: cannot read version {v!r}")
    return tuple(int(x or 0) for x in m.groups())


def semver_compare(constraint: str, version: str) -> bool:
    """Masterminds constraints of the form "OP X.Y[.Z][-pre]", comma-joined (all must hold)."""
    ver = _semver(version)
    for part in str(constraint).split(","):
        m = re.match(r"^\s*(>=|<=|!=|=|>|<)?\s*(v?\d+(?:\.\d+){0,2})(-[0-9A-Za-z.-]+)?\s*$", part)
        if not m:
            raise TemplateError(f"semverCompare: constraint {part!r} is not supported by this checker")
        op = m.group(1) or "="
        c = _semver(m.group(2))
        ok = {">=": ver >= c, "<=": ver <= c, ">": ver > c, "<": ver < c, "=": ver == c, "!=": ver != c}[op]
        if not ok:
            return False
    return True


def _empty(v) -> bool:
    return not truth(v)


def _trunc(n, s):
    n = to_int(n)
    s = str(s)
    if n < 0 and len(s) + n > 0:
        return s[len(s) + n:]
    if n >= 0 and len(s) > n:
        return s[:n]
    return s


def _indent(n, s):
    pad = " " * to_int(n)
    return pad + str(s).replace("\n", "\n" + pad)


def _strval(v):
    return v if isinstance(v, str) else go_str(v)


def _dict(*kv):
    if len(kv) % 2:
        raise TemplateError("dict needs an even number of arguments")
    return {_strval(kv[i]): kv[i + 1] for i in range(0, len(kv), 2)}


def _default(d, *given):
    if not given or _empty(given[0]):
        return d
    return given[0]


def _required(msg, v):
    if v is None or (isinstance(v, str) and v == ""):
        raise FailError(msg)
    return v


def _fail(msg):
    raise FailError(msg)


def _tostring(v):
    return _strval(v)


FUNCS = {
    # text/template builtins (and/or are lazy, handled in the evaluator)
    "not": lambda v: not truth(v),
    "len": lambda v: len(v),
    "print": lambda *a: go_sprint(list(a)),
    "println": lambda *a: " ".join(go_str(x) for x in a) + "\n",
    "printf": lambda f, *a: go_sprintf(f, list(a)),
    "index": lambda c, *keys: _index(c, keys),
    # Sprig
    "default": _default,
    "empty": _empty,
    "coalesce": lambda *a: next((x for x in a if truth(x)), None),
    "ternary": lambda t, f, c: t if truth(c) else f,
    "required": _required,
    "fail": _fail,
    "quote": lambda *a: " ".join(go_quote(_strval(x)) for x in a if x is not None),
    "squote": lambda *a: " ".join("'" + _strval(x) + "'" for x in a if x is not None),
    "toYaml": to_yaml,
    "toJson": lambda v: json.dumps(_plain(v), separators=(",", ":"), sort_keys=True),
    "indent": _indent,
    "nindent": lambda n, s: "\n" + _indent(n, s),
    "trunc": _trunc,
    "trim": lambda s: str(s).strip(),
    "trimSuffix": lambda suf, s: s[:-len(suf)] if suf and str(s).endswith(suf) else s,
    "trimPrefix": lambda pre, s: s[len(pre):] if pre and str(s).startswith(pre) else s,
    "replace": lambda old, new, s: str(s).replace(old, new),
    "lower": lambda s: str(s).lower(),
    "upper": lambda s: str(s).upper(),
    "contains": lambda sub, s: str(sub) in str(s),
    "hasPrefix": lambda pre, s: str(s).startswith(pre),
    "hasSuffix": lambda suf, s: str(s).endswith(suf),
    "join": lambda sep, lst: sep.join(_strval(x) for x in (lst or [])),
    "regexMatch": lambda rx, s: re.search(rx, str(s)) is not None,
    "toString": _tostring,
    "int": to_int,
    "int64": to_int,
    "float64": lambda v: float(v) if not isinstance(v, str) else float(v or 0),
    "add": lambda *a: sum(to_int(x) for x in a),
    "add1": lambda a: to_int(a) + 1,
    "sub": lambda a, b: to_int(a) - to_int(b),
    "mul": lambda *a: math.prod(to_int(x) for x in a),
    "div": lambda a, b: _go_div(to_int(a), to_int(b)),
    "mod": lambda a, b: _go_mod(to_int(a), to_int(b)),
    "max": lambda *a: max(to_int(x) for x in a),
    "min": lambda *a: min(to_int(x) for x in a),
    "list": lambda *a: list(a),
    "dict": _dict,
    "hasKey": lambda d, k: k in d,
    "get": lambda d, k: d.get(k, ""),
    "merge": lambda dst, *srcs: _merge_all(dst, srcs, False),
    "mergeOverwrite": lambda dst, *srcs: _merge_all(dst, srcs, True),
    "deepCopy": lambda v: _deep_copy(v),
    "semverCompare": semver_compare,
    "sha256sum": lambda s: hashlib.sha256(str(s).encode()).hexdigest(),
    "b64enc": lambda s: base64.b64encode(str(s).encode()).decode(),
    "kindIs": lambda kind, v: {"map": isinstance(v, dict), "slice": isinstance(v, list),
                               "string": isinstance(v, str), "bool": isinstance(v, bool),
                               "float64": isinstance(v, float), "int": isinstance(v, int) and not isinstance(v, bool),
                               "int64": isinstance(v, int) and not isinstance(v, bool), "invalid": v is None}.get(kind, False),
}


def _deep_copy(v):
    if isinstance(v, dict):
        return {k: _deep_copy(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_deep_copy(x) for x in v]
    return v


def _index(c, keys):
    for k in keys:
        if isinstance(c, dict):
            c = c.get(k)
        elif isinstance(c, list):
            c = c[to_int(k)]
        else:
            raise TemplateError(f"index of {go_type(c)}")
    return c


def _cmp(op):
    def f(a, *bs):
        if op == "eq":
            if not bs:
                raise TemplateError("eq: missing argument for comparison")
            for b in bs:
                _cmp_args(a, b, "eq")
                if a == b:
                    return True
            return False
        if len(bs) != 1:
            raise TemplateError(f"{op}: wrong number of arguments")
        b = bs[0]
        _cmp_args(a, b, op)
        return {"ne": a != b, "lt": a < b, "le": a <= b, "gt": a > b, "ge": a >= b}[op]
    return f


for _op in ("eq", "ne", "lt", "le", "gt", "ge"):
    FUNCS[_op] = _cmp(_op)


# ---------------------------------------------------------------------------------------------
# Execution.

_MISSING = object()


class Engine:
    """Holds the named templates of a chart and executes them."""

    def __init__(self):
        self.defines = {}
        self.files = {}          # template path -> node list
        self.missing_values = set()
        self.depth = 0

    def add_file(self, path: str, src: str):
        self.files[path] = parse(src, path, self.defines)
        self.defines[path] = (self.files[path], path)

    def render(self, path: str, data) -> str:
        return self._exec(self.files[path], data, [("$", data)])

    def include(self, name, data):
        if name not in self.defines:
            raise TemplateError(f'include: no template "{name}"')
        self.depth += 1
        if self.depth > 100:
            raise TemplateError("include: recursion too deep")
        try:
            body, _ = self.defines[name]
            return self._exec(body, data, [("$", data)])
        finally:
            self.depth -= 1

    # -- statements
    def _exec(self, nodes, dot, vars_):
        out = []
        mark = len(vars_)
        for n in nodes:
            if n.kind == "text":
                out.append(n.text)
            elif n.kind == "action":
                v = self._pipe(n.pipe, dot, vars_, n.where)
                if not n.pipe.decl:
                    out.append(go_str(v))
            elif n.kind == "if":
                inner = len(vars_)
                v = self._pipe(n.pipe, dot, vars_, n.where)
                out.append(self._exec(n.body if truth(v) else n.else_body, dot, vars_))
                del vars_[inner:]
            elif n.kind == "with":
                inner = len(vars_)
                v = self._pipe(n.pipe, dot, vars_, n.where)
                if truth(v):
                    out.append(self._exec(n.body, v, vars_))
                else:
                    out.append(self._exec(n.else_body, dot, vars_))
                del vars_[inner:]
            elif n.kind == "range":
                out.append(self._range(n, dot, vars_))
            elif n.kind == "template":
                data = self._pipe(n.pipe, dot, vars_, n.where) if n.pipe else None
                out.append(self.include(n.name, data))
            else:
                raise TemplateError(f"{n.line}: unknown node {n.kind}")
        del vars_[mark:]
        return "".join(out)

    def _range(self, n, dot, vars_):
        pipe = Pipe([], False, n.pipe.cmds)
        coll = self._pipe(pipe, dot, vars_, n.where)
        if isinstance(coll, dict):
            pairs = [(k, coll[k]) for k in sorted(coll)]
        elif isinstance(coll, list):
            pairs = list(enumerate(coll))
        elif coll is None:
            pairs = []
        elif isinstance(coll, int) and not isinstance(coll, bool):
            pairs = [(i, i) for i in range(coll)]
        else:
            raise TemplateError(f"{n.where}: range can't iterate over {go_str(coll)}")
        if not pairs:
            return self._exec(n.else_body, dot, vars_)
        out = []
        for k, v in pairs:
            mark = len(vars_)
            if len(n.pipe.decl) == 1:
                vars_.append((n.pipe.decl[0], v))
            elif len(n.pipe.decl) == 2:
                vars_.append((n.pipe.decl[0], k))
                vars_.append((n.pipe.decl[1], v))
            out.append(self._exec(n.body, v, vars_))
            del vars_[mark:]
        return "".join(out)

    # -- expressions
    def _pipe(self, pipe, dot, vars_, where):
        val = _MISSING
        for cmd in pipe.cmds:
            val = self._cmd(cmd, dot, vars_, where, val)
        if pipe.decl:
            if pipe.assign:
                for i in range(len(vars_) - 1, -1, -1):
                    if vars_[i][0] == pipe.decl[0]:
                        vars_[i] = (pipe.decl[0], val)
                        break
                else:
                    raise TemplateError(f"{where}: undefined variable {pipe.decl[0]}")
            else:
                vars_.append((pipe.decl[0], val))
        return val

    def _cmd(self, cmd, dot, vars_, where, final):
        first = cmd[0]
        if first[0] == "ident":
            name = first[1]
            if name in ("and", "or"):
                ops = list(cmd[1:])
                thunks = [lambda o=o: self._arg(o, dot, vars_, where) for o in ops]
                if final is not _MISSING:
                    thunks.append(lambda: final)
                if not thunks:
                    raise TemplateError(f"{where}: {name} needs arguments")
                v = None
                for t in thunks:
                    v = t()
                    if (name == "and" and not truth(v)) or (name == "or" and truth(v)):
                        return v
                return v
            args = [self._arg(o, dot, vars_, where) for o in cmd[1:]]
            if final is not _MISSING:
                args.append(final)
            return self._call(name, args, where)
        if len(cmd) > 1:
            raise TemplateError(f"{where}: can't give arguments to a non-function")
        if final is not _MISSING:
            raise TemplateError(f"{where}: can't pipe into a non-function")
        return self._arg(first, dot, vars_, where)

    def _call(self, name, args, where):
        if name == "include":
            if len(args) != 2:
                raise TemplateError(f"{where}: include takes a name and a value")
            return self.include(args[0], args[1])
        if name == "tpl":
            raise TemplateError(f"{where}: tpl is not supported by this checker")
        f = FUNCS.get(name)
        if f is None:
            raise TemplateError(f'{where}: function "{name}" not defined (or not supported by this checker)')
        try:
            return f(*args)
        except FailError:
            raise
        except TemplateError as e:
            raise TemplateError(f"{where}: {e}") from None
        except TypeError as e:
            raise TemplateError(f"{where}: wrong arguments for {name}: {e}") from None

    def _arg(self, op, dot, vars_, where):
        kind = op[0]
        if kind == "lit":
            return op[1]
        if kind == "dot":
            return dot
        if kind == "field":
            return self._fields(dot, op[1], where)
        if kind == "var":
            for name, val in reversed(vars_):
                if name == op[1]:
                    return self._fields(val, op[2], where)
            raise TemplateError(f"{where}: undefined variable {op[1]}")
        if kind == "pipe":
            return self._pipe(op[1], dot, vars_, where)
        if kind == "ident":
            return self._call(op[1], [], where)
        raise TemplateError(f"{where}: unexpected operand {kind}")

    def _fields(self, v, names, where):
        for name in names:
            if isinstance(v, StrictDict):
                if name not in v:
                    raise TemplateError(f"{where}: can't evaluate field {name}")
                v = v[name]
            elif isinstance(v, ValuesDict):
                if name not in v:
                    self.missing_values.add(f"{v.path}.{name}".lstrip("."))
                v = v.get(name)
            elif isinstance(v, dict):
                v = v.get(name)
            elif v is None:
                raise TemplateError(f"{where}: nil pointer evaluating interface {{}}.{name}")
            else:
                raise TemplateError(f"{where}: can't evaluate field {name} in type {go_type(v)}")
        return v
