"""A real Keystone for the tests that need tokens: keystone 30.0.0 from PyPI, in a
virtualenv of its own, on SQLite with fernet tokens, served by waitress.

``.ci/setup-keystone`` installs the virtualenv ahead of time (CI); otherwise the first
test session that needs it installs it (a few minutes, once per machine). Setting
Keystone up (db_sync, fernet and credential keys, bootstrap, users) takes about a
minute and is done once per test session by the session-scoped ``keystone`` fixture.

The identities, the same in every run:

- ``admin`` (password ``admin-pw``): admin of project ``admin`` (Keystone's bootstrap);
- ``alice`` / ``bob`` (``alice-pw`` / ``bob-pw``): member of ``proj-a`` / ``proj-b``;
- ``mistral`` (``mistral-pw``): the service user of project ``service`` (roles
  ``service`` and ``admin``), which the API's auth_token middleware validates tokens as.

Tests needing Keystone skip when it cannot be set up, and fail under ``CI=true``.
"""

import fcntl
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

import pytest
import requests

VERSION = "30.0.0"
CACHE = os.environ.get("MISTRAL_SVC_TEST_CACHE") or os.path.join(
    os.path.expanduser("~"), ".cache", "mistral-svc")
VENV = os.path.join(CACHE, "keystone-%s" % VERSION)
# The first port of the range Keystone tries (the next ones if it is taken).
PORT = int(os.environ.get("MISTRAL_SVC_TEST_KEYSTONE_PORT", "9100"))
INSTALL_TIMEOUT = 900

USERS = {
    "admin": ("admin-pw", "admin"),
    "alice": ("alice-pw", "proj-a"),
    "bob": ("bob-pw", "proj-b"),
    "mistral": ("mistral-pw", "service"),
}

_CONF = """\
[DEFAULT]
max_token_size = 255
[database]
connection = sqlite:///{dir}/keystone.db
[token]
provider = fernet
expiration = {expiration}
[fernet_tokens]
key_repository = {dir}/fernet-keys
[fernet_receipts]
key_repository = {dir}/fernet-keys
[credential]
key_repository = {dir}/credential-keys
[cache]
enabled = false
"""

# Keystone parses the command line itself, so the port comes in the environment.
_SERVE = ("import os, sys, waitress; sys.argv = sys.argv[:1]; "
          "from keystone.server import wsgi; "
          "waitress.serve(wsgi.initialize_public_application(), host='127.0.0.1', "
          "port=int(os.environ['KEYSTONE_PORT']), threads=4, _quiet=True)")


def _python():
    return os.path.join(VENV, "bin", "python")


