"""action-execution-* commands and run-action."""

import json

from cliff import command, show

from mistral_svc.cli import common
from mistral_svc.cli.http import quote_segment

COLUMNS = [
    ("id", "ID"),
    ("name", "Name"),
    ("workflow_name", "Workflow name"),
    ("workflow_namespace", "Workflow namespace"),
    ("task_name", "Task name"),
    ("task_execution_id", "Task ID"),
    ("state", "State"),
    ("state_info", "State info"),
    ("accepted", "Accepted"),
    ("created_at", "Created at"),
    ("updated_at", "Updated at"),
]
# State info can be long, so list tables leave it out.
LIST_COLUMNS = [c for c in COLUMNS if c[0] != "state_info"]

STATES = ["PAUSED", "RUNNING", "SUCCESS", "ERROR", "CANCELLED"]


def row(a_ex, lister=False):
    columns = LIST_COLUMNS if lister else COLUMNS
    values = dict(a_ex)
    values["updated_at"] = a_ex.get("updated_at") or "<none>"
    return tuple(values.get(field) for field, _ in columns)


def show_result(a_ex):
    return common.headings(COLUMNS), row(a_ex)


def _path(a_ex_id):
    return "/action_executions/" + quote_segment(a_ex_id)


class RunAction(show.ShowOne):
    """Create new action execution or just run a specific action."""

    def produce_output(self, parsed_args, column_names, data):
        # The synchronous result has already been printed as plain text.
        if not column_names:
            return 0
        return super().produce_output(parsed_args, column_names, data)

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("name", help="Action name to execute.")
        parser.add_argument(
            dest="input", nargs="?", help="Action input: JSON, or a JSON/YAML file."
        )
        parser.add_argument(
            "-s",
            "--save-result",
            dest="save_result",
            action="store_true",
            help="Save the result into DB.",
        )
        parser.add_argument(
            "--run-sync",
            dest="run_sync",
            action="store_true",
            help="Run the action synchronously.",
        )
        parser.add_argument(
            "-t", "--target", dest="target", help="Action will be executed on <target> executor."
        )
        parser.add_argument(
            "--namespace", nargs="?", default="", help="Namespace of the action."
        )
        return parser

    def take_action(self, parsed_args):
        action_input = common.maybe_json_arg(parsed_args.input, "Action input")
        params = {}
        if parsed_args.save_result:
            params["save_result"] = True
        if parsed_args.run_sync:
            params["run_sync"] = True
        if parsed_args.target:
            params["target"] = parsed_args.target
        body = {"name": parsed_args.name}
        # input and params travel as JSON-encoded strings.
        if action_input:
            body["input"] = json.dumps(action_input)
        if params:
            body["params"] = json.dumps(params)
        if parsed_args.namespace:
            body["workflow_namespace"] = parsed_args.namespace
        a_ex = self.app.client.post("/action_executions", json_body=body)
        if parsed_args.save_result and not parsed_args.run_sync:
            return show_result(a_ex)
        self.app.stdout.write(f"{a_ex.get('output')}\n")
        return (), ()


class List(common.MistralLister):
    """List all action executions."""

    execution_style = True

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("task_execution_id", nargs="?", help="Task execution ID.")
        return parser

    def take_action(self, parsed_args):
        path = "/action_executions"
        if parsed_args.task_execution_id:
            path = f"/tasks/{quote_segment(parsed_args.task_execution_id)}/action_executions"
        params, reverse = self.list_query(parsed_args)
        items = self.app.client.get(path, params=params)["action_executions"]
        if reverse:
            items.reverse()
        names = common.headings(LIST_COLUMNS)
        return names, [row(i, lister=True) for i in items] or [common.empty_row(names)]


class Get(show.ShowOne):
    """Show specific action execution."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("action_execution", help="Action execution ID.")
        return parser

    def take_action(self, parsed_args):
        return show_result(self.app.client.get(_path(parsed_args.action_execution)))


class Update(show.ShowOne):
    """Update specific action execution."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("id", help="Action execution ID.")
        parser.add_argument(
            "--state", dest="state", choices=STATES, help="Action execution state."
        )
        parser.add_argument(
            "--output", dest="output", help="Action execution output: JSON, or a JSON/YAML file."
        )
        return parser

    def take_action(self, parsed_args):
        body = {}
        if parsed_args.output:
            body["output"] = common.load_json_arg(
                parsed_args.output, "Output", require_dict=False
            )
        if parsed_args.state:
            body["state"] = parsed_args.state
        if not body:
            raise common.CommandError(
                "Please provide either state or output for action execution."
            )
        return show_result(self.app.client.put(_path(parsed_args.id), json_body=body))


class _ShowField(command.Command):
    field = None

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("id", help="Action execution ID.")
        return parser

    def take_action(self, parsed_args):
        a_ex = self.app.client.get(_path(parsed_args.id))
        self.app.stdout.write(common.pretty_json_text(a_ex.get(self.field)))


class GetInput(_ShowField):
    """Show action execution input data."""

    field = "input"


class GetOutput(_ShowField):
    """Show action execution output data."""

    field = "output"


class Delete(command.Command):
    """Delete action execution(s)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            "action_execution", nargs="+", help="ID of action execution(s)."
        )
        return parser

    def take_action(self, parsed_args):
        common.delete_many(
            self,
            parsed_args.action_execution,
            lambda a_ex_id: self.app.client.delete(_path(a_ex_id)),
            "action execution",
        )


COMMANDS = {
    "run-action": RunAction,
    "action-execution-delete": Delete,
    "action-execution-get": Get,
    "action-execution-get-input": GetInput,
    "action-execution-get-output": GetOutput,
    "action-execution-list": List,
    "action-execution-update": Update,
}
