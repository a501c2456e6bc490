"""Pure parts of std actions: argument handling, JavaScript evaluation, host parsing."""

import pytest

from mistral_svc.actions import base, http, javascript, mail, ssh
from tests.functional.fake_http import loopback_allowed


def test_http_arguments():
    action = http.HTTPAction("https://example.org", auth="user:pw",
                             headers={"X-Num": 3, "X-Obj": {"a": 1}}, body={"k": "v"},
                             verify=False, timeout="2.5", allow_redirects=True)
    kwargs = action._request_kwargs()
    assert kwargs["auth"] == ("user", "pw")
    assert kwargs["headers"] == {"X-Num": "3", "X-Obj": '{"a": 1}'}
    assert kwargs["data"] == '{"k": "v"}'
    assert kwargs["verify"] is False and kwargs["timeout"] == 2.5
    assert kwargs["allow_redirects"] is True
    # verify only matters for https; requests' defaults otherwise.
    assert "verify" not in http.HTTPAction("http://x", verify=False)._request_kwargs()
    with pytest.raises(base.ActionError, match="json' and 'body"):
        http.HTTPAction("http://x", body="a", json={"b": 1})


def test_http_unreachable_is_an_action_error():
    with loopback_allowed():
        with pytest.raises(base.ActionError, match="Failed to send HTTP request"):
            http.HTTPAction("http://127.0.0.1:1/", timeout=1).run({})


def test_http_to_loopback_is_refused_by_default():
    with pytest.raises(base.ActionError, match="127.0.0.1 is a blocked address"):
        http.HTTPAction("http://127.0.0.1:1/", timeout=1).run({})


def test_email_addresses_from_lists_or_commas():
    action = mail.SendEmailAction("a@x", "b@x, c@x", "smtp", cc_addrs=["d@x"],
                                  reply_to="e@x")
    assert action.to == ["b@x", "c@x"] and action.cc == ["d@x"]
    msg = action._message()
    assert msg["To"] == "b@x, c@x" and msg["Reply-To"] == "e@x"
    assert msg["Subject"] == "<No subject>"
    with pytest.raises(base.ActionError, match="recipient"):
        mail.SendEmailAction("a@x", [], "smtp").run({})


@pytest.mark.parametrize("host, expected", [
    ("node", ("node", 22)),
    ("node:2222", ("node", 2222)),
    ("[::1]:2200", ("::1", 2200)),
    ("[fe80::1]", ("fe80::1", 22)),
])
def test_ssh_host_forms(host, expected):
    assert ssh.split_host(host) == expected


def test_ssh_bad_key_text():
    with pytest.raises(base.ActionError, match="not a supported"):
        ssh._load_key(private_key="not a key")


def test_javascript_evaluates_with_context():
    run = javascript.JavaScriptAction
    assert run("return $.a * 2;", {"a": 21}).run({}) == 42
    assert run("var x = 1;").run({}) is None
    assert run("return {d: new Date(0), l: [1, 'two']};").run({}) == {
        "d": "1970-01-01T00:00:00.000Z", "l": [1, "two"]}
    with pytest.raises(base.ActionError, match="JavaScriptAction failed: .*boom"):
        run("throw new Error('boom');").run({})
    with pytest.raises(base.ActionError, match="SyntaxError"):
        run("return (;").run({})
