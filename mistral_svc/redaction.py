"""Masking of credentials in text and data meant for people: state_info and logs.

Three kinds of secret are masked with ``***``: the user information of URLs
(``http://user:pw@host`` becomes ``http://***@host``), values that follow a sensitive
key in text (``password=...``, ``"token": "..."``, ``--password ...``, the forms
``oslo_utils.strutils.mask_password`` looks for) and values of sensitive keys in dicts
(any key containing password, passwd, token, secret, auth, api_key, credential, cookie
or private_key, as Mistral's redaction of logged data does).
"""

import logging
import re

MASK = "***"

_KEYS = (r"passwd|password|pass_phrase|passphrase|token|secret|auth|api[_-]?key|apikey"
         r"|credential|cookie|private_key")

_SENSITIVE_KEY = re.compile("(%s)" % _KEYS, re.IGNORECASE)

# A word followed by ``=`` or ``:`` (``key = ``, ``"key": ``), and a word after ``--``
# followed by blanks (``--key ``): whether the word names a credential is checked apart.
# Each pattern starts only where a word starts and its word runs to the word's end, so
# that masking takes time in proportion to the text, whatever the text is (patterns
# that look for the key inside a word backtrack over it, for ever on long words).
_ASSIGN = re.compile(r"""(?<![\w.-])(?P<word>[\w.-]+)["']?\s*[:=]\s*""")
_ASSIGNED_VALUE = re.compile(r""""[^"]*"|'[^']*'|[^\s,;}\])&'"]+""")
_FLAG = re.compile(r"""(?<![\w-])--(?P<word>[\w-]+)\s+""")
_FLAG_VALUE = re.compile(r""""[^"]*"|'[^']*'|[^\s-]\S*""")

# scheme://userinfo@ — userinfo may hold anything but a slash, whitespace or another @.
_URL_USERINFO = re.compile(
    r"(?P<scheme>(?<![A-Za-z0-9+.\-])[A-Za-z][A-Za-z0-9+.\-]*://)(?P<info>[^/\s@'\"]+)@")

# Walking data is bounded: past this depth a value is masked whole rather than walked.
_MAX_DEPTH = 64


def mask_url(text):
    """``text`` with the user information of every URL in it masked."""
    if not isinstance(text, str) or "@" not in text:
        return text
    return _URL_USERINFO.sub(lambda m: m.group("scheme") + MASK + "@", text)


def mask_text(text):
    """``text`` with URL user information and values of sensitive keys masked."""
    if not isinstance(text, str) or not text:
        return text
    text = mask_url(text)
    if not _SENSITIVE_KEY.search(text):
        return text
    return _mask_values(_mask_values(text, _ASSIGN, _ASSIGNED_VALUE), _FLAG, _FLAG_VALUE)


def _mask_values(text, key_pattern, value_pattern):
    """``text`` with the value after each match of ``key_pattern`` whose word is
    sensitive masked; a value is what ``value_pattern`` matches right after the key."""
    parts = []
    kept = 0  # text[:kept] is in parts already
    start = 0
    while True:
        key = key_pattern.search(text, start)
        if key is None:
            break
        start = key.end()
        if not is_sensitive_key(key.group("word")):
            continue
        value = value_pattern.match(text, key.end())
        if value is None:
            continue
        quote = value.group(0)[0] if value.group(0)[:1] in ("'", '"') else ""
        parts += [text[kept:key.end()], quote, MASK, quote]
        kept = start = value.end()
    parts.append(text[kept:])
    return "".join(parts)


def is_sensitive_key(key):
    """True for a key whose value is a credential."""
    return isinstance(key, str) and _SENSITIVE_KEY.search(key) is not None


def redact(data):
    """A copy of ``data`` with the values of sensitive keys masked and the strings in
    it passed through ``mask_url``; walked level by level, never recursively."""
    if not isinstance(data, (dict, list, tuple)):
        return mask_url(data) if isinstance(data, str) else data
    root = [None]
    # (container to fill, key or index, value, depth)
    work = [(root, 0, data, 0)]
    while work:
        target, key, value, depth = work.pop()
        if isinstance(value, dict):
            if depth >= _MAX_DEPTH:
                target[key] = MASK
                continue
            copy = {}
            target[key] = copy
            for k, v in value.items():
                if is_sensitive_key(k):
                    copy[k] = MASK
                else:
                    copy[k] = None
                    work.append((copy, k, v, depth + 1))
        elif isinstance(value, (list, tuple)):
            if depth >= _MAX_DEPTH:
                target[key] = MASK
                continue
            copy = [None] * len(value)
            target[key] = copy
            for i, v in enumerate(value):
                work.append((copy, i, v, depth + 1))
        elif isinstance(value, str):
            target[key] = mask_url(value)
        else:
            target[key] = value
    return root[0]


class MaskingFilter(logging.Filter):
    """A logging filter that masks credentials in every record's final message."""

    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is the handler's business, not ours
            return True
        masked = mask_text(message)
        if masked != message:
            record.msg = masked
            record.args = None
        return True


def install_log_filter(logger=None):
    """Attach ``MaskingFilter`` to every handler of ``logger`` (the root by default)."""
    logger = logger or logging.getLogger()
    for handler in logger.handlers:
        if not any(isinstance(f, MaskingFilter) for f in handler.filters):
            handler.addFilter(MaskingFilter())