def install():
    """Create the virtualenv with keystone (idempotent, safe across processes)."""
    os.makedirs(CACHE, exist_ok=True)
    marker = os.path.join(VENV, ".installed")
    with open(os.path.join(CACHE, "keystone.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.exists(marker):
            return
        subprocess.run([sys.executable, "-m", "venv", "--clear", VENV], check=True,
                       timeout=120)
        subprocess.run([_python(), "-m", "pip", "install", "-q", "keystone==%s" % VERSION,
                        "waitress"], check=True, timeout=INSTALL_TIMEOUT,
                       stdout=subprocess.DEVNULL)
        with open(marker, "w") as f:
            f.write(VERSION)


def _port():
    for port in range(PORT, PORT + 10):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port for Keystone from %d" % PORT)


class Keystone:
    """A running Keystone: its URL, and tokens for the users above."""

    def __init__(self, expiration=3600):
        self.dir = tempfile.mkdtemp(prefix="msvc-keystone-")
        self.expiration = expiration
        self.port = _port()
        self.url = "http://127.0.0.1:%d/v3" % self.port
        self.conf = os.path.join(self.dir, "keystone.conf")
        self.proc = None
        self.project_ids = {}
        self.user_ids = {}

    def _manage(self, *args):
        subprocess.run([os.path.join(VENV, "bin", "keystone-manage"), "--config-file",
                        self.conf, *args], check=True, timeout=300,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       env=self._env())

    def _env(self):
        return dict(os.environ, OS_KEYSTONE_CONFIG_FILES=self.conf)

    def start(self):
        with open(self.conf, "w") as f:
            f.write(_CONF.format(dir=self.dir, expiration=self.expiration))
        user, group = os.getuid(), os.getgid()
        self._manage("db_sync")
        self._manage("fernet_setup", "--keystone-user", str(user), "--keystone-group",
                     str(group))
        self._manage("credential_setup", "--keystone-user", str(user),
                     "--keystone-group", str(group))
        self._manage("bootstrap", "--bootstrap-password", USERS["admin"][0],
                     "--bootstrap-admin-url", self.url, "--bootstrap-public-url", self.url,
                     "--bootstrap-internal-url", self.url,
                     "--bootstrap-region-id", "RegionOne")
        log = open(os.path.join(self.dir, "keystone.log"), "w")
        self.proc = subprocess.Popen([_python(), "-c", _SERVE], stdout=log,
                                     stderr=subprocess.STDOUT, start_new_session=True,
                                     env=dict(self._env(), KEYSTONE_PORT=str(self.port)))
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(self.url, timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("Keystone did not start:\n" + self.log_tail())
            time.sleep(0.3)
        self._populate()
        return self

    def log_tail(self):
        try:
            with open(os.path.join(self.dir, "keystone.log")) as f:
                return f.read()[-3000:]
        except OSError:
            return ""

    def _admin(self, method, path, body=None):
        resp = requests.request(method, self.url + path, json=body, timeout=30,
                                headers={"X-Auth-Token": self.token("admin")})
        resp.raise_for_status()
        return resp.json() if resp.content else None

    def _role_id(self, name):
        roles = self._admin("GET", "/roles?name=%s" % name)["roles"]
        if roles:
            return roles[0]["id"]
        return self._admin("POST", "/roles", {"role": {"name": name}})["role"]["id"]

    def _populate(self):
        projects = self._admin("GET", "/projects?name=admin")["projects"]
        self.project_ids["admin"] = projects[0]["id"]
        self.user_ids["admin"] = self._admin("GET", "/users?name=admin")["users"][0]["id"]
        for name in ("proj-a", "proj-b", "service"):
            self.project_ids[name] = self._admin("POST", "/projects", {"project": {
                "name": name, "domain_id": "default"}})["project"]["id"]
        roles = {"alice": ["member", "reader"], "bob": ["member", "reader"],
                 "mistral": ["service", "admin"]}
        for user, names in roles.items():
            password, project = USERS[user]
            uid = self._admin("POST", "/users", {"user": {
                "name": user, "password": password, "domain_id": "default",
                "default_project_id": self.project_ids[project]}})["user"]["id"]
            self.user_ids[user] = uid
            for role in names:
                self._admin("PUT", "/projects/%s/users/%s/roles/%s" % (
                    self.project_ids[project], uid, self._role_id(role)))
        # Mistral's workflow service in the catalogue is not needed: the clients are
        # given the API's URL.

    def token(self, user, project=None):
        """A new project-scoped token of ``user`` (its own project by default)."""
        password, default = USERS[user]
        body = {"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": user, "domain": {"id": "default"}, "password": password}}},
            "scope": {"project": {"name": project or default,
                                  "domain": {"id": "default"}}}}}
        resp = requests.post(self.url + "/auth/tokens", json=body, timeout=30)
        resp.raise_for_status()
        return resp.headers["X-Subject-Token"]

    def revoke(self, token):
        """Revoke ``token`` (it answers 401 from then on)."""
        requests.delete(self.url + "/auth/tokens", timeout=30, headers={
            "X-Auth-Token": self.token("admin"), "X-Subject-Token": token}
        ).raise_for_status()

    def authtoken_config(self):
        """The ``[keystone_authtoken]`` section of a mistral-svc config file."""
        return (
            "[keystone_authtoken]\n"
            "www_authenticate_uri = %(url)s\n"
            "auth_url = %(url)s\n"
            "auth_type = password\n"
            "username = mistral\n"
            "password = %(pw)s\n"
            "project_name = service\n"
            "user_domain_name = Default\n"
            "project_domain_name = Default\n"
            "interface = public\n"
            "region_name = RegionOne\n"
            "service_token_roles_required = true\n"
            % {"url": self.url, "pw": USERS["mistral"][0]}
        )

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def _unavailable(msg):
    if os.environ.get("CI") == "true":
        pytest.fail(msg + " (mandatory under CI=true)")
    pytest.skip(msg)


@pytest.fixture(scope="session")
def keystone():
    """A running Keystone with the projects and users above, for the whole session."""
    try:
        install()
    except (subprocess.SubprocessError, OSError) as e:
        _unavailable("keystone %s could not be installed: %s" % (VERSION, e))
    ks = Keystone()
    try:
        ks.start()
    except (subprocess.SubprocessError, OSError, RuntimeError,
            requests.RequestException) as e:
        ks.stop()
        _unavailable("Keystone could not be set up: %s" % e)
    yield ks
    ks.stop()
