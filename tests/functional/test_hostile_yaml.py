"""Definitions built to blow up when parsed are refused at once with a 400 and a line:
anchors and aliases that expand exponentially, an alias inside itself, deep nesting."""

import time

import pytest

from mistral_svc.lang import yaml_loader


def _laughs(levels=7, width=9):
    lines = ["version: '2.0'", "wf_bomb:", "  vars:",
             "    l0: &l0 [%s]" % ", ".join(['"lol"'] * width)]
    for i in range(1, levels + 1):
        lines.append("    l%d: &l%d [%s]" % (i, i, ", ".join(["*l%d" % (i - 1)] * width)))
    lines += ["  tasks:", "    t:", "      action: std.noop", ""]
    return "\n".join(lines)


def _nested(depth):
    return ("version: '2.0'\nwf_deep:\n  vars:\n    v: %s%s\n  tasks:\n    t:\n"
            "      action: std.noop\n" % ("[" * depth, "]" * depth))


SELF_REFERENCE = """\
version: '2.0'
wf_self:
  vars: &a [*a]
  tasks:
    t:
      action: std.noop
"""

SELF_REFERENCE_MAPPING = """\
version: '2.0'
wf_self_map:
  tasks: &t
    t:
      action: std.noop
      input: {again: *t}
"""

ENDPOINTS = ["/v2/workflows", "/v2/workbooks", "/v2/actions"]


def _refused(api, url, text, method="post"):
    started = time.monotonic()
    response = getattr(api.app, method)(url, text.encode(), expect_errors=True,
                                        headers={"Content-Type": "text/plain"})
    elapsed = time.monotonic() - started
    assert response.status_int == 400, response.text[:300]
    # Milliseconds of work; the bound is loose for a shared, slow test machine.
    assert elapsed < 2.0
    return response.json["faultstring"]


@pytest.mark.parametrize("url", ENDPOINTS)
def test_exponential_aliases_are_refused_quickly(api, url):
    text = _laughs()
    assert len(text) < 600
    fault = _refused(api, url, text)
    assert "anchors and aliases expand to more than" in fault
    assert "line " in fault


@pytest.mark.parametrize("text, line", [(SELF_REFERENCE, 3), (SELF_REFERENCE_MAPPING, 6)])
def test_self_referential_aliases_are_refused(api, text, line):
    for url in ENDPOINTS:
        fault = _refused(api, url, text)
        assert "an alias refers to a node that contains it" in fault
        assert "line %d" % line in fault


def test_too_deep_nesting_is_refused_with_its_line(api):
    fault = _refused(api, "/v2/workflows", _nested(yaml_loader.MAX_DEPTH + 5))
    assert "nested deeper than %d levels" % yaml_loader.MAX_DEPTH in fault
    assert "line 4" in fault


def test_refused_updates_change_nothing_and_listing_stays_fast(api, unique):
    name = "wf_kept_" + unique
    text = "version: '2.0'\n%s:\n  tasks:\n    t:\n      action: std.noop\n" % name
    api.create_workflow(text)
    before = api.get("/v2/workflows/%s" % name)["definition"]
    _refused(api, "/v2/workflows", _laughs().replace("wf_bomb", name), method="put")
    assert api.get("/v2/workflows/%s" % name)["definition"] == before
    started = time.monotonic()
    api.get("/v2/workflows")
    assert time.monotonic() - started < 2.0


def test_a_few_plain_aliases_still_work(api, unique):
    name = "wf_alias_" + unique
    ex = api.run("""\
version: '2.0'
%s:
  tasks:
    t1:
      action: std.echo
      input: &echo
        output: same
      publish: {a: <%% task().result %%>}
      on-success: [t2]
    t2:
      action: std.echo
      input: *echo
      publish: {b: <%% task().result %%>}
""" % name)
    assert ex["state"] == "SUCCESS"
    assert ex["output"] == "{}" or len(ex["output"]) < 10000


def test_inline_parameters_are_bounded_too(api, unique):
    # A bomb inside an inline parameter stays a string rather than expanding.
    name = "wf_inline_" + unique
    levels = ["l0: &l0 [1, 1, 1, 1, 1, 1, 1, 1, 1]"] + [
        "l%d: &l%d [%s]" % (i, i, ", ".join(["*l%d" % (i - 1)] * 9)) for i in range(1, 8)]
    bomb = "{%s}" % ", ".join(levels)
    ex = api.run("version: '2.0'\n%s:\n  tasks:\n    t:\n      action: 'std.echo "
                 "output=%s'\n" % (name, bomb))
    assert ex["state"] == "SUCCESS"
    assert ex["output"] == "{}" or len(ex["output"]) < 10000
