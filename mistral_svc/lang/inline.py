"""Inline parameters: ``action: std.echo output="Hi" count=2`` and ``fail msg=<% $.x %>``.

What Mistral 23 reads as a value, and what it silently drops, is the contract here:

- ``"..."`` and ``'...'``: the text between the quotes, as written (no escapes);
- ``<% ... %>``, ``{{ ... }}``, ``{% ... %}``: the expression, kept for evaluation;
- ``[...]`` and ``{...}``: the JSON value, or the bracketed text when it is not JSON;
- ``true``, ``false``, ``null`` and numbers: their JSON values;
- anything else (a bare word such as ``output=x``) is no value: the parameter is
  dropped, as is any text that is not a ``name=value`` pair, so the action then misses
  that input.
"""

import json
import re

_KEY = re.compile(r"([-\w]+)=")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
_WORDS = (("true", True), ("false", False), ("null", None))
_EXPRESSION_ENDS = (("<%", "%>"), ("{{", "}}"), ("{%", "%}"))
_CLOSING = {"[": "]", "{": "}"}


def _bracketed_end(text, pos):
    """End of the bracketed value opening at ``pos`` (nesting and quotes count), or -1."""
    depth, quote, i = 0, None, pos
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
            if depth == 0:
                return i + 1 if ch == _CLOSING[text[pos]] else -1
        i += 1
    return -1


def _read_value(text, pos):
    """``(value, end)`` of the value starting at ``pos``, or None when there is none."""
    if pos >= len(text):
        return None
    ch = text[pos]
    if ch in "\"'":
        end = text.find(ch, pos + 1)
        return None if end < 0 else (text[pos + 1:end], end + 1)
    for start, stop in _EXPRESSION_ENDS:
        if text.startswith(start, pos):
            end = text.find(stop, pos + len(start))
            return None if end < 0 else (text[pos:end + len(stop)], end + len(stop))
    if ch in _CLOSING:
        end = _bracketed_end(text, pos)
        if end < 0:
            return None
        raw = text[pos:end]
        try:
            return json.loads(raw), end
        except ValueError:
            return raw, end
    for word, value in _WORDS:
        if text.startswith(word, pos):
            return value, pos + len(word)
    m = _NUMBER.match(text, pos)
    if m:
        try:
            return json.loads(m.group()), m.end()
        except ValueError:  # e.g. 007, which JSON has no number for
            return m.group(), m.end()
    return None


def params(text):
    """The ``name=value`` pairs found in ``text``; see the module's docstring."""
    out = {}
    pos = 0
    while True:
        m = _KEY.search(text, pos)
        if not m:
            return out
        read = _read_value(text, m.end())
        if read is None:
            # Not a value: look for a pair further on, even inside what was skipped
            # (``x=a=1`` gives a=1), as Mistral's scan does.
            pos = m.start() + 1
            continue
        out[m.group(1)], pos = read


def split(text):
    """Split ``"name k1=v1 k2=v2"`` into ``("name", {"k1": v1, "k2": v2})``.

    Raises ValueError when there is no name."""
    text = text.strip()
    if text.startswith(("<%", "{{")):
        # A whole-expression name (dynamic action/workflow) may itself contain spaces.
        end = text.find("%>") + 2 if text.startswith("<%") else text.find("}}") + 2
        if end <= 1:
            return text, {}
        name, rest = text[:end], text[end:]
    else:
        parts = text.split(None, 1)
        if not parts or "=" in parts[0]:
            raise ValueError("cannot read an action or workflow name in %r" % text)
        name, rest = parts[0], parts[1] if len(parts) > 1 else ""
    return name, params(rest)
