"""Every std action run end to end in a workflow, against local servers where it talks
to one (HTTP, SMTP, SSH)."""

import email
import email.policy
import io
import json
import socket
import time

import paramiko
import pytest

from tests.functional.fake_http import RecordingServer, loopback_allowed
from tests.functional.fake_sshd import FakeSSHServer


def _run_wf(api, name, tasks, wf_input=None, input_names=()):
    head = "version: '2.0'\n%s:\n" % name
    if input_names:
        head += "  input: [%s]\n" % ", ".join(input_names)
    api.create_workflow(head + "  tasks:\n" + tasks)
    return api.wait(api.start(name, wf_input)["id"])


def _result(api, ex_id, task_name):
    task_id = api.tasks(ex_id)[task_name]["id"]
    return json.loads(api.get("/v2/tasks/%s" % task_id)["result"])


@pytest.fixture(scope="module")
def http_server():
    server = RecordingServer()
    with loopback_allowed():
        yield server
    server.stop()


def test_noop_echo_sleep_test_dict(api, unique):
    ex = _run_wf(api, "wf_" + unique, """\
    nothing:
      action: std.noop
      on-success: [echo]
    echo:
      action: std.echo output=<% [1, 2] %> delay=0.01
      on-success: [nap]
    nap:
      action: std.sleep seconds=0.05
      on-success: [dict]
    dict:
      action: std.test_dict size=3 key_prefix="k" val="v"
""")
    assert ex["state"] == "SUCCESS", ex["state_info"]
    assert _result(api, ex["id"], "nothing") is None
    assert _result(api, ex["id"], "echo") == [1, 2]
    assert _result(api, ex["id"], "nap") is None
    assert _result(api, ex["id"], "dict") == {"k0": "v", "k1": "v", "k2": "v"}


def test_fail_with_and_without_error_data(api, unique):
    ex = _run_wf(api, "wf_" + unique, """\
    plain:
      action: std.fail
      on-error: [with_data]
    with_data:
      action: std.fail error_data="custom failure"
""")
    assert ex["state"] == "ERROR"
    tasks = api.tasks(ex["id"])
    assert tasks["plain"]["state_info"] == "Fail action expected exception."
    assert tasks["with_data"]["state_info"] == "custom failure"


def test_http_requests_and_response_dict(api, unique, http_server):
    ex = _run_wf(api, "wf_" + unique, """\
    get:
      action: std.http url="<% $.base %>/items" method="GET"
      input:
        params: {q: find me}
        headers: {X-Count: 3}
      on-success: [post]
    post:
      action: std.http url="<% $.base %>/items" method="POST" auth="alice:pw"
      input:
        json: {name: thing, size: 2}
      on-success: [text]
    text:
      action: std.http url="<% $.base %>/text"
      on-success: [missing]
    missing:
      action: std.http url="<% $.base %>/status/404"
""", {"base": http_server.url}, ["base"])
    assert ex["state"] == "ERROR"
    got = _result(api, ex["id"], "get")
    assert got["status"] == 200 and got["reason"] == "OK"
    assert got["content"]["query"] == {"q": "find me"}
    assert got["content"]["headers"]["X-Count"] == "3"
    assert got["headers"]["Content-Type"] == "application/json"
    assert got["url"].startswith(http_server.url + "/items?q=")
    assert isinstance(got["elapsed"], float)
    posted = _result(api, ex["id"], "post")["content"]
    assert posted["method"] == "POST"
    assert json.loads(posted["body"]) == {"name": "thing", "size": 2}
    assert posted["headers"]["Authorization"].startswith("Basic ")
    assert _result(api, ex["id"], "text")["content"] == "plain words"
    missing = api.tasks(ex["id"])["missing"]
    assert missing["state"] == "ERROR" and "'status': 404" in missing["state_info"]


def test_adhoc_action_on_std_http(api, unique, http_server):
    api.post_yaml("/v2/actions", """\
version: '2.0'
get_thing_{u}:
  base: std.http
  input:
    - base_url
    - thing
    - token: abc
  base-input:
    url: <% $.base_url %>/things/<% $.thing %>
    headers:
      X-Token: <% $.token %>
  output:
    path: <% $.content.path %>
    token: <% $.content.headers.get('X-Token') %>
    status: <% $.status %>
""".format(u=unique))
    ex = _run_wf(api, "wf_" + unique, """\
    fetch:
      action: get_thing_{u} base_url=<% $.base %> thing="box"
      publish:
        fetched: <% task().result %>
""".format(u=unique), {"base": http_server.url}, ["base"])
    assert ex["state"] == "SUCCESS", ex["state_info"]
    published = json.loads(api.tasks(ex["id"])["fetch"]["published"])
    assert published == {"fetched": {"path": "/things/box", "token": "abc", "status": 200}}
    http_server.wait_for(lambda r: r["path"] == "/things/box")


