"""Helpers of the crash and outage tests: the services of a deployment by kind (start,
SIGKILL, restart), a counter that actions call so every run of them is seen, a client
that starts executions through API restarts without starting one twice, and a reader
of what the database holds at the end."""

import collections
import concurrent.futures
import http.server
import json
import os
import random
import signal
import subprocess
import threading
import time

import requests
import sqlalchemy as sa

from mistral_svc.db import models
from tests import waiting

FINISHED = ("SUCCESS", "ERROR", "CANCELLED")


def wait_for(predicate, timeout, interval=0.2):
    """``predicate()``'s first truthy value within ``timeout`` seconds, else None."""
    return waiting.poll(predicate, timeout, interval, max_interval=max(interval, 1.0))


class Cluster:
    """The service processes of one Deployment, by kind."""

    def __init__(self, dep):
        self.dep = dep
        self.procs = collections.defaultdict(list)
        self.events = []

    def start(self, kind, count=1):
        for _ in range(count):
            self.procs[kind].append(self.dep.start(kind))

    def alive(self, kind):
        return [p for p in self.procs[kind] if p.poll() is None]

    def kill(self, kind, rng=random):
        """SIGKILL one running process of ``kind``; returns the event record."""
        victim = rng.choice(self.alive(kind))
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait()
        self.procs[kind].remove(victim)
        event = {"kind": kind, "pid": victim.pid, "killed_at": time.monotonic(),
                 "killed_utc": models.utcnow()}
        self.events.append(event)
        return event

    def terminate(self, kind):
        """SIGTERM one running process of ``kind`` and wait until it exits."""
        victim = self.alive(kind)[0]
        victim.send_signal(signal.SIGTERM)
        victim.wait(timeout=60)
        self.procs[kind].remove(victim)
        return victim

    def wait_members(self, counts, timeout=60):
        """Wait until GET /v2/services lists at least ``counts[kind]`` members of each
        kind's group."""

        def ready():
            try:
                services = requests.get(self.dep.url + "/services", timeout=5).json()
            except (requests.RequestException, ValueError):
                return False
            found = collections.Counter(s["type"] for s in services.get("services", []))
            return all(found["%s_group" % k] >= n for k, n in counts.items())

        assert wait_for(ready, timeout), "services did not join:\n" + self.dep.logs()


class _CounterHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the name http.server calls
        key = self.path.rstrip("/").rsplit("/", 1)[-1]
        with self.server.lock:
            self.server.hits[key] += 1
            run = self.server.hits[key]
        body = json.dumps({"key": key, "run": run}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Counter:
    """An HTTP server counting the GETs of every ``/<key>``: what ``std.http`` actions
    that call it really ran, whatever the database says."""

    def __init__(self):
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _CounterHandler)
        self._server.daemon_threads = True
        self._server.hits = collections.Counter()
        self._server.lock = threading.Lock()
        self.url = "http://127.0.0.1:%d" % self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def hits(self, key):
        with self._server.lock:
            return self._server.hits[key]

    def close(self):
        self._server.shutdown()
        self._server.server_close()


def post_workflow(url, text):
    r = requests.post(url + "/workflows", data=text,
                      headers={"Content-Type": "text/plain"}, timeout=30)
    assert r.status_code == 201, r.text


