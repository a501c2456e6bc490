"""``mistral-svc-server``: run api, engine, executor and scheduler, together or apart.

With no config file this is the embedded default: every service in one process, SQLite
in the state directory, the in-process transport, a file tooz backend, the API on
127.0.0.1:8989, and the schema created on first start.
"""

import argparse
import logging
import signal
import sys
import threading

from mistral_svc import config

CONF = config.CONF
LOG = logging.getLogger("mistral_svc.server")

SERVICES = ("api", "engine", "executor", "scheduler")


def _parse(argv):
    parser = argparse.ArgumentParser(prog="mistral-svc-server", add_help=True)
    parser.add_argument("--server", default="all",
                        help="all, or a comma list of: %s" % ", ".join(SERVICES))
    known, rest = parser.parse_known_args(argv)
    names = SERVICES if known.server == "all" else [s.strip() for s in known.server.split(",")]
    bad = [n for n in names if n not in SERVICES]
    if bad:
        parser.error("unknown service(s): %s" % ", ".join(bad))
    return names, rest


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

    def __init__(self, names):
        self.names = list(names)
        self.services = []
        self.wsgi = None
        self._stopped = threading.Event()
        self._done = threading.Event()

    def start(self):
        from mistral_svc.coordination import membership

        config.apply_expression_limits()
        needs_db = any(n in self.names for n in ("api", "engine", "scheduler"))
        if needs_db:
            embedded = config.CONF.database.connection is None
            prepare_database(embedded)
        members = membership.get()
        if "engine" in self.names:
            from mistral_svc.engine.service import EngineService

            self._add(EngineService())
        if "executor" in self.names:
            from mistral_svc.executor.service import ExecutorService

            self._add(ExecutorService())
        if "scheduler" in self.names:
            from mistral_svc.scheduler.service import SchedulerService

            scheduler = SchedulerService()
            if CONF.cron_trigger.enabled:
                from mistral_svc.scheduler.cron import CronTriggers

                scheduler.add_hook(CronTriggers())
            if CONF.event_engine.enabled:
                from mistral_svc.scheduler.events import EventEngine

                scheduler.add_hook(EventEngine())
            self._add(scheduler)
        for name in self.names:
            members.join("%s_group" % name)
        if "api" in self.names:
            self._serve_api()
        LOG.info("mistral-svc running: %s", ", ".join(self.names))

    def _add(self, service):
        service.start()
        self.services.append(service)

    def _serve_api(self):
        import waitress.server

        from mistral_svc.api import app

        self.wsgi = waitress.server.create_server(
            app.setup_app(), host=CONF.api.host, port=CONF.api.port,
            threads=CONF.api.api_workers, ident="mistral-svc",
        )
        threading.Thread(target=self.wsgi.run, name="api", daemon=True).start()
        LOG.info("API listening on http://%s:%s/v2", CONF.api.host, CONF.api.port)

    def stop(self):
        if self._stopped.is_set():
            return
        self._stopped.set()
        from mistral_svc.coordination import membership
        from mistral_svc.rpc import transport

        try:
            if self.wsgi is not None:
                self.wsgi.close()
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


def main(argv=None):
    names, rest = _parse(sys.argv[1:] if argv is None else argv)
    config.parse_args(rest)
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(process)d %(levelname)s %(name)s %(message)s")
    logging.getLogger("oslo_messaging").setLevel(logging.WARNING)
    launcher = Launcher(names)

    def on_signal(signum, frame):
        threading.Thread(target=launcher.stop, daemon=True).start()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    launcher.start()
    launcher.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
