"""``mistral-svc-server``: run api, engine, executor and scheduler, together or apart.

With no config file this is the embedded default: every service in one process, SQLite
in the state directory, the in-process transport, a file tooz backend, the API on
127.0.0.1:8989, and the schema created on first start.
"""

import argparse
import errno
import logging
import signal
import sys
import threading

from mistral_svc import config, logs

CONF = config.CONF
LOG = logging.getLogger("mistral_svc.server")

SERVICES = ("api", "engine", "executor", "scheduler", "notifier")


def _parse(argv):
    parser = argparse.ArgumentParser(prog="mistral-svc-server", add_help=True)
    parser.add_argument("--server", default="all",
                        help="all, or a comma list of: %s" % ", ".join(SERVICES))
    parser.add_argument("--host", help="address the API listens on (overrides [api] host)")
    parser.add_argument("--port", type=int,
                        help="port the API listens on (overrides [api] port)")
    known, rest = parser.parse_known_args(argv)
    names = SERVICES if known.server == "all" else [s.strip() for s in known.server.split(",")]
    bad = [n for n in names if n not in SERVICES]
    if bad:
        parser.error("unknown service(s): %s" % ", ".join(bad))
    if known.port is not None and not 0 < known.port < 65536:
        parser.error("--port must be between 1 and 65535")
    return names, rest, known


def prepare_database(embedded):
    """Configure the database; the embedded default creates and fills its schema."""
    from mistral_svc.db import session as db_session
    from mistral_svc.db.migration import cli as migration
    from mistral_svc.services import action_catalog

    db_session.configure(config.database_url(), **config.database_pool_options())
    if embedded:
        migration.upgrade("head")
        action_catalog.populate()
    elif migration.current() != migration.head():
        raise SystemExit(
            "The database schema is not at the current revision: run "
            "'mistral-svc-db-manage --config-file <file> upgrade head' first."
        )


class Launcher:
    """Starts the chosen services and stops them on SIGTERM/SIGINT."""

    def __init__(self, names, serve_api=True):
        self.names = list(names)
        self.serve_api = serve_api
        self.services = []
        self.wsgi = None
        self.metrics_httpd = None
        self._stopped = threading.Event()
        self._done = threading.Event()

    def start(self):
        from mistral_svc.coordination import membership

        config.apply_expression_limits()
        if "api" in self.names and self.serve_api:
            # Bind first: a port in use ends the start before anything else is done.
            self.wsgi = listen(_not_ready, CONF.api.host, CONF.api.port,
                               CONF.api.api_workers)
        needs_db = any(n in self.names for n in ("api", "engine", "scheduler"))
        if needs_db:
            embedded = config.CONF.database.connection is None
            prepare_database(embedded)
        members = membership.get()
        self._observe()
        if self.wsgi is not None:
            from mistral_svc.api import app

            # Requests are served only once the thread below runs the server.
            self.wsgi.application = app.setup_app()
        if "engine" in self.names:
            from mistral_svc.engine.service import EngineService

            self._add(EngineService())
        if "notifier" in self.names:
            from mistral_svc.notifications.service import NotifierService

            self._add(NotifierService())
        if "executor" in self.names:
            from mistral_svc.executor.service import ExecutorService

            self._add(ExecutorService())
        if "scheduler" in self.names:
            from mistral_svc.scheduler.service import SchedulerService

            scheduler = SchedulerService()
            if CONF.cron_trigger.enabled:
                from mistral_svc.scheduler.cron import CronTriggers

                scheduler.add_hook(CronTriggers())
            if CONF.execution_expiration_policy.evaluation_interval:
                from mistral_svc.scheduler.expiration import ExpirationPolicy

                scheduler.add_hook(ExpirationPolicy())
            if CONF.event_engine.enabled:
                from mistral_svc.scheduler.events import EventEngine

                scheduler.add_hook(EventEngine())
            self._add(scheduler)
            from mistral_svc import metrics
            from mistral_svc.scheduler import jobs

            metrics.watch_due_jobs(jobs.count_due)
        for name in self.names:
            members.join("%s_group" % name)
        if self.wsgi is not None:
            threading.Thread(target=self.wsgi.run, name="api", daemon=True).start()
            LOG.info("API listening on http://%s:%s/v2", CONF.api.host, CONF.api.port)
        LOG.info("mistral-svc running: %s", ", ".join(self.names))

    def _observe(self):
        """Metrics of execution and task states; /metrics of processes with no API."""
        from mistral_svc import metrics

        if any(n in self.names for n in ("api", "engine", "scheduler")):
            # Only these change executions; an executor need not even load the models.
            from mistral_svc.db import state_events

            state_events.subscribe(metrics.count_state_changes)
            if "engine" in self.names:
                from mistral_svc import notifications

                state_events.subscribe(notifications.emit)
        if "api" not in self.names and CONF.metrics.port:
            self.metrics_httpd = metrics.serve(CONF.metrics.host, CONF.metrics.port)

    def _add(self, service):
        service.start()
        self.services.append(service)

    def stop(self):
        if self._stopped.is_set():
            return
        self._stopped.set()
        from mistral_svc.coordination import membership
        from mistral_svc.rpc import transport

        try:
            if self.wsgi is not None:
                self.wsgi.close()
            if self.metrics_httpd is not None:
                self.metrics_httpd.shutdown()
                self.metrics_httpd.server_close()
            for s in reversed(self.services):
                try:
                    s.stop()
                except Exception:  # noqa: BLE001 - keep stopping the others
                    LOG.exception("error stopping %s", s)
            membership.reset()
            transport.cleanup()
        finally:
            self._done.set()

    def wait(self):
        """Block until ``stop`` has finished (in-flight work drained or handed back)."""
        self._done.wait()


def _not_ready(environ, start_response):
    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
    return [b"Starting\n"]


class PortInUse(Exception):
    """The API's address is taken (or not ours to bind)."""


def listen(wsgi_app, host, port, threads):
    """A waitress server bound to ``host:port``; PortInUse when it cannot bind."""
    import waitress.server

    try:
        return waitress.server.create_server(wsgi_app, host=host, port=port,
                                             threads=threads, ident="mistral-svc")
    except OSError as e:
        if e.errno in (errno.EADDRINUSE, errno.EACCES, errno.EADDRNOTAVAIL):
            raise PortInUse("cannot listen on %s:%s: %s" % (host, port, e.strerror))
        raise


def main(argv=None):
    names, rest, opts = _parse(sys.argv[1:] if argv is None else argv)
    config.parse_args(rest)
    if opts.host:
        CONF.set_override("host", opts.host, group="api")
    if opts.port is not None:
        CONF.set_override("port", opts.port, group="api")
    logs.setup(CONF)
    launcher = Launcher(names)

    def on_signal(signum, frame):
        threading.Thread(target=launcher.stop, daemon=True).start()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        launcher.start()
    except PortInUse as e:
        launcher.stop()
        print("mistral-svc-server: %s (choose another with --port or [api] port)" % e,
              file=sys.stderr)
        return 1
    launcher.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
