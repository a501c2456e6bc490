"""Run python-mistralclient's own multi-tenancy CLI tests, unmodified, against an
auth-enabled mistral-svc and a real Keystone (tests/keystone.py).

    runner.py CLI_COMMAND CLIENT_SRC

CLI_COMMAND is what the tests run as ``mistral`` (``.venv/bin/mistral-svc`` or the
official ``.venv/bin/mistral``); CLIENT_SRC a source tree of python-mistralclient (the
tests read functionaltests/resources/ from it). Needs tempest and python-mistralclient
importable (see ./run). The test harness gets its credentials from the local Keystone
(admin for the primary cloud, alt_demo for the alternate one) instead of a clouds.yaml,
and project ids from Keystone instead of the openstack CLI; nothing else changes.
"""

import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)

from tests import keystone  # noqa: E402

MODULE = "mistralclient.tests.functional.cli.v2.test_cli_multi_tenancy"
PORT = int(os.environ.get("MT_PORT", "9150"))


def _stack():
    ks = keystone.Keystone().start()
    keystone.USERS["alt_demo"] = ("alt-pw", "alt_demo")
    pid = ks._admin("POST", "/projects", {"project": {
        "name": "alt_demo", "domain_id": "default"}})["project"]["id"]
    ks.project_ids["alt_demo"] = pid
    uid = ks._admin("POST", "/users", {"user": {
        "name": "alt_demo", "password": "alt-pw", "domain_id": "default",
        "default_project_id": pid}})["user"]["id"]
    for role in ("member", "reader"):
        ks._admin("PUT", "/projects/%s/users/%s/roles/%s" % (pid, uid, ks._role_id(role)))
    state = tempfile.mkdtemp(prefix="msvc-mt-")
    conf = os.path.join(state, "mistral-svc.conf")
    with open(conf, "w") as f:
        f.write("[DEFAULT]\nstate_dir = %s\n[api]\nhost = 127.0.0.1\nport = %d\n"
                "[pecan]\nauth_enable = true\n%s" % (state, PORT, ks.authtoken_config()))
    env = {k: v for k, v in os.environ.items() if k != "MISTRAL_SVC_STATE_DIR"}
    server = subprocess.Popen(
        [os.path.join(ROOT, ".venv", "bin", "python"), "-m", "mistral_svc.cmd.server",
         "--config-file", conf], cwd=ROOT, env=env,
        stdout=open(os.path.join(state, "server.log"), "w"), stderr=subprocess.STDOUT)
    import requests

    url = "http://127.0.0.1:%d/v2" % PORT
    for _ in range(300):
        try:
            if requests.get(url, timeout=2).status_code == 200:
                break
        except requests.RequestException:
            time.sleep(0.3)
    return ks, server, url


def _cases(suite):
    for item in suite:
        if isinstance(item, unittest.TestSuite):
            yield from _cases(item)
        else:
            yield item


def main():
    command, src = sys.argv[1], sys.argv[2]
    bindir = tempfile.mkdtemp(prefix="msvc-mt-bin-")
    with open(os.path.join(bindir, "mistral"), "w") as f:
        f.write('#!/usr/bin/env bash\nexec %s "$@"\n' % os.path.abspath(command))
    os.chmod(os.path.join(bindir, "mistral"), 0o755)
    os.environ.setdefault("PBR_VERSION", "6.3.0")
    os.environ.pop("WITHOUT_AUTH", None)
    # A SIGTERM (a timeout around the run) still stops the server and Keystone.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    ks, server, url = _stack()
    try:
        os.chdir(src)
        from mistralclient.tests.functional.cli import base

        creds = {"devstack-admin": ("admin", "admin"),
                 "devstack-alt-member": ("alt_demo", "alt_demo")}

        def credentials(cloud="devstack-admin"):
            user, project = creds[cloud]
            return {"username": user, "password": keystone.USERS[user][0],
                    "project_name": project, "user_domain_id": "default",
                    "project_domain_id": "default", "auth_url": ks.url}

        base.credentials = credentials
        base.CLI_DIR = bindir
        base.MistralCLIAuth.get_project_id = (
            lambda self, project_name="admin": ks.project_ids[project_name])
        base.MistralCLIAuth._mistral_url = url
        base.MistralCLIAltAuth._mistral_url = url
        suite = unittest.TestLoader().loadTestsFromName(MODULE)
        for case in _cases(suite):
            # The test classes carry the API's URL themselves.
            if hasattr(type(case), "_mistral_url"):
                type(case)._mistral_url = url
        result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
        print("%d passed, %d failed, %d skipped" % (
            result.testsRun - len(result.failures) - len(result.errors)
            - len(result.skipped), len(result.failures) + len(result.errors),
            len(result.skipped)))
        return 0 if result.wasSuccessful() else 1
    finally:
        server.terminate()
        server.wait()
        ks.stop()


if __name__ == "__main__":
    sys.exit(main())
