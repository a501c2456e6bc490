"""workbook-* commands."""

from cliff import command, show

from mistral_svc.cli import common
from mistral_svc.cli.http import quote_segment

COLUMNS = [
    ("name", "Name"),
    ("namespace", "Namespace"),
    ("tags", "Tags"),
    ("scope", "Scope"),
    ("created_at", "Created at"),
    ("updated_at", "Updated at"),
]


def row(wb, lister=False):
    return (
        wb.get("name"),
        wb.get("namespace"),
        common.tags_cell(wb.get("tags")),
        wb.get("scope"),
        wb.get("created_at"),
        wb.get("updated_at"),
    )


def _params(namespace=None, scope=None):
    params = {}
    if scope:
        params["scope"] = scope
    if namespace:
        params["namespace"] = namespace
    return params


def _path(name):
    return "/workbooks/" + quote_segment(name)


class List(common.MistralLister):
    """List all workbooks."""

    def take_action(self, parsed_args):
        params, _ = self.list_query(parsed_args)
        items = self.app.client.get("/workbooks", params=params)["workbooks"]
        return common.table(COLUMNS, items, row)


class Get(show.ShowOne):
    """Show specific workbook."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("workbook", help="Workbook name.")
        parser.add_argument(
            "--namespace", nargs="?", default="", help="Namespace to get the workbook from."
        )
        return parser

    def take_action(self, parsed_args):
        wb = self.app.client.get(
            _path(parsed_args.workbook), params=_params(parsed_args.namespace)
        )
        return common.headings(COLUMNS), row(wb)


class _Write(show.ShowOne):
    http_method = "post"

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            "definition", type=common.definition_file, help="Workbook definition file."
        )
        parser.add_argument(
            "--public",
            action="store_true",
            help='With this flag the workbook will be marked as "public".',
        )
        parser.add_argument(
            "--namespace", nargs="?", default="", help="Namespace of the workbook."
        )
        return parser

    def take_action(self, parsed_args):
        scope = "public" if parsed_args.public else "private"
        send = getattr(self.app.client, self.http_method)
        wb = send(
            "/workbooks",
            text=parsed_args.definition,
            params=_params(parsed_args.namespace, scope),
        )
        return common.headings(COLUMNS), row(wb)


class Create(_Write):
    """Create new workbook."""


class Update(_Write):
    """Update workbook."""

    http_method = "put"


class Delete(command.Command):
    """Delete workbook(s)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("workbook", nargs="+", help="Name of workbook(s).")
        parser.add_argument(
            "--namespace",
            nargs="?",
            default=None,
            help="Namespace to delete the workbook(s) from.",
        )
        return parser

    def take_action(self, parsed_args):
        def delete(name):
            self.app.client.delete(_path(name), params=_params(parsed_args.namespace))

        common.delete_many(self, parsed_args.workbook, delete, "workbook")


class GetDefinition(command.Command):
    """Show workbook definition."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("name", help="Workbook name.")
        parser.add_argument(
            "--namespace", nargs="?", default="", help="Namespace to get the workbook from."
        )
        return parser

    def take_action(self, parsed_args):
        wb = self.app.client.get(_path(parsed_args.name), params=_params(parsed_args.namespace))
        self.app.stdout.write(wb.get("definition") or "\n")


class Validate(show.ShowOne):
    """Validate workbook definition."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            "definition", type=common.definition_file, help="Workbook definition file."
        )
        return parser

    def take_action(self, parsed_args):
        result = self.app.client.post("/workbooks/validate", text=parsed_args.definition)
        return common.validation_result(result)


COMMANDS = {
    "workbook-create": Create,
    "workbook-delete": Delete,
    "workbook-get": Get,
    "workbook-get-definition": GetDefinition,
    "workbook-list": List,
    "workbook-update": Update,
    "workbook-validate": Validate,
}