def test_mistral_http_is_async_and_sends_its_identity(api, unique, http_server):
    name = "wf_" + unique
    api.create_workflow("""\
version: '2.0'
{name}:
  input: [base]
  tasks:
    call:
      action: std.mistral_http url="<% $.base %>/hook/{u}" method="POST"
      input:
        body: {{ask: 1}}
      publish:
        answer: <% task().result %>
""".format(name=name, u=unique))
    ex = api.start(name, {"base": http_server.url})
    request = http_server.wait_for(lambda r: r["path"] == "/hook/" + unique)
    headers = request["headers"]
    assert headers["Mistral-Workflow-Name"] == name
    assert headers["Mistral-Execution-Id"] == ex["id"]
    assert headers["Mistral-Workflow-Execution-Id"] == ex["id"]
    assert headers["Mistral-Task-Id"] == api.tasks(ex["id"])["call"]["id"]
    assert headers["Mistral-Callback-URL"].startswith("http://")
    a_ex_id = headers["Mistral-Action-Execution-Id"]
    time.sleep(0.1)
    assert api.get("/v2/executions/%s" % ex["id"])["state"] == "RUNNING"
    api.put("/v2/action_executions/%s" % a_ex_id, {"state": "SUCCESS", "output": 3})
    done = api.wait(ex["id"])
    assert done["state"] == "SUCCESS"
    assert json.loads(api.tasks(ex["id"])["call"]["published"]) == {"answer": 3}


def test_async_noop_in_workflow(api, unique):
    name = "wf_" + unique
    api.create_workflow("version: '2.0'\n%s:\n  tasks:\n    hold:\n"
                        "      action: std.async_noop\n" % name)
    ex = api.start(name)
    deadline = time.monotonic() + 10
    while True:
        a_exs = api.get("/v2/action_executions?workflow_name=%s" % name)["action_executions"]
        if a_exs:
            break
        assert time.monotonic() < deadline
        time.sleep(0.02)
    api.put("/v2/action_executions/%s" % a_exs[0]["id"], {"state": "SUCCESS"})
    assert api.wait(ex["id"])["state"] == "SUCCESS"


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    class Handler:
        def __init__(self):
            self.envelopes = []

        async def handle_DATA(self, server, session, envelope):
            self.envelopes.append(envelope)
            return "250 Message accepted"

    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    handler = Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    handler.address = "127.0.0.1:%d" % port
    yield handler
    controller.stop()


def test_email_through_adhoc_action(api, unique, smtp_server):
    # The shape users write: an ad-hoc action holding the fixed std.email inputs.
    api.post_yaml("/v2/actions", """\
version: '2.0'
error_email_{u}:
  input:
    - execution_id
    - smtp
  base: std.email
  base-input:
    to_addrs: [admin@example.org]
    cc_addrs: ops@example.org
    subject: Workflow failed
    body: Please look at execution <% $.execution_id %>.
    from_addr: mistral@example.org
    smtp_server: <% $.smtp %>
""".format(u=unique))
    ex = _run_wf(api, "wf_" + unique, """\
    notify:
      action: error_email_{u} execution_id=<% execution().id %> smtp=<% $.smtp %>
""".format(u=unique), {"smtp": smtp_server.address}, ["smtp"])
    assert ex["state"] == "SUCCESS", ex["state_info"]
    (envelope,) = smtp_server.envelopes
    assert envelope.mail_from == "mistral@example.org"
    assert envelope.rcpt_tos == ["admin@example.org", "ops@example.org"]
    msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert msg["Subject"] == "Workflow failed" and msg["Cc"] == "ops@example.org"
    assert msg.get_content().strip() == "Please look at execution %s." % ex["id"]


def test_email_to_unreachable_server_fails_the_task(api, unique):
    ex = _run_wf(api, "wf_" + unique, """\
    notify:
      action: std.email from_addr="a@example.org" to_addrs="b@example.org" smtp_server="127.0.0.1:1"
""")
    assert ex["state"] == "ERROR"
    assert "Failed to send an email message" in api.tasks(ex["id"])["notify"]["state_info"]


@pytest.fixture(scope="module")
def ssh_key():
    return paramiko.ECDSAKey.generate()


@pytest.fixture(scope="module")
def sshd(ssh_key):
    server = FakeSSHServer(authorized_key=ssh_key)
    yield server
    server.stop()