class Starter(threading.Thread):
    """Starts executions of ``workflow`` at a steady pace, ``inputs[i]`` described as
    ``"<prefix>-<i>"``.

    Through an API that dies or answers 503 it tries again, but first looks the
    description up: a request whose answer was lost may have started its execution
    all the same, and a client must not start it twice.
    """

    def __init__(self, url, workflow, inputs, seconds, prefix):
        super().__init__(daemon=True)
        self.url, self.workflow, self.inputs = url, workflow, inputs
        self.seconds, self.prefix = seconds, prefix
        self.ids = {}
        self.retries = 0
        self.error = None
        self.patience = 10
        self._lock = threading.Lock()

    def run(self):
        # Requests go out in parallel: one held up by a dead engine (until the API's
        # RPC timeout) must not hold up the rest.
        began = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
            futures = {}
            for i, wf_input in enumerate(self.inputs):
                pause = began + i * self.seconds / len(self.inputs) - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
                futures[i] = pool.submit(self._start, i, wf_input)
            for i, future in futures.items():
                try:
                    self.ids[i] = future.result()
                except Exception as e:  # noqa: BLE001 - reported by the test
                    self.error = self.error or e

    def _start(self, i, wf_input):
        description = "%s-%d" % (self.prefix, i)
        deadline = time.monotonic() + 120
        while True:
            try:
                r = requests.post(self.url + "/executions", json={
                    "workflow_name": self.workflow, "input": json.dumps(wf_input),
                    "description": description}, timeout=30)
                if r.status_code == 201:
                    return r.json()["id"]
                if r.status_code < 500:
                    raise AssertionError("POST /executions: %s %s" % (r.status_code, r.text))
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("could not start execution %s" % description)
            with self._lock:
                self.retries += 1
            # The request may still be in an engine's queue: give it time to show up
            # before asking again.
            found = wait_for(lambda: self._lookup(description), self.patience, interval=1)
            if found:
                return found

    def _lookup(self, description):
        """The id of the execution described so, None if there is none (or the API
        does not answer)."""
        try:
            r = requests.get(self.url + "/executions", params={
                "description": description}, timeout=10)
        except requests.RequestException:
            return None
        if r.status_code != 200:
            return None
        found = r.json()["executions"]
        return found[0]["id"] if found else None


class Database:
    """Reads the deployment's tables directly: the final word on what happened."""

    def __init__(self, url):
        self.engine = sa.create_engine(url, poolclass=sa.pool.NullPool)

    def close(self):
        self.engine.dispose()

    def _rows(self, model, *where, columns=None):
        table = model.__table__
        cols = [table.c[name] for name in columns] if columns else [table]
        query = sa.select(*cols)
        for cond in where:
            query = query.where(cond(table))
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def state_counts(self, prefix):
        t = models.WorkflowExecution.__table__
        query = sa.select(t.c.state, sa.func.count()).where(
            t.c.description.like(prefix + "-%")).group_by(t.c.state)
        with self.engine.connect() as conn:
            return dict(conn.execute(query).all())

    def executions(self, prefix):
        return self._rows(models.WorkflowExecution,
                          lambda t: t.c.description.like(prefix + "-%"))

    def tasks(self):
        return self._rows(models.TaskExecution, columns=(
            "id", "name", "workflow_execution_id", "state", "state_info"))

    def actions(self):
        return self._rows(models.ActionExecution, columns=(
            "id", "name", "task_execution_id", "workflow_execution_id", "state",
            "state_info", "accepted", "runtime_context", "created_at"))

    def unfinished(self):
        """Executions, tasks and actions in no final state, and jobs still pending."""
        counts = {}
        for label, model in (("executions", models.WorkflowExecution),
                             ("tasks", models.TaskExecution),
                             ("actions", models.ActionExecution)):
            t = model.__table__
            with self.engine.connect() as conn:
                counts[label] = conn.execute(sa.select(sa.func.count()).where(
                    t.c.state.notin_(FINISHED))).scalar()
        with self.engine.connect() as conn:
            counts["jobs"] = conn.execute(sa.select(sa.func.count()).select_from(
                models.ScheduledJob.__table__)).scalar()
        return counts


def log_lines(dep, text):
    """How many lines of the deployment's service logs contain ``text``."""
    total = 0
    for name in os.listdir(dep.dir):
        if name.endswith(".log"):
            with open(os.path.join(dep.dir, name), errors="replace") as f:
                total += sum(1 for line in f if text in line)
    return total


def write_figures(dep, name, figures):
    path = os.path.join(dep.dir, name)
    with open(path, "w") as f:
        json.dump(figures, f, indent=2, sort_keys=True)
    print("\n%s: %s\n(%s)" % (name, json.dumps(figures, sort_keys=True), path))
    return path


def service_control(*argv):
    """Run a service control command (pg_ctlcluster, rabbitmqctl) quietly."""
    subprocess.run(list(argv), check=True, capture_output=True, timeout=120)
