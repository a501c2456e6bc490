"""Install and run upstream OpenStack Mistral as a reference to compare with.

Everything lives under one work directory: a virtualenv with ``mistral`` from
PyPI, a generated configuration file and the server log. The server runs as
``mistral-server --server all`` with authentication off, against the local
RabbitMQ and a dedicated PostgreSQL database.

It shares the RabbitMQ virtual host with whatever else runs there, so the
configuration gives it its own RPC topics and exchange: queues are named after
topics, and two servers consuming the default ``mistral_engine`` queue would
steal each other's messages.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

UPSTREAM_VERSION = "23.0.0"
VERSION_MARKER = ".bench-installed"


class UpstreamError(RuntimeError):
    """Setting up or starting the upstream server failed."""


@dataclass
class UpstreamSettings:
    """Where and how the reference server is installed and run."""

    workdir: Path
    version: str = UPSTREAM_VERSION
    port: int = 8990
    transport_url: str = "rabbit://guest:guest@127.0.0.1:5672/"
    db_host: str = "127.0.0.1"
    db_user: str = "postgres"
    db_name: str = "mistral_upstream"
    fresh_db: bool = False
    constraints: str | None = None
    install_timeout: float = 1800.0
    start_timeout: float = 180.0

    @property
    def venv(self) -> Path:
        """Directory of the virtualenv."""
        return self.workdir / "venv"

    def bin(self, name: str) -> Path:
        """Path of an executable inside the virtualenv."""
        return self.venv / "bin" / name

    @property
    def config_path(self) -> Path:
        """Generated configuration file."""
        # Per port, so that two instances can share one installation.
        return self.workdir / f"mistral-{self.port}.conf"

    @property
    def log_path(self) -> Path:
        """Where the server's and the installer's output goes."""
        return self.workdir / f"mistral-server-{self.port}.log"

    @property
    def db_url(self) -> str:
        """SQLAlchemy URL of the dedicated database."""
        return f"postgresql+psycopg2://{self.db_user}@{self.db_host}/{self.db_name}"

    @property
    def api_url(self) -> str:
        """Base URL of the API v2 once the server is up."""
        return f"http://127.0.0.1:{self.port}/v2"


def default_workdir() -> Path:
    """A per-user cache directory, so the slow install happens only once."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "mistral-bench" / "upstream"


def render_config(settings: UpstreamSettings) -> str:
    """The oslo.config file for the reference server."""
    # The port makes the names unique per instance, should two ever share a broker.
    prefix = f"mistral_bench_upstream_{settings.port}"
    return "\n".join(
        [
            "[DEFAULT]",
            f"transport_url = {settings.transport_url}",
            f"control_exchange = {prefix}",
            "",
            "[api]",
            "host = 127.0.0.1",
            f"port = {settings.port}",
            "",
            "[database]",
            f"connection = {settings.db_url}",
            "",
            "[pecan]",
            "auth_enable = False",
            "",
            "[engine]",
            f"topic = {prefix}_engine",
            # The default 1 MiB cap on stored fields would reject the 4 MiB
            # parameter scenario outright.
            "execution_field_size_limit_kb = -1",
            "",
            "[executor]",
            f"topic = {prefix}_executor",
            "",
            "[event_engine]",
            f"topic = {prefix}_event_engine",
            "",
            "[notifier]",
            f"topic = {prefix}_notifier",
            "",
        ]
    )


def _run(cmd: list[str], log, *, timeout: float, env: dict | None = None, logfile=None) -> str:
    """Run a command to completion; raise UpstreamError with its output tail."""
    log("$ " + " ".join(str(c) for c in cmd))
    proc = subprocess.run(
        [str(c) for c in cmd],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )
    if logfile is not None:
        logfile.write(proc.stdout)
    if proc.returncode != 0:
        tail = "\n".join(proc.stdout.splitlines()[-30:])
        raise UpstreamError(f"{cmd[0]} exited with {proc.returncode}:\n{tail}")
    return proc.stdout


def ensure_venv(settings: UpstreamSettings, log) -> None:
    """Create the virtualenv and install mistral into it, unless already done."""
    marker = settings.venv / VERSION_MARKER
    if marker.exists() and marker.read_text().strip() == settings.version:
        log(f"upstream mistral {settings.version} already installed in {settings.venv}")
        return
    settings.workdir.mkdir(parents=True, exist_ok=True)
    python = shutil.which("python3") or sys.executable
    _run([python, "-m", "venv", "--clear", settings.venv], log, timeout=300)
    cmd = [settings.bin("pip"), "install", f"mistral=={settings.version}", "psycopg2-binary"]
    if settings.constraints:
        cmd[2:2] = ["-c", settings.constraints]
    started = time.monotonic()
    with open(settings.workdir / "pip-install.log", "w", encoding="utf-8") as fh:
        _run(cmd, log, timeout=settings.install_timeout, logfile=fh)
    log(f"installed mistral {settings.version} in {time.monotonic() - started:.0f}s")
    marker.write_text(settings.version + "\n")