def test_ssh_commands(api, unique, sshd, ssh_key, tmp_path):
    key_text = io.StringIO()
    ssh_key.write_private_key(key_text)
    ex = _run_wf(api, "wf_" + unique, """\
    by_password:
      action: std.ssh host=<% $.host %> username="tester" password="secret"
      input:
        cmd: echo "hello from $((6 * 7))"
      on-complete: [by_key]
    by_key:
      action: std.ssh cmd="echo key" username="tester"
      input:
        host: [<% $.host %>, <% $.host %>]
        private_key: <% $.key %>
      on-complete: [keep_going]
    keep_going:
      action: std.ssh host=<% $.host %> username="tester" password="secret"
      input:
        cmd: echo partial; echo oops >&2; exit 3
        return_result_on_error: true
      on-complete: [failing]
    failing:
      action: std.ssh cmd="exit 4" host=<% $.host %> username="tester" password="secret"
""", {"host": sshd.host, "key": key_text.getvalue()}, ["host", "key"])
    assert ex["state"] == "ERROR"
    assert _result(api, ex["id"], "by_password") == "hello from 42\n"
    assert _result(api, ex["id"], "by_key") == ["key\n", "key\n"]
    assert _result(api, ex["id"], "keep_going") == {
        "stdout": "partial\n", "stderr": "oops\n", "exit_code": 3}
    failing = api.tasks(ex["id"])["failing"]
    assert failing["state"] == "ERROR" and "exit code 4" in failing["state_info"]


def test_ssh_key_paths_never_climb_and_secrets_stay_masked(api, unique, sshd):
    ex = _run_wf(api, "wf_" + unique, """\
    climbing:
      action: std.ssh cmd="true" host=<% $.host %> username="tester"
      input:
        private_key_filename: ../../etc/ssh/ssh_host_rsa_key
      on-complete: [quoting]
    quoting:
      action: std.ssh host=<% $.host %> username="tester" password="secret"
      input:
        cmd: "client --password hunter2 'token=abc123' ; exit 5"
""", {"host": sshd.host}, ["host"])
    tasks = api.tasks(ex["id"])
    assert tasks["climbing"]["state"] == "ERROR"
    assert "Private key filename must not contain '..'" in tasks["climbing"]["state_info"]
    quoting = tasks["quoting"]
    assert quoting["state"] == "ERROR" and "exit code 5" in quoting["state_info"]
    for text in (quoting["state_info"], ex["state_info"]):
        assert "hunter2" not in text and "abc123" not in text
    assert "--password ***" in quoting["state_info"]


def test_ssh_proxied_and_wait_ssh(api, unique, sshd, ssh_key, tmp_path):
    key_file = tmp_path / "id_ecdsa"
    ssh_key.write_private_key_file(str(key_file))
    gateway = FakeSSHServer(authorized_key=ssh_key)
    try:
        ex = _run_wf(api, "wf_" + unique, """\
    wait:
      action: std.wait_ssh host=<% $.host %> username="tester" password="secret" timeout=5
      on-success: [through_gateway]
    through_gateway:
      action: std.ssh_proxied cmd="echo via gateway" host=<% $.host %> username="tester"
      input:
        private_key_filename: <% $.key_file %>
        gateway_host: <% $.gateway %>
""", {"host": sshd.host, "gateway": gateway.host, "key_file": str(key_file)},
            ["host", "gateway", "key_file"])
    finally:
        gateway.stop()
    assert ex["state"] == "SUCCESS", ex["state_info"]
    assert _result(api, ex["id"], "wait") is None
    assert _result(api, ex["id"], "through_gateway") == "via gateway\n"


def test_wait_ssh_gives_up_after_its_timeout(api, unique):
    ex = _run_wf(api, "wf_" + unique, """\
    wait:
      action: std.wait_ssh host="127.0.0.1:1" username="nobody" timeout=0.3 interval=0.1
""")
    assert ex["state"] == "ERROR"
    assert "was not ready within" in api.tasks(ex["id"])["wait"]["state_info"]


def test_javascript_and_js_alias(api, unique):
    ex = _run_wf(api, "wf_" + unique, """\
    compute:
      action: std.javascript
      input:
        context: <% $ %>
        script: |
          var total = 0;
          for (var i = 0; i < $.numbers.length; i++) { total += $.numbers[i]; }
          return {total: total, label: $.label.toUpperCase(), when: new Date(0)};
      on-success: [alias]
    alias:
      action: std.js script="return [1, 2].map(function (x) { return x * 10; });"
      on-success: [broken]
    broken:
      action: std.js script="throw new Error('no good');"
""", {"numbers": [1, 2, 3.5], "label": "sum"}, ["numbers", "label"])
    assert ex["state"] == "ERROR"
    assert _result(api, ex["id"], "compute") == {
        "total": 6.5, "label": "SUM", "when": "1970-01-01T00:00:00.000Z"}
    assert _result(api, ex["id"], "alias") == [10, 20]
    assert "no good" in api.tasks(ex["id"])["broken"]["state_info"]
