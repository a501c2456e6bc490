"""Prometheus metrics (prometheus-client), the same names on every service.

The API answers ``GET /metrics``; engine, executor, scheduler and notifier processes
serve them on ``[metrics] port`` when it is set. With ``PROMETHEUS_MULTIPROC_DIR`` in
the environment (several WSGI workers, or several services on one host sharing a
directory), prometheus-client keeps the values in files and every exposition adds up
all the processes writing there.
"""

import logging
import os
import threading
import time

import prometheus_client
from prometheus_client import multiprocess

LOG = logging.getLogger(__name__)

# The *_created series double every counter on the page and tell operators nothing.
prometheus_client.disable_created_metrics()

# Latencies from a fraction of a millisecond (a std.noop hop) up to minutes (a slow
# action), so both the engine's speed and a hanging action are visible.
_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
            5.0, 10.0, 30.0, 60.0, 300.0, float("inf"))

WORKFLOWS_STARTED = prometheus_client.Counter(
    "mistral_svc_workflow_executions_started",
    "Workflow executions started.")
WORKFLOWS_FINISHED = prometheus_client.Counter(
    "mistral_svc_workflow_executions_finished",
    "Workflow executions that reached a final state (SUCCESS, ERROR, CANCELLED).",
    ["state"])
TASKS_STARTED = prometheus_client.Counter(
    "mistral_svc_task_executions_started",
    "Task executions that began running (a join that waited counts when it starts).")
TASKS_FINISHED = prometheus_client.Counter(
    "mistral_svc_task_executions_finished",
    "Task executions that reached a final state.", ["state"])
ACTION_SECONDS = prometheus_client.Histogram(
    "mistral_svc_action_duration_seconds",
    "Time an executor spent running an action, by action name.", ["action"],
    buckets=_BUCKETS)
ENGINE_HOP_SECONDS = prometheus_client.Histogram(
    "mistral_svc_engine_hop_seconds",
    "Time an engine took to handle one message (one hop of an execution), by RPC "
    "method.", ["method"], buckets=_BUCKETS)
RPC_ERRORS = prometheus_client.Counter(
    "mistral_svc_rpc_errors",
    "RPC failures: 'handler' when a service's handler raised an unexpected error, "
    "'send' when a message could not be sent or its answer did not come.",
    ["service", "method", "kind"])
DUE_JOBS = prometheus_client.Gauge(
    "mistral_svc_scheduler_due_jobs",
    "Scheduled jobs whose time has come and that no scheduler has handed on yet.",
    multiprocess_mode="max")

_FINAL = ("SUCCESS", "ERROR", "CANCELLED")
_NOT_STARTED = (None, "IDLE", "WAITING")


def count_state_changes(changes):
    """Count executions and tasks that started and finished (a state_events
    subscriber: it sees only committed changes)."""
    for change in changes:
        if change.kind == "workflow":
            started, finished = WORKFLOWS_STARTED, WORKFLOWS_FINISHED
        else:
            started, finished = TASKS_STARTED, TASKS_FINISHED
        if change.new == "RUNNING" and change.old in _NOT_STARTED:
            started.inc()
        elif change.new in _FINAL:
            finished.labels(state=change.new).inc()


_backlog = {"reader": None, "lock": threading.Lock()}


def watch_due_jobs(count_due):
    """Read the due-job backlog with ``count_due()`` whenever metrics are scraped (in
    the processes that run a scheduler)."""
    _backlog["reader"] = count_due


def _refresh_backlog():
    reader = _backlog["reader"]
    if reader is None:
        return
    # A scrape storm must not become a query storm.
    with _backlog["lock"]:
        try:
            DUE_JOBS.set(reader())
        except Exception:  # noqa: BLE001 - a scrape never fails for the database
            LOG.warning("could not count due jobs", exc_info=True)


def exposition(accept=None):
    """``(body, content type)`` of the current metrics."""
    _refresh_backlog()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = prometheus_client.CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = prometheus_client.REGISTRY
    from prometheus_client import exposition as expo

    encoder, content_type = expo.choose_encoder(accept or "")
    return encoder(registry), content_type


def wsgi_app(environ, start_response):
    """The ``/metrics`` page as a WSGI application."""
    body, content_type = exposition(environ.get("HTTP_ACCEPT"))
    start_response("200 OK", [("Content-Type", content_type),
                              ("Content-Length", str(len(body)))])
    return [body]


class Timer:
    """``with Timer(histogram.labels(...)):`` observes the block's duration."""

    def __init__(self, observer):
        self._observer = observer

    def __enter__(self):
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self._observer.observe(time.perf_counter() - self._start)
        return False


def serve(host, port):
    """Serve ``/metrics`` on ``host:port`` in a daemon thread; returns the server."""
    from wsgiref import simple_server

    class _Quiet(simple_server.WSGIRequestHandler):
        def log_message(self, *args):
            pass

    def app(environ, start_response):
        if environ.get("PATH_INFO", "/") not in ("/", "/metrics"):
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"Not found\n"]
        return wsgi_app(environ, start_response)

    httpd = simple_server.make_server(host, port, app, handler_class=_Quiet)
    threading.Thread(target=httpd.serve_forever, name="metrics", daemon=True).start()
    LOG.info("metrics on http://%s:%s/metrics", host, httpd.server_port)
    return httpd
