"""tooz group membership: every service joins ``<kind>_group`` as ``<host>_<pid>``.

Backends come from ``[coordination] backend_url`` (redis://, memcached://, zookeeper://);
without one, the embedded default uses tooz's file backend inside the state directory.
"""

import logging
import os
import threading

from tooz import coordination

from mistral_svc import config

CONF = config.CONF
LOG = logging.getLogger(__name__)

GROUPS = ("api_group", "engine_group", "executor_group", "scheduler_group")


def backend_url():
    url = CONF.coordination.backend_url
    if url:
        return url
    path = os.path.join(CONF.state_dir, "tooz")
    os.makedirs(path, exist_ok=True)
    return "file://" + path


def member_id():
    return "%s_%d" % (CONF.host, os.getpid())


class Membership:
    """One process's tooz connection: joins groups and heartbeats until stopped."""

    def __init__(self):
        self._coord = coordination.get_coordinator(backend_url(), member_id().encode())
        self._groups = []
        self._stop = threading.Event()
        self._thread = None
        self._lock = threading.Lock()

    def start(self):
        self._coord.start(start_heart=False)
        self._thread = threading.Thread(target=self._beat, name="tooz-heartbeat",
                                        daemon=True)
        self._thread.start()

    def join(self, group):
        gid = group.encode()
        with self._lock:
            try:
                self._coord.create_group(gid).get()
            except coordination.GroupAlreadyExist:
                pass
            try:
                self._coord.join_group(gid).get()
            except coordination.MemberAlreadyExist:
                pass
            self._groups.append(gid)

    def _beat(self):
        while not self._stop.wait(CONF.coordination.heartbeat_interval):
            try:
                with self._lock:
                    self._coord.heartbeat()
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
                    if self._is_stale(gid, m):
                        continue
                    out.append((m, name))
        return out

    def _is_stale(self, gid, member):
        """The file backend keeps members of dead processes; it serves one host only,
        so a member whose process is gone is dropped (other backends expire them)."""
        if not backend_url().startswith("file://"):
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


def get():
    """This process's Membership, created on first use."""
    global _membership
    if _membership is None:
        _membership = Membership()
        _membership.start()
    return _membership


def reset():
    global _membership
    if _membership is not None:
        _membership.stop()
    _membership = None
