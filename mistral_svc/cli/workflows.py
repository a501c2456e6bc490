"""workflow-* commands."""

from cliff import command, show

from mistral_svc.cli import common
from mistral_svc.cli.http import quote_segment

COLUMNS = [
    ("id", "ID"),
    ("name", "Name"),
    ("namespace", "Namespace"),
    ("project_id", "Project ID"),
    ("tags", "Tags"),
    ("input", "Input"),
    ("scope", "Scope"),
    ("created_at", "Created at"),
    ("updated_at", "Updated at"),
]

def row(wf, lister=False):
    return (
        wf.get("id"),
        wf.get("name"),
        wf.get("namespace"),
        wf.get("project_id"),
        common.tags_cell(wf.get("tags")),
        common.cut(wf.get("input")) if lister else wf.get("input"),
        wf.get("scope"),
        wf.get("created_at"),
        wf.get("updated_at"),
    )


def _ns_params(namespace, **extra):
    params = dict(extra)
    if namespace:
        params["namespace"] = namespace
    return params


class List(common.MistralLister):
    """List all workflows."""

    def take_action(self, parsed_args):
        params, _ = self.list_query(parsed_args, fields=common.fields(COLUMNS))
        items = self.app.client.get("/workflows", params=params)["workflows"]
        return common.table(COLUMNS, items, row)


class Get(show.ShowOne):
    """Show specific workflow."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("workflow", help="Workflow ID or name.")
        parser.add_argument(
            "--namespace", nargs="?", default="", help="Namespace to get the workflow from."
        )
        return parser

    def take_action(self, parsed_args):
        wf = self.app.client.get(
            "/workflows/" + quote_segment(parsed_args.workflow),
            params=_ns_params(parsed_args.namespace),
        )
        return common.headings(COLUMNS), row(wf)


class _DefinitionLister(common.Lister):
    # create/update answer with a list of workflows but take no pagination options.
    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            "definition", type=common.definition_file, help="Workflow definition file."
        )
        parser.add_argument(
            "--namespace", nargs="?", default="", help="Namespace of the workflow(s)."
        )
        parser.add_argument(
            "--public",
            action="store_true",
            help='With this flag the workflow(s) will be marked as "public".',
        )
        return parser

    @staticmethod
    def _params(parsed_args):
        scope = "public" if parsed_args.public else "private"
        return _ns_params(parsed_args.namespace, scope=scope)


class Create(_DefinitionLister):
    """Create new workflow(s) from a definition file."""

    def take_action(self, parsed_args):
        resp = self.app.client.post(
            "/workflows", text=parsed_args.definition, params=self._params(parsed_args)
        )
        return common.table(COLUMNS, resp["workflows"], row)


class Update(_DefinitionLister):
    """Update workflow(s) from a definition file."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("--id", help="Workflow ID (the definition must hold one workflow).")
        return parser

    def take_action(self, parsed_args):
        path = "/workflows"
        if parsed_args.id:
            path += "/" + quote_segment(parsed_args.id)
        resp = self.app.client.put(
            path, text=parsed_args.definition, params=self._params(parsed_args)
        )
        # Updating by ID answers with the single workflow, otherwise with a list.
        items = resp.get("workflows", [resp])
        return common.table(COLUMNS, items, row)


class Delete(command.Command):
    """Delete workflow(s)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("workflow", nargs="+", help="Name or ID of workflow(s).")
        parser.add_argument(
            "--namespace", nargs="?", default=None, help="Namespace to delete the workflow from."
        )
        return parser

    def take_action(self, parsed_args):
        def delete(identifier):
            self.app.client.delete(
                "/workflows/" + quote_segment(identifier),
                params=_ns_params(parsed_args.namespace),
            )

        common.delete_many(self, parsed_args.workflow, delete, "workflow")


class GetDefinition(command.Command):
    """Show workflow definition."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("identifier", help="Workflow ID or name.")
        parser.add_argument(
            "--namespace", nargs="?", default="", help="Namespace to get the workflow from."
        )
        return parser

    def take_action(self, parsed_args):
        wf = self.app.client.get(
            "/workflows/" + quote_segment(parsed_args.identifier),
            params=_ns_params(parsed_args.namespace),
        )
        self.app.stdout.write(wf.get("definition") or "\n")


class Validate(show.ShowOne):
    """Validate workflow definition."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            "definition", type=common.definition_file, help="Workflow definition file."
        )
        return parser

    def take_action(self, parsed_args):
        result = self.app.client.post("/workflows/validate", text=parsed_args.definition)
        return common.validation_result(result)


COMMANDS = {
    "workflow-create": Create,
    "workflow-delete": Delete,
    "workflow-get": Get,
    "workflow-get-definition": GetDefinition,
    "workflow-list": List,
    "workflow-update": Update,
    "workflow-validate": Validate,
}
