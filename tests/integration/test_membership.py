"""GET /v2/services over each tooz backend: every service is listed, and one killed
with SIGKILL drops out within the membership timeout."""

import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid

import pytest
import requests

from tests.integration.conftest import (
    Deployment,
    drop_database,
    free_port,
    fresh_database,
    require,
)
from tests.waiting import poll as _wait

GROUPS = {"api_group", "engine_group", "executor_group", "scheduler_group"}
MEMBERSHIP_TIMEOUT = 3


@pytest.fixture
def memcached():
    """A memcached of our own on a free port (the Debian package's binary)."""
    binary = shutil.which("memcached")
    if binary is None:
        msg = "memcached is not installed (.ci/install-packages installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(msg + " (mandatory under CI=true)")
        pytest.skip(msg)
    port = free_port()
    proc = subprocess.Popen([binary, "-l", "127.0.0.1", "-p", str(port), "-U", "0",
                             "-u", pwd.getpwuid(os.getuid()).pw_name],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield "memcached://127.0.0.1:%d" % port
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _redis_url():
    # A namespace of its own: the default one would also show the members of every
    # other deployment sharing this Redis.
    return "redis://127.0.0.1:6379?namespace=msvc_it_%s" % uuid.uuid4().hex[:8]


@pytest.fixture(params=["redis", "memcached", "file"])
def backend_url(request, tmp_path):
    if request.param == "redis":
        require("redis")
        return _redis_url()
    if request.param == "memcached":
        return request.getfixturevalue("memcached")
    return "file://%s" % (tmp_path / "tooz")


@pytest.fixture(scope="module")
def database():
    """One migrated database for the module: membership does not touch it, but the
    api, engine and scheduler refuse to start on a schema that is not at head."""
    require("rabbitmq", "postgresql")
    db_url = fresh_database("postgresql")
    try:
        Deployment(db_url).db_manage("upgrade", "head")
        yield db_url
    finally:
        drop_database(db_url)


def _services(url):
    try:
        return requests.get(url + "/services", timeout=5).json()["services"]
    except (requests.RequestException, ValueError):
        return []


def test_services_are_listed_and_a_killed_one_drops_out(database):
    require("redis")
    dep = Deployment(database, extra=(
        "[coordination]\nbackend_url = %s\nmembership_timeout = %d\n"
        % (_redis_url(), MEMBERSHIP_TIMEOUT)))
    try:
        procs = {server: dep.start(server)
                 for server in ("engine", "executor", "scheduler", "api")}
        dep.wait_api()

        def everyone():
            services = _services(dep.url)
            return services if GROUPS <= {s["type"] for s in services} else None

        services = _wait(everyone, timeout=30)
        assert services, "not every service joined:\n" + dep.logs()
        executor = "_%d" % procs["executor"].pid
        [victim] = [s["name"] for s in services
                    if s["type"] == "executor_group" and s["name"].endswith(executor)]

        procs["executor"].send_signal(signal.SIGKILL)
        procs["executor"].wait()
        killed = time.monotonic()

        def gone():
            services = _services(dep.url)
            names = {s["name"] for s in services}
            return services if services and victim not in names else None

        services = _wait(gone, timeout=MEMBERSHIP_TIMEOUT + 10)
        assert services, "the killed executor is still listed:\n" + dep.logs()
        assert time.monotonic() - killed < MEMBERSHIP_TIMEOUT + 3
        assert {s["type"] for s in services} == GROUPS - {"executor_group"}
        # The survivors keep heartbeating: still listed well past the timeout.
        time.sleep(MEMBERSHIP_TIMEOUT + 1)
        assert {s["type"] for s in _services(dep.url)} == GROUPS - {"executor_group"}
    finally:
        dep.stop()


_MEMBER = """\
import time
from mistral_svc import config
for name, value in (("backend_url", %r), ("membership_timeout", %r),
                    ("heartbeat_interval", 0.5)):
    config.CONF.set_override(name, value, group="coordination")
from mistral_svc.coordination import membership
m = membership.Membership()
m.start()
m.join("executor_group")
print(membership.member_id(), flush=True)
time.sleep(600)
"""


@pytest.fixture
def observer(backend_url):
    """A Membership of this process on ``backend_url``, to watch another one."""
    from mistral_svc import config
    from mistral_svc.coordination import membership

    conf = config.CONF
    conf.set_override("backend_url", backend_url, group="coordination")
    conf.set_override("membership_timeout", MEMBERSHIP_TIMEOUT, group="coordination")
    conf.set_override("heartbeat_interval", 0.5, group="coordination")
    watcher = membership.Membership()
    watcher.start()
    try:
        yield watcher
    finally:
        watcher.stop()
        conf.clear_override("backend_url", group="coordination")
        conf.clear_override("membership_timeout", group="coordination")
        conf.clear_override("heartbeat_interval", group="coordination")


def test_backend_keeps_a_heartbeating_member_and_drops_a_killed_one(backend_url, observer):
    child = subprocess.Popen(
        [sys.executable, "-c", _MEMBER % (backend_url, MEMBERSHIP_TIMEOUT)],
        stdout=subprocess.PIPE, text=True)
    try:
        member = child.stdout.readline().strip()
        assert member, "the member process did not start"
        assert _wait(lambda: (member, "executor_group") in observer.members(), 10)
        # Heartbeats keep it in its group well past the membership timeout.
        time.sleep(MEMBERSHIP_TIMEOUT + 1)
        assert (member, "executor_group") in observer.members()
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    killed = time.monotonic()
    assert _wait(lambda: (member, "executor_group") not in observer.members(),
                 MEMBERSHIP_TIMEOUT + 5)
    assert time.monotonic() - killed < MEMBERSHIP_TIMEOUT + 3
