"""action-* commands (action definitions; see run-action for running one)."""

from cliff import command, show

from mistral_svc.cli import common
from mistral_svc.cli.http import quote_segment

COLUMNS = [
    ("id", "ID"),
    ("name", "Name"),
    ("is_system", "Is system"),
    ("input", "Input"),
    ("description", "Description"),
    ("tags", "Tags"),
    ("created_at", "Created at"),
    ("updated_at", "Updated at"),
]


def row(action, lister=False):
    input_ = action.get("input")
    desc = action.get("description")
    return (
        action.get("id"),
        action.get("name"),
        action.get("is_system"),
        common.cut(input_) if lister else input_,
        common.cut(desc) if lister else desc,
        common.tags_cell(action.get("tags")),
        action.get("created_at"),
        action.get("updated_at"),
    )


def _params(namespace, **extra):
    params = dict(extra)
    if namespace:
        params["namespace"] = namespace
    return params


def _path(identifier):
    return "/actions/" + quote_segment(identifier)


def _add_namespace(parser, help_text="Namespace of the action(s)."):
    parser.add_argument("--namespace", nargs="?", default="", help=help_text)


class List(common.MistralLister):
    """List all actions."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _add_namespace(parser)
        return parser

    def take_action(self, parsed_args):
        params, _ = self.list_query(
            parsed_args,
            fields=common.fields(COLUMNS),
            extra=_params(parsed_args.namespace),
        )
        items = self.app.client.get("/actions", params=params)["actions"]
        return common.table(COLUMNS, items, row)


class Get(show.ShowOne):
    """Show specific action."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("action", help="Action (name or ID).")
        _add_namespace(parser, "Namespace of the action.")
        return parser

    def take_action(self, parsed_args):
        action = self.app.client.get(
            _path(parsed_args.action), params=_params(parsed_args.namespace)
        )
        return common.headings(COLUMNS), row(action)


class _DefinitionLister(common.Lister):
    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            "definition", type=common.definition_file, help="Action definition file."
        )
        parser.add_argument(
            "--public",
            action="store_true",
            help='With this flag the action(s) will be marked as "public".',
        )
        _add_namespace(parser)
        return parser

    @staticmethod
    def _params(parsed_args):
        scope = "public" if parsed_args.public else "private"
        return _params(parsed_args.namespace, scope=scope)


class Create(_DefinitionLister):
    """Create new action(s) from a definition file."""

    def take_action(self, parsed_args):
        resp = self.app.client.post(
            "/actions", text=parsed_args.definition, params=self._params(parsed_args)
        )
        return common.table(COLUMNS, resp["actions"], row)


class Update(_DefinitionLister):
    """Update action(s) from a definition file."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("--id", help="Action ID.")
        return parser

    def take_action(self, parsed_args):
        path = _path(parsed_args.id) if parsed_args.id else "/actions"
        resp = self.app.client.put(
            path, text=parsed_args.definition, params=self._params(parsed_args)
        )
        items = resp.get("actions", [resp])
        return common.table(COLUMNS, items, row)


class Delete(command.Command):
    """Delete action(s)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("action", nargs="+", help="Name or ID of action(s).")
        _add_namespace(parser)
        return parser

    def take_action(self, parsed_args):
        def delete(identifier):
            self.app.client.delete(_path(identifier), params=_params(parsed_args.namespace))

        common.delete_many(self, parsed_args.action, delete, "action")


class GetDefinition(command.Command):
    """Show action definition."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("name", help="Action name.")
        _add_namespace(parser, "Namespace of the action.")
        return parser

    def take_action(self, parsed_args):
        action = self.app.client.get(
            _path(parsed_args.name), params=_params(parsed_args.namespace)
        )
        self.app.stdout.write(action.get("definition") or "\n")


class Validate(show.ShowOne):
    """Validate action definition."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            "definition", type=common.definition_file, help="Action definition file."
        )
        return parser

    def take_action(self, parsed_args):
        result = self.app.client.post("/actions/validate", text=parsed_args.definition)
        return common.validation_result(result)


COMMANDS = {
    "action-create": Create,
    "action-delete": Delete,
    "action-get": Get,
    "action-get-definition": GetDefinition,
    "action-list": List,
    "action-update": Update,
    "action-validate": Validate,
}
