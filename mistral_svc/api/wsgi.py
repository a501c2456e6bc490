"""The API for external WSGI servers: ``mistral_svc.api.wsgi:application``.

    gunicorn -w 4 'mistral_svc.api.wsgi:application'
    uwsgi --http :8989 --module mistral_svc.api.wsgi:application

The configuration comes from the files named in ``MISTRAL_SVC_CONFIG_FILE`` (a comma
list) or else oslo.config's usual places (``/etc/mistral-svc/mistral-svc.conf``...).
With a broker and a server database configured this process is the API only; the
other services run on their own. With the in-process transport (the embedded
default, nothing configured) the engine, executor, scheduler and notifier start in the
same process, as ``mistral-svc-server`` would, so the API has someone to talk to.

``mistral-svc-wsgi-api [--host H] [--port P] [--config-file F]`` serves the same
application with waitress.
"""

import os
import sys
import threading

_lock = threading.Lock()
_app = []


def _config_files():
    names = os.environ.get("MISTRAL_SVC_CONFIG_FILE", "")
    return [n.strip() for n in names.split(",") if n.strip()] or None


def init_application(argv=None, config_files=None):
    """Parse the configuration, set up logging and the database, start the in-process
    services when the transport is in-process; returns the WSGI application."""
    from mistral_svc import config, logs
    from mistral_svc.cmd import server

    config.parse_args(argv or [], config_files=config_files or _config_files())
    logs.setup(config.CONF)
    names = ["api"]
    if config.transport_url().startswith(("inproc:", "fake:")):
        names = list(server.SERVICES)
    launcher = server.Launcher(names, serve_api=False)
    launcher.start()
    from mistral_svc.api import app

    return app.setup_app()


def application(environ, start_response):
    """The WSGI entry point; initialises the service on its first request."""
    if not _app:
        with _lock:
            if not _app:
                _app.append(init_application())
    return _app[0](environ, start_response)


def main(argv=None):
    """``mistral-svc-wsgi-api``: the application under waitress."""
    import argparse

    from mistral_svc import config
    from mistral_svc.cmd import server

    parser = argparse.ArgumentParser(prog="mistral-svc-wsgi-api")
    parser.add_argument("--host", help="address to listen on (default: [api] host)")
    parser.add_argument("--port", type=int, help="port to listen on (default: [api] port)")
    opts, rest = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    wsgi_app = init_application(rest)
    conf = config.CONF
    host = opts.host or conf.api.host
    port = conf.api.port if opts.port is None else opts.port
    try:
        httpd = server.listen(wsgi_app, host, port, conf.api.api_workers)
    except server.PortInUse as e:
        print("mistral-svc-wsgi-api: %s (choose another with --port)" % e, file=sys.stderr)
        return 1
    try:
        httpd.run()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
