"""tooz group membership: every service joins ``<kind>_group`` as ``<host>_<pid>``.

Backends come from ``[coordination] backend_url`` (redis://, memcached://, zookeeper://);
without one, the embedded default uses tooz's file backend inside the state directory.
Each process heartbeats every ``heartbeat_interval`` seconds; a member whose heartbeats
stop drops out of its groups ``membership_timeout`` seconds later (the backend's member
TTL, or the ZooKeeper session timeout).
"""

import logging
import math
import os
import threading
import urllib.parse

from tooz import coordination

from mistral_svc import config

CONF = config.CONF
LOG = logging.getLogger(__name__)

GROUPS = ("api_group", "engine_group", "executor_group", "scheduler_group", "notifier_group")

# The URL query parameter through which each tooz driver takes its member timeout, and
# whether it must be whole seconds.
_TIMEOUT_PARAM = {
    "redis": ("membership_timeout", False),
    "rediss": ("membership_timeout", False),
    "memcached": ("membership_timeout", True),
    "file": ("timeout", True),
    "zookeeper": ("timeout", True),
    "kazoo": ("timeout", True),
}


def backend_url():
    """The tooz URL in force, carrying ``membership_timeout`` unless it sets its own."""
    url = CONF.coordination.backend_url
    if not url:
        path = os.path.join(CONF.state_dir, "tooz")
        os.makedirs(path, exist_ok=True)
        url = "file://" + path
    return with_timeout(url, CONF.coordination.membership_timeout)


def with_timeout(url, timeout):
    """``url`` with the member timeout in the query parameter its driver reads."""
    parts = urllib.parse.urlsplit(url)
    param, whole = _TIMEOUT_PARAM.get(parts.scheme, (None, False))
    if param is None or param in urllib.parse.parse_qs(parts.query):
        return url
    value = str(max(1, math.ceil(timeout))) if whole else repr(float(timeout))
    query = "&".join(q for q in (parts.query, "%s=%s" % (param, value)) if q)
    return urllib.parse.urlunsplit(parts._replace(query=query))


def member_id():
    return "%s_%d" % (CONF.host, os.getpid())


class Membership:
    """One process's tooz connection: joins groups and heartbeats until stopped."""

    def __init__(self):
        self._url = backend_url()
        self._coord = coordination.get_coordinator(self._url, member_id().encode())
        self._groups = []
        self._stop = threading.Event()
        self._thread = None
        self._lock = threading.Lock()

    def start(self):
        if CONF.coordination.heartbeat_interval >= CONF.coordination.membership_timeout:
            LOG.warning("[coordination] heartbeat_interval (%s s) is not below "
                        "membership_timeout (%s s): services will drop out between "
                        "heartbeats", CONF.coordination.heartbeat_interval,
                        CONF.coordination.membership_timeout)
        self._coord.start(start_heart=False)
        self._thread = threading.Thread(target=self._beat, name="tooz-heartbeat",
                                        daemon=True)
        self._thread.start()

    def join(self, group):
        gid = group.encode()
        with self._lock:
            self._join(gid)
            self._groups.append(gid)

    def _join(self, gid):
        try:
            self._coord.create_group(gid).get()
        except coordination.GroupAlreadyExist:
            pass
        try:
            self._coord.join_group(gid).get()
        except coordination.MemberAlreadyExist:
            pass

    def _beat(self):
        while not self._stop.wait(CONF.coordination.heartbeat_interval):
            try:
                with self._lock:
                    self._coord.heartbeat()
                    # Joining again is a no-op while we are a member; it brings us
                    # back after the backend lost its data (a restart) or expired us
                    # (this process stalled for longer than the membership timeout).
                    for gid in self._groups:
                        self._join(gid)
            except Exception:  # noqa: BLE001 - the backend may be briefly away
                LOG.warning("tooz heartbeat failed", exc_info=True)

    def members(self):
        """``[(member, group), ...]`` for every service group that exists."""
        out = []
        with self._lock:
            try:
                groups = self._coord.get_groups().get()
            except Exception:  # noqa: BLE001
                LOG.warning("could not list tooz groups", exc_info=True)
                return out
            for gid in groups:
                name = gid.decode() if isinstance(gid, bytes) else gid
                if name not in GROUPS:
                    continue
                try:
                    members = self._coord.get_members(gid).get()
                except coordination.GroupNotCreated:
                    continue
                for m in sorted(members):
                    m = m.decode() if isinstance(m, bytes) else m
                    if self._is_stale(m):
                        continue
                    out.append((m, name))
        return out

    def _is_stale(self, member):
        """The file backend serves one host only: a member of this host whose process
        is gone is dropped at once, without waiting for its heartbeat file to age."""
        if not self._url.startswith("file://"):
            return False
        host, _, pid = member.rpartition("_")
        if host != CONF.host or not pid.isdigit():
            return False
        try:
            os.kill(int(pid), 0)
            return False
        except ProcessLookupError:
            return True
        except PermissionError:
            return False

    def stop(self):
        self._stop.set()
        with self._lock:
            for gid in self._groups:
                try:
                    self._coord.leave_group(gid).get()
                except Exception:  # noqa: BLE001 - leaving is best effort
                    pass
            try:
                self._coord.stop()
            except Exception:  # noqa: BLE001
                pass


_membership = None
_create_lock = threading.Lock()


def get():
    """This process's Membership, created on first use."""
    global _membership
    with _create_lock:
        if _membership is None:
            membership = Membership()
            membership.start()
            _membership = membership
        return _membership


def reset():
    """Leave every group and disconnect (on shutdown)."""
    global _membership
    with _create_lock:
        if _membership is not None:
            _membership.stop()
        _membership = None
