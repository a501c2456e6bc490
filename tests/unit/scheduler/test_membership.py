"""Service membership: the member timeout in each backend's URL, and the file backend."""

import os
import subprocess
import sys
import tempfile

import pytest

from mistral_svc import config
from mistral_svc.coordination import membership

CONF = config.CONF


@pytest.mark.parametrize("url, expected", [
    ("redis://127.0.0.1:6379", "redis://127.0.0.1:6379?membership_timeout=7.5"),
    ("redis://h:6379?db=2", "redis://h:6379?db=2&membership_timeout=7.5"),
    ("redis://h?membership_timeout=3", "redis://h?membership_timeout=3"),
    ("memcached://127.0.0.1:11211", "memcached://127.0.0.1:11211?membership_timeout=8"),
    ("zookeeper://zk1:2181", "zookeeper://zk1:2181?timeout=8"),
    ("file:///var/lib/x/tooz", "file:///var/lib/x/tooz?timeout=8"),
    ("etcd3+http://e:2379", "etcd3+http://e:2379"),
])
def test_member_timeout_travels_in_the_url(url, expected):
    assert membership.with_timeout(url, 7.5) == expected


@pytest.fixture
def file_backend():
    state = tempfile.mkdtemp(prefix="msvc-tooz-")
    CONF.set_override("backend_url", "file://" + os.path.join(state, "tooz"),
                      group="coordination")
    CONF.set_override("heartbeat_interval", 0.05, group="coordination")
    os.makedirs(os.path.join(state, "tooz"))
    yield
    CONF.clear_override("backend_url", group="coordination")
    CONF.clear_override("heartbeat_interval", group="coordination")


def test_file_backend_lists_live_members_only(file_backend):
    me = membership.Membership()
    me.start()
    try:
        me.join("engine_group")
        me.join("scheduler_group")
        # A second process that joins and is killed without leaving its group.
        code = (
            "import os, signal\n"
            "from mistral_svc import config\n"
            "config.CONF.set_override('backend_url', %r, group='coordination')\n"
            "from mistral_svc.coordination import membership\n"
            "m = membership.Membership(); m.start(); m.join('executor_group')\n"
            "print(membership.member_id(), flush=True)\n"
            "os.kill(os.getpid(), signal.SIGKILL)\n"
        ) % CONF.coordination.backend_url
        child = subprocess.run([sys.executable, "-c", code], capture_output=True,
                               text=True, timeout=60)
        dead = child.stdout.strip()
        assert dead, child.stderr
        # tooz itself still lists the dead member until its heartbeat file ages ...
        assert dead.encode() in me._coord.get_members(b"executor_group").get()
        # ... but a dead process of this host is dropped at once.
        members = me.members()
        mine = membership.member_id()
        assert sorted(members) == [(mine, "engine_group"), (mine, "scheduler_group")]
    finally:
        me.stop()
