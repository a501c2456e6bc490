"""environment-* commands."""

import json

from cliff import command, show

from mistral_svc.cli import common
from mistral_svc.cli.http import quote_segment

COLUMNS = [
    ("name", "Name"),
    ("description", "Description"),
    ("variables", "Variables"),
    ("scope", "Scope"),
    ("created_at", "Created at"),
    ("updated_at", "Updated at"),
]
# Variables can be large, so list tables leave them out.
LIST_COLUMNS = [c for c in COLUMNS if c[0] != "variables"]
EXPORT_COLUMNS = ("name", "description", "scope", "variables")


def variables_of(env):
    """The API sends variables as a JSON string; older servers may send an object."""
    variables = env.get("variables")
    if isinstance(variables, str):
        try:
            return json.loads(variables)
        except ValueError:
            return variables
    return variables


def _or_none(env, key):
    """As ``mistral`` shows it: ``<none>`` for an empty value, and the bare ``None``
    when the answer did not carry the field at all (a create leaves unset ones out)."""
    if key not in env:
        return None
    return env[key] or "<none>"


def row(env, lister=False):
    values = (env.get("name"), _or_none(env, "description"))
    if not lister:
        values += (json.dumps(variables_of(env), indent=4),)
    return values + (env.get("scope"), env.get("created_at"), _or_none(env, "updated_at"))


def _path(name):
    return "/environments/" + quote_segment(name)


def _file_arg(parser):
    parser.add_argument(
        "file",
        type=common.definition_file,
        help="Environment configuration file in JSON or YAML.",
    )


def load_environment(text, require_variables):
    """Parse an environment file and encode its variables the way the API expects."""
    data = common.parse_structured(text, "environment file")
    if not isinstance(data, dict):
        raise common.CommandError("The environment file must contain a JSON/YAML object.")
    if not data.get("name"):
        raise common.CommandError('The environment file is missing field "name".')
    if require_variables and not data.get("variables"):
        raise common.CommandError('The environment file is missing field "variables".')
    if isinstance(data.get("variables"), dict):
        data["variables"] = json.dumps(data["variables"])
    return data


class List(common.MistralLister):
    """List all environments."""

    def take_action(self, parsed_args):
        params, _ = self.list_query(parsed_args, fields=common.fields(LIST_COLUMNS))
        items = self.app.client.get("/environments", params=params)["environments"]
        return common.headings(LIST_COLUMNS), [row(i, lister=True) for i in items]


class Get(show.ShowOne):
    """Show specific environment."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("environment", help="Environment name.")
        parser.add_argument(
            "--export",
            default=False,
            action="store_true",
            help="Export the environment suitable for import.",
        )
        return parser

    def take_action(self, parsed_args):
        env = self.app.client.get(_path(parsed_args.environment))
        if parsed_args.export:
            return EXPORT_COLUMNS, (
                env.get("name"),
                env.get("description"),
                env.get("scope"),
                json.dumps(variables_of(env)),
            )
        return common.headings(COLUMNS), row(env)


class Create(show.ShowOne):
    """Create new environment."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _file_arg(parser)
        return parser

    def take_action(self, parsed_args):
        body = load_environment(parsed_args.file, require_variables=True)
        env = self.app.client.post("/environments", json_body=body)
        return common.headings(COLUMNS), row(env)


class Update(show.ShowOne):
    """Update environment."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _file_arg(parser)
        return parser

    def take_action(self, parsed_args):
        body = load_environment(parsed_args.file, require_variables=False)
        env = self.app.client.put("/environments", json_body=body)
        return common.headings(COLUMNS), row(env)


class Delete(command.Command):
    """Delete environment(s)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("environment", nargs="+", help="Name of environment(s).")
        return parser

    def take_action(self, parsed_args):
        common.delete_many(
            self,
            parsed_args.environment,
            lambda name: self.app.client.delete(_path(name)),
            "environment",
        )


COMMANDS = {
    "environment-create": Create,
    "environment-delete": Delete,
    "environment-get": Get,
    "environment-list": List,
    "environment-update": Update,
}
