"""code-source-* commands: Python text that dynamic actions take their classes from."""

from cliff import command, show

from mistral_svc.cli import common
from mistral_svc.cli.http import quote_segment

COLUMNS = [
    ("id", "ID"),
    ("name", "Name"),
    ("namespace", "Namespace"),
    ("project_id", "Project ID"),
    ("scope", "Scope"),
    ("created_at", "Created at"),
    ("updated_at", "Updated at"),
]


def row(code_source, lister=False):
    return tuple(code_source.get(key) for key, _ in COLUMNS)


def _path(identifier):
    return "/code_sources/" + quote_segment(identifier)


def _namespace_arg(parser, help_text, default=""):
    parser.add_argument("--namespace", nargs="?", default=default, help=help_text)


def _content_args(parser):
    parser.add_argument("content", type=common.definition_file,
                        help="Code source content file.")
    _namespace_arg(parser, "Namespace of the code source.")
    parser.add_argument("--public", action="store_true",
                        help='With this flag the code source will be marked as "public".')


class List(common.MistralLister):
    """List all code sources."""

    def take_action(self, parsed_args):
        params, _ = self.list_query(parsed_args, fields=common.fields(COLUMNS))
        items = self.app.client.get("/code_sources", params=params)["code_sources"]
        return common.table(COLUMNS, items, row)


class Get(show.ShowOne):
    """Show specific code source."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("identifier", help="Code source ID or name.")
        _namespace_arg(parser, "Namespace to get the code source from.")
        return parser

    def take_action(self, parsed_args):
        code_source = self.app.client.get(_path(parsed_args.identifier),
                                          params={"namespace": parsed_args.namespace})
        return common.headings(COLUMNS), row(code_source)


class Create(show.ShowOne):
    """Create new code source."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("name", help="Code source name.")
        _content_args(parser)
        return parser

    def take_action(self, parsed_args):
        code_source = self.app.client.post("/code_sources", text=parsed_args.content, params={
            "name": parsed_args.name,
            "scope": "public" if parsed_args.public else "private",
            "namespace": parsed_args.namespace,
        })
        return common.headings(COLUMNS), row(code_source)


class Update(show.ShowOne):
    """Update code source."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("identifier", help="Code source identifier (name or ID).")
        _content_args(parser)
        parser.add_argument("--id", help="Code source ID (instead of the identifier).")
        return parser

    def take_action(self, parsed_args):
        code_source = self.app.client.put("/code_sources", text=parsed_args.content, params={
            "identifier": parsed_args.id or parsed_args.identifier,
            "scope": "public" if parsed_args.public else "private",
            "namespace": parsed_args.namespace,
        })
        return common.headings(COLUMNS), row(code_source)


class GetContent(command.Command):
    """Show code source content."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("identifier", help="Code source ID or name.")
        _namespace_arg(parser, "Namespace to get the code source from.")
        return parser

    def take_action(self, parsed_args):
        code_source = self.app.client.get(_path(parsed_args.identifier),
                                          params={"namespace": parsed_args.namespace})
        self.app.stdout.write(code_source.get("content") or "\n")


class Delete(command.Command):
    """Delete code source(s)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("identifier", nargs="+",
                            help="Code source name or ID (can be repeated multiple times).")
        _namespace_arg(parser, "Namespace to delete the code source(s) from.", None)
        return parser

    def take_action(self, parsed_args):
        params = {"namespace": parsed_args.namespace} if parsed_args.namespace else None

        def delete(identifier):
            self.app.client.delete(_path(identifier), params=params)

        common.delete_many(
            self, parsed_args.identifier, delete, "code source",
            accepted="Request to delete code source '%s' has been accepted.",
            refused="Unable to delete the specified code source(s).")


COMMANDS = {
    "code-source-create": Create,
    "code-source-delete": Delete,
    "code-source-get": Get,
    "code-source-get-content": GetContent,
    "code-source-list": List,
    "code-source-update": Update,
}
