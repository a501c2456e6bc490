"""The all-in-one service in-process: SQLite, fake:// transport, engine and executor
threads, and the pecan app driven through webtest (no sockets)."""

import json
import os
import tempfile

import pytest
import webtest

from tests.waiting import wait_for

from mistral_svc import config


@pytest.fixture(scope="session")
def service():
    state = tempfile.mkdtemp(prefix="mistral-svc-functional-")
    # Parsed (with no file) as a server's is: oslo.policy looks files up through it.
    if config.CONF._args is None:
        config.CONF([], project="mistral-svc", default_config_files=[])
    config.CONF.set_override("state_dir", state)
    config.CONF.set_override("connection", "sqlite:///" + os.path.join(state, "db.sqlite"),
                             group="database")
    config.CONF.set_override("fixed_delay", 0.1, group="scheduler")
    from mistral_svc.cmd import server

    launcher = server.Launcher(["engine", "executor", "scheduler"])
    server.prepare_database(embedded=True)
    launcher.start()
    yield launcher
    launcher.stop()


class Api:
    """A thin client over webtest with Mistral's wire conventions."""

    def __init__(self, app):
        self.app = app

    def get(self, url, status=200):
        return self.app.get(url, status=status).json

    def post_yaml(self, url, text, status=201):
        return self.app.post(url, text, headers={"Content-Type": "text/plain"},
                             status=status).json

    def put_yaml(self, url, text, status=200):
        return self.app.put(url, text, headers={"Content-Type": "text/plain"},
                            status=status).json

    def post(self, url, body, status=201):
        return self.app.post_json(url, body, status=status).json

    def put(self, url, body, status=200):
        return self.app.put_json(url, body, status=status).json

    def delete(self, url, status=204):
        return self.app.delete(url, status=status)

    def create_workflow(self, text):
        return self.post_yaml("/v2/workflows", text)["workflows"]

    def start(self, wf_name, wf_input=None, params=None, status=201, **extra):
        body = {"workflow_name": wf_name}
        if wf_input is not None:
            body["input"] = json.dumps(wf_input)
        if params is not None:
            body["params"] = json.dumps(params)
        body.update(extra)
        return self.post("/v2/executions", body, status=status)

    def start_text(self, text, wf_input=None, **kw):
        """Upload a one-workflow definition and start it; returns the execution id."""
        name = text.split("\n")[1].rstrip(":")
        self.create_workflow(text)
        return self.start(name, wf_input, **kw)["id"]

    def run(self, text, wf_input=None, **kw):
        """Upload, start and wait for a one-workflow definition; returns the execution."""
        return self.wait(self.start_text(text, wf_input, **kw))

    def wait(self, ex_id, states=("SUCCESS", "ERROR", "CANCELLED"), timeout=30):
        """Poll an execution until it reaches one of ``states``."""
        seen = {}

        def reached():
            seen["ex"] = self.get("/v2/executions/%s" % ex_id)
            return seen["ex"] if seen["ex"]["state"] in states else None

        return wait_for(reached, timeout, interval=0.02, max_interval=0.1,
                        message=lambda: "execution %s stuck in %s" % (ex_id, seen["ex"]["state"]))

    def tasks(self, ex_id):
        return {t["name"]: t for t in
                self.get("/v2/executions/%s/tasks" % ex_id)["tasks"]}


class HeaderIdentity:
    """Stands in for keystonemiddleware in the in-process tests: while a test turns
    ``[pecan] auth_enable`` on, the ``X-Project-Id`` and ``X-Roles`` it sends are taken
    as validated. (The real middleware, over a real Keystone, is tested in
    tests/integration/test_keystone_auth.py; a server never trusts these headers.)"""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        from mistral_svc import context

        ctx = context.anonymous()
        if config.CONF.pecan.auth_enable and (environ.get("HTTP_X_PROJECT_ID")
                                              or environ.get("HTTP_X_ROLES")):
            from mistral_svc.api import auth

            ctx = context.MistralContext.from_environ(environ, overwrite=False)
            ctx.is_admin = "admin" in [r.lower() for r in ctx.roles]
            try:
                ctx.target = auth.target_params(environ)
            except ValueError as e:  # as the API's Gate answers it
                return auth.fault(start_response, "400 Bad Request", str(e))
            ctx.is_target = bool(ctx.target)
        with context.using(ctx):
            return self.app(environ, start_response)


@pytest.fixture
def api(service):
    from mistral_svc.api import app

    return Api(webtest.TestApp(app.setup_app(authenticate=HeaderIdentity)))


_counter = [0]


@pytest.fixture
def unique():
    """A fresh name suffix per test, since the database lives for the whole session."""
    _counter[0] += 1
    return "n%d_%d" % (os.getpid(), _counter[0])
