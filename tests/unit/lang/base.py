"""Helpers for the language tests."""

import textwrap

import pytest

from mistral_svc import lang

HEAD = "version: '2.0'\nwf:\n"


def parse_one(text):
    """The only workflow of ``text`` (dedented), as a normalised dict."""
    (wf,) = lang.parse_workflows(textwrap.dedent(text))
    return wf


def wf_body(body):
    """A workflow file holding workflow ``wf`` whose body is ``body`` (dedented)."""
    return HEAD + textwrap.indent(textwrap.dedent(body), "  ")


def dsl_error(text):
    """The DSLError that parsing ``text`` raises."""
    with pytest.raises(lang.DSLError) as exc:
        lang.parse_workflows(text)
    return exc.value


def line_of(text, needle):
    """1-based number of the first line of ``text`` containing ``needle``."""
    for n, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return n
    raise AssertionError("%r not in text" % needle)
