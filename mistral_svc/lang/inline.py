"""Inline parameters: ``action: std.echo output="Hi" count=2`` and ``fail msg=<% $.x %>``."""

import json
import re

import yaml

from mistral_svc.lang import yaml_loader

# name=value where value is an expression, a quoted string, a bracketed literal or a word.
_PARAM = re.compile(
    r"""\s*([\w-]+)=(<%.*?%>|\{\{.*?\}\}|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|"""
    r"""\[.*?\]|\{.*?\}|[^\s]+)""",
    re.S,
)


def _value(raw):
    if raw.startswith(("<%", "{{")):
        return raw
    if raw[:1] in ("'", '"'):
        try:
            return json.loads(raw) if raw[0] == '"' else raw[1:-1]
        except ValueError:
            return raw[1:-1]
    try:
        return json.loads(raw)  # numbers, true/false, null, JSON lists and objects
    except ValueError:
        pass
    try:
        # Flow collections in YAML style, e.g. to_addrs=['admin@mysite.org'].
        value = yaml.load(raw, Loader=yaml_loader._Loader)
    except yaml.YAMLError:
        return raw
    return value if isinstance(value, (list, dict)) else raw


def split(text):
    """Split ``"name k1=v1 k2=v2"`` into ``("name", {"k1": v1, "k2": v2})``.

    Raises ValueError when the rest of the text is not a list of ``key=value`` pairs.
    """
    text = text.strip()
    if text.startswith(("<%", "{{")):
        # A whole-expression name (dynamic action/workflow) may itself contain spaces.
        end = text.find("%>") + 2 if text.startswith("<%") else text.find("}}") + 2
        if end <= 1:
            return text, {}
        name, rest = text[:end], text[end:]
    else:
        parts = text.split(None, 1)
        name, rest = parts[0], parts[1] if len(parts) > 1 else ""
    params = {}
    pos = 0
    rest = rest.strip()
    while pos < len(rest):
        m = _PARAM.match(rest, pos)
        if not m:
            raise ValueError("cannot read parameters %r" % rest[pos:])
        params[m.group(1)] = _value(m.group(2))
        pos = m.end()
        while pos < len(rest) and rest[pos].isspace():
            pos += 1
    return name, params
