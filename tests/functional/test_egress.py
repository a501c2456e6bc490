"""std.http goes only where ``[action_std_http]`` allows: no loopback or link-local by
default (checked after name resolution, on every redirect and on the connection), a
default timeout, a cap on the response size, and no credentials in what fails."""

import socket
import threading
import time

import pytest

from mistral_svc import config
from mistral_svc.actions import egress
from tests.functional.fake_http import RecordingServer, loopback_allowed


@pytest.fixture(scope="module")
def http_server():
    server = RecordingServer()
    yield server
    server.stop()


@pytest.fixture
def override():
    """Set ``[action_std_http]`` options for one test."""
    names = []

    def set_(name, value):
        config.CONF.set_override(name, value, group="action_std_http")
        names.append(name)

    yield set_
    for name in names:
        config.CONF.clear_override(name, group="action_std_http")


def _get(api, unique, url, extra=""):
    name = "wf_" + unique
    api.create_workflow("""\
version: '2.0'
%s:
  input: [url]
  tasks:
    fetch:
      action: std.http url=<%% $.url %%> %s
      publish:
        got: <%% task().result.content %%>
""" % (name, extra))
    ex = api.wait(api.start(name, {"url": url})["id"], timeout=60)
    return ex, api.tasks(ex["id"])["fetch"]


# 0.0.0.0 resolves to no denied address but connects to loopback: the check on the
# connection refuses it.
@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "2130706433", "127.1", "0x7f.1",
                                  "[::ffff:127.0.0.1]", "0.0.0.0"])
def test_loopback_is_refused_by_default(api, unique, http_server, host):
    port = http_server.url.rsplit(":", 1)[1]
    before = len(http_server.requests)
    ex, task = _get(api, unique, "http://%s:%s/v2/environments" % (host, port))
    assert ex["state"] == "ERROR" and task["state"] == "ERROR"
    assert "127.0.0.1 is a blocked address" in task["state_info"]
    assert "denied_cidrs" in task["state_info"]
    assert len(http_server.requests) == before


@pytest.mark.parametrize("url", ["http://169.254.169.254/latest/meta-data/",
                                 "http://[::1]:9/", "file:///etc/passwd",
                                 "gopher://example.org/"])
def test_link_local_ipv6_loopback_and_other_schemes_are_refused(api, unique, url):
    ex, task = _get(api, unique, url)
    assert task["state"] == "ERROR"
    assert "blocked address" in task["state_info"] or "is not allowed" in task["state_info"]


def test_allowed_hosts_limits_the_hosts(api, unique, http_server, override):
    override("allowed_hosts", ["example.org"])
    with loopback_allowed():
        ex, task = _get(api, unique, http_server.url + "/items")
    assert task["state"] == "ERROR"
    assert "not in [action_std_http] allowed_hosts" in task["state_info"]


def test_loopback_allowed_by_config(api, unique, http_server):
    with loopback_allowed():
        ex, task = _get(api, unique, http_server.url + "/items")
    assert ex["state"] == "SUCCESS", task["state_info"]


def test_a_redirect_to_a_blocked_address_is_refused(api, unique, http_server):
    port = http_server.url.rsplit(":", 1)[1]
    target = "http://127.0.0.2:%s/secret" % port
    # The server itself (127.0.0.1) is allowed; where it redirects (127.0.0.2) is not.
    with loopback_allowed(["127.0.0.2/32"]):
        ex, task = _get(api, unique, http_server.url + "/redirect?to=" + target)
    assert task["state"] == "ERROR"
    assert "127.0.0.2 is a blocked address" in task["state_info"]
    assert not [r for r in http_server.requests if r["path"] == "/secret"]


