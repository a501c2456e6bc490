"""The ``mistral-svc`` command line: a cliff application speaking the Mistral API v2.

Command names, arguments and table columns follow the ``mistral`` command of
python-mistralclient, so existing habits and scripts carry over.
"""

import logging
import sys
from importlib import metadata

from cliff import app, commandmanager

from mistral_svc.cli import (
    action_executions,
    actions,
    auth,
    code_sources,
    cron_triggers,
    dynamic_actions,
    environments,
    event_triggers,
    executions,
    http,
    members,
    services,
    tasks,
    workbooks,
    workflows,
)

DEFAULT_URL = "http://127.0.0.1:8989/v2"
# Without authentication the API attributes everything to this project.
DEFAULT_PROJECT_ID = "<default-project>"

COMMAND_MODULES = (
    workbooks,
    workflows,
    actions,
    executions,
    tasks,
    action_executions,
    cron_triggers,
    environments,
    members,
    event_triggers,
    services,
    code_sources,
    dynamic_actions,
)


def _version():
    try:
        return metadata.version("mistral-svc")
    except metadata.PackageNotFoundError:  # run from a checkout without installing
        return "unknown"


def build_command_manager():
    """A CommandManager holding every command; none come from entry points."""
    manager = commandmanager.CommandManager(None, convert_underscores=False)
    for module in COMMAND_MODULES:
        for name, command_class in module.COMMANDS.items():
            manager.add_command(name, command_class)
    return manager


class MistralShell(app.App):
    """cliff application exposing the Mistral workflow service commands."""

    NAME = "mistral-svc"

    # Handler this app installed on the root logger, replaced on each run so that
    # repeated in-process runs do not stack handlers.
    _log_handler = None

    def __init__(self, stdin=None, stdout=None, stderr=None):
        super().__init__(
            description="Command line client for the Mistral workflow service (API v2).",
            version=_version(),
            command_manager=build_command_manager(),
            stdin=stdin,
            stdout=stdout,
            stderr=stderr,
        )
        self._client = None

    def build_option_parser(self, description, version, argparse_kwargs=None):
        argparse_kwargs = dict(argparse_kwargs or {}, prog=self.NAME)
        parser = super().build_option_parser(description, version, argparse_kwargs)
        parser.add_argument(
            "--os-mistral-url",
            dest="mistral_url",
            default=auth.from_env("MISTRAL_URL", "OS_MISTRAL_URL"),
            help="Mistral API URL, including the version path "
            f"(Env: MISTRAL_URL or OS_MISTRAL_URL; default: from the service catalogue "
            f"with --os-auth-url, else {DEFAULT_URL}).",
        )
        parser.add_argument(
            "--os-auth-token",
            dest="token",
            default=auth.from_env("OS_AUTH_TOKEN"),
            help="Authentication token, sent as X-Auth-Token (Env: OS_AUTH_TOKEN).",
        )
        parser.add_argument(
            "--os-project-id",
            dest="project_id",
            default=auth.from_env("OS_PROJECT_ID", "OS_TENANT_ID"),
            help="Current project ID, sent as X-Project-Id and used by "
            "member-get/member-update when no --member-id is given (Env: OS_PROJECT_ID).",
        )
        parser.add_argument(
            "--os-cacert",
            dest="cacert",
            default=auth.from_env("OS_CACERT"),
            help="CA bundle to verify the API's TLS certificate (Env: OS_CACERT).",
        )
        parser.add_argument(
            "--insecure",
            action="store_true",
            default=False,
            help="Do not verify the API's (and Keystone's) TLS certificate.",
        )
        auth.add_options(parser)
        return parser

    def configure_logging(self):
        root = logging.getLogger("")
        if MistralShell._log_handler is not None:
            root.removeHandler(MistralShell._log_handler)
        handler = logging.StreamHandler(self.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s (%(module)s) %(message)s"))
        debug = self.options.debug or self.options.verbose_level > 1
        handler.setLevel(logging.DEBUG if debug else logging.WARNING)
        root.addHandler(handler)
        if debug:
            root.setLevel(logging.DEBUG)
        MistralShell._log_handler = handler

    @property
    def client(self):
        """The HTTP client, built on first use from the global options."""
        if self._client is None:
            verify = False if self.options.insecure else (self.options.cacert or True)
            url, token = self.options.mistral_url, self.options.token
            try:
                identity = auth.authenticate(self.options, verify)
            except Exception as e:  # noqa: BLE001 - keystoneauth1's many errors
                raise http.ClientError("Authentication failed: %s" % e)
            if identity is not None:
                token, self.options.project_id, found = identity
                url = url or found
            self._client = http.HTTPClient(
                url or DEFAULT_URL,
                token=token,
                verify=verify,
                project_id=self.options.project_id,
            )
        return self._client

    @property
    def project_id(self):
        """The caller's project: the one Keystone scoped the token to, once the client
        has authenticated (so this builds the client first), else ``--os-project-id``."""
        self.client  # noqa: B018 - authenticates, which learns the project
        return self.options.project_id or DEFAULT_PROJECT_ID


def main(argv=None):
    """Console script entry point; returns the process exit status."""
    if argv is None:
        argv = sys.argv[1:]
    try:
        return MistralShell().run(list(argv))
    except SystemExit as exc:
        # argparse reports usage errors (bad option, unreadable file) by exiting.
        if exc.code is None:
            return 0
        return exc.code if isinstance(exc.code, int) else 1


if __name__ == "__main__":
    sys.exit(main())
