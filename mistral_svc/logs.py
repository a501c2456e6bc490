"""Logging through oslo.log, with Mistral's options.

``--debug``, ``log_file``, ``log_dir``, ``log_config_append``, ``use_stderr`` and the
rest of oslo.log's ``[DEFAULT]`` options behave as in every OpenStack service. The
options are registered when ``mistral_svc.config`` is imported, so they can be parsed
from the command line and config files before logging is set up.
"""

from oslo_log import log as oslo_logging

# Libraries that are chatty at INFO; their warnings and errors still show.
_QUIET = (
    "oslo_messaging=WARNING",
    "oslo.messaging=WARNING",
    "waitress=WARNING",
    "stevedore=WARNING",
    "tooz=WARNING",
    "kazoo=WARNING",
    "alembic=WARNING",
)

_registered = []


def register_options(conf):
    """Register oslo.log's options on ``conf`` (once)."""
    if conf in _registered:
        return
    oslo_logging.register_options(conf)
    levels = [lvl for lvl in oslo_logging.get_default_log_levels()
              if lvl.split("=")[0] not in {q.split("=")[0] for q in _QUIET}]
    oslo_logging.set_defaults(default_log_levels=levels + list(_QUIET))
    _registered.append(conf)


def setup(conf, program="mistral-svc"):
    """Configure Python logging from ``conf`` (call after the config is parsed); every
    handler masks credentials in what it writes (``redaction.MaskingFilter``)."""
    from mistral_svc import redaction

    register_options(conf)
    oslo_logging.setup(conf, program)
    redaction.install_log_filter()