def test_the_connected_address_is_checked_too(http_server, monkeypatch):
    # A name that resolves to a public address when checked and to loopback when
    # connected (DNS rebinding) is refused by the check on the connection.
    def public(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port))]

    monkeypatch.setattr(egress.socket, "getaddrinfo", public, raising=True)
    policy = egress.Policy.from_options(["127.0.0.0/8"], [])
    policy.check_url(http_server.url)  # the resolution looks harmless
    monkeypatch.undo()
    monkeypatch.setattr(egress.Policy, "check_url", lambda self, url: None)
    before = len(http_server.requests)
    with pytest.raises(egress.Blocked, match="127.0.0.1 is a blocked address"):
        with egress.Session(policy) as session:
            session.get(http_server.url + "/items", timeout=5)
    assert len(http_server.requests) == before


def test_a_peer_that_never_answers_fails_after_the_default_timeout(api, unique, override):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    accepted = []
    threading.Thread(target=lambda: accepted.append(silent.accept()), daemon=True).start()
    override("default_timeout", 1)
    try:
        started = time.monotonic()
        with loopback_allowed():
            ex, task = _get(api, unique, "http://127.0.0.1:%d/" % silent.getsockname()[1])
        assert task["state"] == "ERROR"
        assert "timed out" in task["state_info"].lower()
        assert time.monotonic() - started < 20
    finally:
        silent.close()
        for conn, _addr in accepted:
            conn.close()


@pytest.mark.parametrize("path", ["/big/20000", "/chunked/20000"])
def test_a_response_over_max_response_size_bytes_fails(api, unique, http_server, override,
                                                       path):
    override("max_response_size_bytes", 10000)
    with loopback_allowed():
        ex, task = _get(api, unique, http_server.url + path)
    assert task["state"] == "ERROR"
    assert "HTTP response is too large" in task["state_info"]
    with loopback_allowed():
        ex, task = _get(api, unique + "b", http_server.url + "/big/9000")
    assert ex["state"] == "SUCCESS" and len(ex["output"]) > 0


def test_url_credentials_never_reach_state_info(api, unique, http_server):
    port = http_server.url.rsplit(":", 1)[1]
    with loopback_allowed():
        ex, task = _get(api, unique, "http://alice:s3cr3t-pw@127.0.0.1:%s/status/404" % port)
    assert task["state"] == "ERROR"
    assert "s3cr3t-pw" not in task["state_info"]
    assert "s3cr3t-pw" not in ex["state_info"]
    assert "***@127.0.0.1" in task["state_info"]
    result = api.get("/v2/tasks/%s" % task["id"])["result"]
    assert "s3cr3t-pw" not in result


def test_a_redirect_body_over_max_response_size_bytes_fails(api, unique, http_server,
                                                            override):
    # requests reads a redirect's body before following it: within the limit too.
    override("max_response_size_bytes", 10000)
    target = http_server.url + "/text"
    with loopback_allowed():
        ex, task = _get(api, unique, http_server.url + "/redirect?body=20000&to=" + target)
        assert task["state"] == "ERROR"
        assert "HTTP response is too large" in task["state_info"]
        ex, task = _get(api, unique + "b", http_server.url + "/redirect?body=9000&to="
                        + target)
    assert ex["state"] == "SUCCESS", task["state_info"]


def test_a_webhook_reads_a_redirect_body_within_the_limit(http_server, override):
    from mistral_svc.notifications.impl_webhook import WebhookPublisher

    override("max_response_size_bytes", 10000)
    with loopback_allowed():
        with pytest.raises(egress.ResponseTooLarge):
            WebhookPublisher().publish("ex", {"id": "ex"}, "WORKFLOW_SUCCEEDED", None,
                                       url=http_server.url + "/redirect?body=20000&to=/x")
        # Not followed, not an error of its own: a redirect is no 2xx.
        with pytest.raises(RuntimeError, match="answered 302"):
            WebhookPublisher().publish("ex", {"id": "ex"}, "WORKFLOW_SUCCEEDED", None,
                                       url=http_server.url + "/redirect?body=900&to=/x")
