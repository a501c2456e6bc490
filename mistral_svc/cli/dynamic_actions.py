"""dynamic-action-* commands: actions whose class is defined in a code source."""

import uuid

from cliff import command, show

from mistral_svc.cli import common
from mistral_svc.cli.http import quote_segment

COLUMNS = [
    ("id", "ID"),
    ("name", "Name"),
    ("class_name", "Class"),
    ("code_source_id", "Code source ID"),
    ("code_source_name", "Code source name"),
    ("project_id", "Project ID"),
    ("scope", "Scope"),
    ("created_at", "Created at"),
    ("updated_at", "Updated at"),
]


def row(action, lister=False):
    return tuple(action.get(key) for key, _ in COLUMNS)


def _path(identifier):
    return "/dynamic_actions/" + quote_segment(identifier)


def _is_uuid(value):
    try:
        uuid.UUID(str(value))
        return True
    except ValueError:
        return False


def _code_source_field(value):
    return "code_source_id" if _is_uuid(value) else "code_source_name"


def _namespace_arg(parser, help_text):
    parser.add_argument("--namespace", nargs="?", default="", help=help_text)


class List(common.MistralLister):
    """List all dynamic actions."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _namespace_arg(parser, "Namespace of dynamic actions.")
        return parser

    def take_action(self, parsed_args):
        extra = {"namespace": parsed_args.namespace} if parsed_args.namespace else {}
        params, _ = self.list_query(parsed_args, fields=common.fields(COLUMNS), extra=extra)
        items = self.app.client.get("/dynamic_actions", params=params)["dynamic_actions"]
        return common.table(COLUMNS, items, row)


class Get(show.ShowOne):
    """Show specific dynamic action."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("identifier", help="Dynamic action identifier (name or ID)")
        _namespace_arg(parser, "Namespace of the dynamic action.")
        return parser

    def take_action(self, parsed_args):
        action = self.app.client.get(_path(parsed_args.identifier),
                                     params={"namespace": parsed_args.namespace})
        return common.headings(COLUMNS), row(action)


class Create(show.ShowOne):
    """Create new dynamic action."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("name", help="Dynamic action name")
        parser.add_argument("class_name", help="Dynamic action class name")
        parser.add_argument("code_source", help="Code source ID or name")
        parser.add_argument("--public", action="store_true",
                            help='With this flag an action will be marked as "public".')
        _namespace_arg(parser, "Namespace to create the action within.")
        return parser

    def take_action(self, parsed_args):
        body = {
            "name": parsed_args.name,
            "class_name": parsed_args.class_name,
            "scope": "public" if parsed_args.public else "private",
            "namespace": parsed_args.namespace,
            _code_source_field(parsed_args.code_source): parsed_args.code_source,
        }
        action = self.app.client.post("/dynamic_actions", json_body=body)
        return common.headings(COLUMNS), row(action)


class Update(show.ShowOne):
    """Update dynamic action."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("identifier", help="Dynamic action identifier (ID or name)")
        parser.add_argument("--class-name", dest="class_name", nargs="?",
                            help="Dynamic action class name.")
        parser.add_argument("--code-source", dest="code_source", nargs="?",
                            help="Code source identifier (ID or name).")
        parser.add_argument("--public", action="store_true",
                            help='With this flag action will be marked as "public".')
        _namespace_arg(parser, "Namespace of the action.")
        return parser

    def take_action(self, parsed_args):
        body = {
            "scope": "public" if parsed_args.public else "private",
            "namespace": parsed_args.namespace,
            "id" if _is_uuid(parsed_args.identifier) else "name": parsed_args.identifier,
        }
        if parsed_args.class_name:
            body["class_name"] = parsed_args.class_name
        if parsed_args.code_source:
            body[_code_source_field(parsed_args.code_source)] = parsed_args.code_source
        action = self.app.client.put("/dynamic_actions", json_body=body)
        return common.headings(COLUMNS), row(action)


class Delete(command.Command):
    """Delete dynamic action(s)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("identifier", nargs="+",
                            help="Dynamic action name or ID (can be repeated multiple "
                                 "times).")
        _namespace_arg(parser, "Namespace of the dynamic action(s).")
        return parser

    def take_action(self, parsed_args):
        def delete(identifier):
            self.app.client.delete(_path(identifier),
                                   params={"namespace": parsed_args.namespace})

        common.delete_many(
            self, parsed_args.identifier, delete, "dynamic action",
            accepted="Request to delete dynamic action(s) %s has been accepted.",
            refused="Unable to delete the specified dynamic action(s).")


COMMANDS = {
    "dynamic-action-create": Create,
    "dynamic-action-delete": Delete,
    "dynamic-action-get": Get,
    "dynamic-action-list": List,
    "dynamic-action-update": Update,
}