def ensure_database(settings: UpstreamSettings, log) -> None:
    """Create the dedicated database (dropping it first if a fresh one is wanted)."""
    conn = ["-h", settings.db_host, "-U", settings.db_user]
    if shutil.which("createdb"):
        if settings.fresh_db:
            _run(["dropdb", *conn, "--if-exists", settings.db_name], log, timeout=60)
        try:
            _run(["createdb", *conn, settings.db_name], log, timeout=60)
        except UpstreamError as exc:
            if "already exists" not in str(exc):
                raise
            log(f"database {settings.db_name} already exists")
        return
    # Without the PostgreSQL client tools, fall back to psycopg2, which the
    # virtualenv has anyway because the server needs it.
    script = (
        "import sys, psycopg2\n"
        "host, user, name, fresh = sys.argv[1:5]\n"
        "c = psycopg2.connect(host=host, user=user, dbname='postgres')\n"
        "c.autocommit = True\n"
        "cur = c.cursor()\n"
        "if fresh == '1':\n"
        "    cur.execute('DROP DATABASE IF EXISTS \"%s\"' % name)\n"
        "cur.execute('SELECT 1 FROM pg_database WHERE datname = %s', (name,))\n"
        "if not cur.fetchone():\n"
        "    cur.execute('CREATE DATABASE \"%s\"' % name)\n"
    )
    fresh = "1" if settings.fresh_db else "0"
    args = [settings.db_host, settings.db_user, settings.db_name, fresh]
    _run([settings.bin("python"), "-c", script, *args], log, timeout=60)


def migrate(settings: UpstreamSettings, log) -> None:
    """Bring the schema up to date and load the standard actions."""
    manage = settings.bin("mistral-db-manage")
    cfg = ["--config-file", settings.config_path]
    with open(settings.log_path, "a", encoding="utf-8") as fh:
        _run([manage, *cfg, "upgrade", "head"], log, timeout=600, logfile=fh)
        _run([manage, *cfg, "populate"], log, timeout=600, logfile=fh)


def prepare(settings: UpstreamSettings, log) -> None:
    """Everything before starting the server: install, configure, migrate."""
    ensure_venv(settings, log)
    settings.config_path.write_text(render_config(settings), encoding="utf-8")
    ensure_database(settings, log)
    migrate(settings, log)


def start_server(settings: UpstreamSettings, log) -> subprocess.Popen:
    """Start ``mistral-server --server all`` in its own process group."""
    cmd = [
        str(settings.bin("mistral-server")),
        "--server",
        "all",
        "--config-file",
        str(settings.config_path),
    ]
    log("$ " + " ".join(cmd) + f"  (log: {settings.log_path})")
    logfile = open(settings.log_path, "a", encoding="utf-8")  # noqa: SIM115 - owned by the child
    try:
        # A new session makes the server the leader of its own process group,
        # so stopping it also stops any workers it forks, and nothing else.
        return subprocess.Popen(
            cmd, stdout=logfile, stderr=subprocess.STDOUT, start_new_session=True
        )
    finally:
        logfile.close()


def wait_for_api(url: str, proc: subprocess.Popen, timeout: float, log_path: Path) -> None:
    """Block until the API answers, the server dies, or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise UpstreamError(f"server exited with {proc.returncode}:\n{_tail(log_path)}")
        try:
            resp = requests.get(f"{url}/workflows", params={"limit": 1}, timeout=5)
            if resp.status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise UpstreamError(f"API at {url} not ready after {timeout:.0f}s:\n{_tail(log_path)}")


def stop_server(proc: subprocess.Popen, grace: float = 15.0) -> None:
    """Stop the server's process group: SIGTERM, then SIGKILL after ``grace``."""
    if proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 10.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    """True if something accepts TCP connections on ``host:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        return sock.connect_ex((host, port)) == 0


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


class UpstreamServer:
    """Context manager: a running reference server, stopped on exit.

    ``pid`` is available inside the block for memory sampling.
    """

    def __init__(self, settings: UpstreamSettings, log):
        self.settings = settings
        self.log = log
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        """Base URL of the server's API v2."""
        return self.settings.api_url

    @property
    def pid(self) -> int | None:
        """PID of the server process, when running."""
        return self.proc.pid if self.proc is not None else None

    def __enter__(self):
        if port_in_use(self.settings.port):
            # Otherwise the readiness check could be answered by another
            # server and the comparison would silently measure the wrong one.
            raise UpstreamError(f"port {self.settings.port} is already in use")
        prepare(self.settings, self.log)
        self.proc = start_server(self.settings, self.log)
        try:
            wait_for_api(self.url, self.proc, self.settings.start_timeout, self.settings.log_path)
        except BaseException:
            stop_server(self.proc)
            raise
        self.log(f"upstream mistral {self.settings.version} is up at {self.url}")
        return self

    def __exit__(self, *exc_info) -> None:
        if self.proc is not None:
            stop_server(self.proc)
            self.log("upstream mistral stopped")
            self.proc = None
