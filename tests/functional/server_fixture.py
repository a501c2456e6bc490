"""A real mistral-svc server for the CLI and python-mistralclient suites.

The server is the embedded default (SQLite in its own state directory, the in-process
transport, every service in one process) started as a subprocess on a free port. Both
suites import the ``mistral_server`` fixture from here; the process is started once per
test session, whichever suite asks first, and stopped with SIGTERM when the session ends.
"""

import atexit
import importlib
import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import pytest
import requests

import mistral_svc

STARTUP_TIMEOUT = 90
STOP_TIMEOUT = 20
TERMINAL_STATES = ("SUCCESS", "ERROR", "CANCELLED")

# The server's entry point, run through ``python -c`` so the test needs neither the
# console scripts on PATH nor a particular working directory.
_LAUNCH = "import sys; from mistral_svc.cmd import server; sys.exit(server.main())"

_CONFIG = """\
[DEFAULT]
state_dir = {state_dir}
graceful_shutdown_timeout = 5

[api]
host = 127.0.0.1
port = {port}
allow_action_execution_deletion = true

[scheduler]
fixed_delay = 0.1

[pecan]
auth_enable = {auth}

[action_std_http]
# Test receivers (webhooks) listen on loopback, which the egress policy refuses.
denied_cidrs =
"""


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """One running server process: its URL, state directory and log."""

    def __init__(self, auth=False):
        self.auth = auth
        self.state_dir = tempfile.mkdtemp(prefix="mistral-svc-server-")
        self.port = free_port()
        self.url = "http://127.0.0.1:%d/v2" % self.port
        self.config_file = os.path.join(self.state_dir, "mistral-svc.conf")
        self.log_file = os.path.join(self.state_dir, "server.log")
        self.process = None

    def start(self):
        with open(self.config_file, "w", encoding="utf-8") as f:
            f.write(_CONFIG.format(state_dir=self.state_dir, port=self.port,
                                   auth=str(self.auth).lower()))
        env = dict(os.environ)
        # The server must use the directory of its config file, nothing inherited.
        env.pop("MISTRAL_SVC_STATE_DIR", None)
        # Run the same mistral_svc the tests import, installed or not.
        source_root = os.path.dirname(os.path.dirname(os.path.abspath(mistral_svc.__file__)))
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (source_root, env.get("PYTHONPATH")) if p)
        with open(self.log_file, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-c", _LAUNCH, "--config-file", self.config_file],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
            )
        self._wait_ready()
        return self

    def _wait_ready(self):
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    "mistral-svc server exited with status %s during startup:\n%s"
                    % (self.process.returncode, self.log_tail())
                )
            try:
                if requests.get(self.url, timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(
            "mistral-svc server did not answer GET /v2 within %ss:\n%s"
            % (STARTUP_TIMEOUT, self.log_tail())
        )

    def log_tail(self, lines=40):
        try:
            with open(self.log_file, encoding="utf-8", errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return "<no log>"

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def stop(self):
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        shutil.rmtree(self.state_dir, ignore_errors=True)

    # -- small HTTP helpers the tests use to set up and wait for state ------------

    def api(self, method, path, **kwargs):
        resp = requests.request(method, self.url + path, timeout=30, **kwargs)
        resp.raise_for_status()
        return resp.json() if resp.content else None

    def create_workflows(self, text, **params):
        return self.api("POST", "/workflows", data=text.encode("utf-8"), params=params,
                        headers={"Content-Type": "text/plain"})["workflows"]

    def start_execution(self, workflow_name, wf_input=None, **extra):
        body = {"workflow_name": workflow_name}
        if wf_input is not None:
            body["input"] = json.dumps(wf_input)
        body.update(extra)
        return self.api("POST", "/executions", json=body)

    def wait_execution(self, ex_id, states=TERMINAL_STATES, timeout=30):
        """Poll an execution until its state is one of ``states``; returns it."""
        deadline = time.monotonic() + timeout
        while True:
            ex = self.api("GET", "/executions/%s" % ex_id)
            if ex["state"] in states:
                return ex
            if time.monotonic() > deadline:
                raise AssertionError(
                    "execution %s still %s after %ss" % (ex_id, ex["state"], timeout)
                )
            time.sleep(0.05)

    def wait_task(self, task_id, states=TERMINAL_STATES, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            task = self.api("GET", "/tasks/%s" % task_id)
            if task["state"] in states:
                return task
            if time.monotonic() > deadline:
                raise AssertionError(
                    "task %s still %s after %ss" % (task_id, task["state"], timeout)
                )
            time.sleep(0.05)

    def tasks(self, ex_id):
        """The tasks of an execution, by name."""
        return {t["name"]: t for t in
                self.api("GET", "/executions/%s/tasks" % ex_id)["tasks"]}


_shared = {}


def _stop_shared():
    for key in list(_shared):
        _shared.pop(key).stop()


# Should the test process end without running session teardown, do not leave the
# servers behind.
atexit.register(_stop_shared)


def _shared_server(request, key, auth):
    server = _shared.get(key)
    if server is None:
        server = Server(auth=auth).start()
        _shared[key] = server
        request.addfinalizer(lambda: _shared.pop(key, server).stop())
    if not server.alive():
        pytest.fail("the mistral-svc server is gone:\n%s" % server.log_tail())
    return server


@pytest.fixture(scope="session")
def mistral_server(request):
    """The running embedded default, shared by every suite of the session."""
    return _shared_server(request, "default", auth=False)


_counter = [0]


def unique(prefix):
    """A name no other test of the session (in either suite) uses."""
    _counter[0] += 1
    return "%s_%d_%d" % (prefix, os.getpid(), _counter[0])


def controller_missing(module, method=None, controller=None):
    """True while an API controller (or one method of it) has not been written yet.

    Evaluated at import time to skip the tests of endpoints still being built, so that
    they start running as soon as the controller lands.
    """
    name = "mistral_svc.api.controllers.v2." + module
    if importlib.util.find_spec(name) is None:
        return True
    if method is None:
        return False
    cls = getattr(importlib.import_module(name), controller, None)
    return cls is None or not hasattr(cls, method)
