"""Real processes over real services: RabbitMQ, PostgreSQL or MariaDB, Redis.

The services must answer on 127.0.0.1. When they do not, the tests are skipped, except
under ``CI=true``, where they fail: there they are mandatory.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import uuid

import pytest
import requests

from tests import waiting

SERVICES = {
    "rabbitmq": 5672,
    "postgresql": 5432,
    "mariadb": 3306,
    "redis": 6379,
}


def _answers(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def require(*names):
    """Skip (or, under CI=true, fail) unless every named service answers."""
    missing = [n for n in names if not _answers(SERVICES[n])]
    if missing:
        msg = "services not reachable on 127.0.0.1: %s" % ", ".join(missing)
        if os.environ.get("CI") == "true":
            pytest.fail(msg + " (mandatory under CI=true)")
        pytest.skip(msg)


def _die_with_parent():
    """In the child: be killed when the test process dies, so an interrupted run leaves
    no service behind holding database connections (Linux prctl PR_SET_PDEATHSIG)."""
    import ctypes

    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)
    except OSError:
        pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fresh_database(kind):
    """Create an empty database; returns its SQLAlchemy URL."""
    name = "msvc_it_%s" % uuid.uuid4().hex[:10]
    if kind == "postgresql":
        import psycopg2

        conn = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
        conn.autocommit = True
        conn.cursor().execute("CREATE DATABASE %s" % name)
        conn.close()
        return "postgresql+psycopg2://postgres@127.0.0.1/%s" % name
    import pymysql

    conn = pymysql.connect(host="127.0.0.1", user="root", password="")
    conn.cursor().execute("CREATE DATABASE %s CHARACTER SET utf8mb4" % name)
    conn.close()
    return "mysql+pymysql://root@127.0.0.1/%s?charset=utf8mb4" % name


def drop_database(url):
    name = url.rsplit("/", 1)[1].split("?")[0]
    try:
        if url.startswith("postgresql"):
            import psycopg2

            conn = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
            conn.autocommit = True
            conn.cursor().execute("DROP DATABASE IF EXISTS %s WITH (FORCE)" % name)
            conn.close()
        else:
            import pymysql

            conn = pymysql.connect(host="127.0.0.1", user="root", password="")
            conn.cursor().execute("DROP DATABASE IF EXISTS %s" % name)
            conn.close()
    except Exception:  # noqa: BLE001 - cleanup is best effort
        pass


class Deployment:
    """One config file, and any number of service processes started from it."""

    def __init__(self, db_url, extra="", env=None):
        self.dir = tempfile.mkdtemp(prefix="msvc-it-")
        # Environment of every process started (None: this process's own).
        self.env = env
        self.port = free_port()
        self.url = "http://127.0.0.1:%d/v2" % self.port
        run = uuid.uuid4().hex[:8]
        self.config = os.path.join(self.dir, "mistral-svc.conf")
        with open(self.config, "w") as f:
            f.write(
                "[DEFAULT]\n"
                "transport_url = rabbit://guest:guest@127.0.0.1:5672/\n"
                # A private exchange and topics keep concurrent runs apart on one broker.
                "control_exchange = msvc_it_%(run)s\n"
                "state_dir = %(dir)s\n"
                "[database]\nconnection = %(db)s\n"
                "[coordination]\nbackend_url = redis://127.0.0.1:6379\n"
                "heartbeat_interval = 1\n"
                "[api]\nport = %(port)d\n"
                "[engine]\ntopic = msvc_engine_%(run)s\n"
                "[executor]\ntopic = msvc_executor_%(run)s\n"
                "[scheduler]\nfixed_delay = 0.2\n"
                "%(extra)s"
                % {"run": run, "dir": self.dir, "db": db_url, "port": self.port,
                   "extra": extra}
            )
        self.procs = []

    def db_manage(self, *args):
        """Run ``mistral-svc-db-manage args``; returns the completed process."""
        return subprocess.run(
            [sys.executable, "-m", "mistral_svc.cmd.db_manage", *args,
             "--config-file", self.config],
            check=True, capture_output=True, timeout=120, env=self.env,
        )

    def start(self, server):
        log = open(os.path.join(self.dir, "%s-%d.log" % (server, len(self.procs))), "w")
        proc = subprocess.Popen(
            [sys.executable, "-m", "mistral_svc.cmd.server", "--server", server,
             "--config-file", self.config],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            preexec_fn=_die_with_parent, env=self.env,
        )
        self.procs.append(proc)
        return proc

    def wait_api(self, timeout=60):
        def answers():
            try:
                return requests.get(self.url, timeout=2).status_code == 200
            except requests.RequestException:
                return False

        waiting.wait_for(answers, timeout, interval=0.1,
                         message=lambda: "API never answered; logs:\n" + self.logs())

    def logs(self):
        out = []
        for name in sorted(os.listdir(self.dir)):
            if name.endswith(".log"):
                with open(os.path.join(self.dir, name)) as f:
                    out.append("== %s\n%s" % (name, f.read()[-3000:]))
        return "\n".join(out)

    def stop(self):
        for p in self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


@contextlib.contextmanager
def deployed(kind, extra="", env=None):
    """A Deployment on a fresh ``kind`` database (schema at head, system actions in),
    no service started yet; every service it started is stopped on the way out and the
    database dropped. ``extra`` is appended to the config file; ``env`` is the
    environment of its processes."""
    require("rabbitmq", "redis", kind)
    db_url = fresh_database(kind)
    dep = Deployment(db_url, extra=extra, env=env)
    dep.db_url = db_url
    try:
        dep.db_manage("upgrade", "head")
        dep.db_manage("populate")
        yield dep
    finally:
        dep.stop()
        drop_database(db_url)


@pytest.fixture(params=["postgresql", "mariadb"])
def deployment(request):
    """Schema ready, no service started yet."""
    with deployed(request.param) as dep:
        yield dep
