"""execution-* commands (workflow executions)."""

import json
import uuid

from cliff import command, show

from mistral_svc.cli import common, watch
from mistral_svc.cli.http import quote_segment

COLUMNS = [
    ("id", "ID"),
    ("workflow_id", "Workflow ID"),
    ("workflow_name", "Workflow name"),
    ("workflow_namespace", "Workflow namespace"),
    ("description", "Description"),
    ("task_execution_id", "Task Execution ID"),
    ("root_execution_id", "Root Execution ID"),
    ("state", "State"),
    ("state_info", "State info"),
    ("created_at", "Created at"),
    ("updated_at", "Updated at"),
    ("duration", "Duration", True),
]

STATES = ["RUNNING", "PAUSED", "SUCCESS", "ERROR", "CANCELLED"]
REPORT_INDENT = 4


def row(ex, lister=False):
    state_info = ex.get("state_info")
    finished = ex.get("state") in ("ERROR", "SUCCESS")
    return (
        ex.get("id"),
        ex.get("workflow_id"),
        ex.get("workflow_name"),
        ex.get("workflow_namespace"),
        ex.get("description"),
        ex.get("task_execution_id") or "<none>",
        ex.get("root_execution_id") or "<none>",
        ex.get("state"),
        common.cut(state_info) if lister else state_info,
        ex.get("created_at"),
        ex.get("updated_at") or "<none>",
        common.duration(ex.get("created_at"), ex.get("updated_at") if finished else ""),
    )


def is_uuid(value):
    """True for canonical UUIDs; decides whether an identifier is an ID or a name."""
    if not isinstance(value, str):
        return False
    try:
        return uuid.UUID(value).hex == value.replace("-", "").lower()
    except ValueError:
        return False


def _path(ex_id, suffix=""):
    return "/executions/" + quote_segment(ex_id) + suffix


class List(common.MistralLister):
    """List all executions."""

    execution_style = True

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            "--task", nargs="?", help="Parent task execution ID of the listed executions."
        )
        parser.add_argument(
            "--rootsonly", action="store_true", help="Return only root executions."
        )
        return parser

    def take_action(self, parsed_args):
        extra = {}
        if parsed_args.task:
            extra["task_execution_id"] = parsed_args.task
        if parsed_args.rootsonly:
            extra["nulls"] = "root_execution_id"
        params, reverse = self.list_query(
            parsed_args, fields=common.fields(COLUMNS), extra=extra
        )
        items = self.app.client.get("/executions", params=params)["executions"]
        if reverse:
            items.reverse()
        return common.table(COLUMNS, items, row)


class Get(show.ShowOne):
    """Show specific execution."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("execution", help="Execution identifier.")
        return parser

    def take_action(self, parsed_args):
        ex = self.app.client.get(_path(parsed_args.execution))
        return common.headings(COLUMNS), row(ex)


class Create(show.ShowOne):
    """Create new execution."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("workflow_identifier", nargs="?", help="Workflow ID or name.")
        parser.add_argument("--namespace", nargs="?", default="", help="Workflow namespace.")
        parser.add_argument(
            "workflow_input", nargs="?", help="Workflow input: JSON, or a JSON/YAML file."
        )
        parser.add_argument(
            "params",
            nargs="?",
            help="Workflow additional parameters (e.g. env): JSON, or a JSON/YAML file.",
        )
        parser.add_argument(
            "-d", "--description", dest="description", default="", help="Execution description."
        )
        parser.add_argument(
            "-s",
            dest="source_execution_id",
            nargs="?",
            help="ID of a previous workflow execution to base the new execution on.",
        )
        parser.add_argument(
            "--wait", action="store_true",
            help="Follow the new execution until it ends (a live table on stderr), then "
            "show it; the exit status is 0 only if it succeeded.",
        )
        watch.add_arguments(parser)
        return parser

    def run(self, parsed_args):
        self._exit = 0
        return super().run(parsed_args) or self._exit

    def take_action(self, parsed_args):
        wf_input = common.maybe_json_arg(parsed_args.workflow_input, "Workflow input")
        params = common.maybe_json_arg(parsed_args.params, "Workflow params")
        identifier = parsed_args.workflow_identifier
        source_id = parsed_args.source_execution_id
        if not identifier and not source_id:
            raise common.CommandError(
                "Provide a workflow ID or name, or -s SOURCE_EXECUTION_ID."
            )
        body = {"description": parsed_args.description}
        if is_uuid(source_id):
            body["source_execution_id"] = source_id
        if identifier:
            body["workflow_id" if is_uuid(identifier) else "workflow_name"] = identifier
        if parsed_args.namespace:
            body["workflow_namespace"] = parsed_args.namespace
        # The API carries input and params as JSON-encoded strings.
        if wf_input:
            body["input"] = json.dumps(wf_input)
        if params:
            body["params"] = json.dumps(params)
        ex = self.app.client.post("/executions", json_body=body)
        if parsed_args.wait:
            self._exit, ex = watch.watch(self.app.client, ex["id"], self.app.stderr,
                                         parsed_args.interval, parsed_args.timeout)
        return common.headings(COLUMNS), row(ex)


class Watch(command.Command):
    """Follow an execution until it ends: a live table of its tasks' states, their
    counts and a progress bar. Exit status 0 on SUCCESS, 1 on ERROR or CANCELLED,
    2 on --timeout."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("execution", help="Execution identifier.")
        watch.add_arguments(parser)
        return parser

    def take_action(self, parsed_args):
        status, _ = watch.watch(self.app.client, parsed_args.execution, self.app.stdout,
                                parsed_args.interval, parsed_args.timeout)
        return status


class Delete(command.Command):
    """Delete execution(s)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("execution", nargs="+", help="ID of execution(s).")
        parser.add_argument(
            "--force",
            default=False,
            action="store_true",
            help="Delete even if running; may cause a cascade of errors.",
        )
        return parser

    def take_action(self, parsed_args):
        params = {"force": "true"} if parsed_args.force else None

        def delete(ex_id):
            self.app.client.delete(_path(ex_id), params=params)

        common.delete_many(self, parsed_args.execution, delete, "execution")


class Update(show.ShowOne):
    """Update execution state, description or environment."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("id", help="Execution identifier.")
        parser.add_argument("-s", "--state", dest="state", choices=STATES, help="Execution state.")
        parser.add_argument(
            "-e",
            "--env",
            dest="env",
            help="Environment variables: JSON/YAML, or a JSON/YAML file.",
        )
        parser.add_argument(
            "-d", "--description", dest="description", help="Execution description."
        )
        return parser

    def take_action(self, parsed_args):
        env = common.load_content_arg(parsed_args.env, "Env") if parsed_args.env else None
        body = {}
        if parsed_args.state:
            body["state"] = parsed_args.state
        if parsed_args.description:
            body["description"] = parsed_args.description
        if env:
            body["params"] = {"env": env}
        if not body:
            raise common.CommandError("Provide at least one of --state, --env, --description.")
        ex = self.app.client.put(_path(parsed_args.id), json_body=body)
        return common.headings(COLUMNS), row(ex)


class _ShowField(command.Command):
    # Prints one JSON-encoded field of an execution, pretty-printed.
    field = None

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("id", help="Execution ID.")
        return parser

    def take_action(self, parsed_args):
        ex = self.app.client.get(_path(parsed_args.id))
        self.app.stdout.write(common.pretty_json_text(ex.get(self.field)))


class GetInput(_ShowField):
    """Show execution input data."""

    field = "input"


class GetOutput(_ShowField):
    """Show execution output data."""

    field = "output"


class GetPublished(_ShowField):
    """Show workflow global published variables."""

    field = "published_global"


class GetReport(command.Command):
    """Print execution report."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("id", help="Execution ID.")
        parser.add_argument(
            "--errors-only",
            dest="errors_only",
            action="store_true",
            help="Only error paths will be included (default).",
        )
        parser.add_argument(
            "--no-errors-only",
            dest="errors_only",
            action="store_false",
            help="Not only error paths will be included.",
        )
        parser.add_argument(
            "--statistics-only",
            dest="statistics_only",
            action="store_true",
            help="Only the statistics will be included.",
        )
        parser.add_argument(
            "--max-depth",
            dest="max_depth",
            nargs="?",
            type=int,
            default=-1,
            help="Maximum depth of the execution tree; 0 means only the root "
            "execution and its tasks.",
        )
        parser.set_defaults(errors_only=True)
        return parser

    def take_action(self, parsed_args):
        params = {"max_depth": parsed_args.max_depth}
        if parsed_args.errors_only:
            params["errors_only"] = "true"
        if parsed_args.statistics_only:
            params["statistics_only"] = "true"
        report = self.app.client.get(_path(parsed_args.id, "/report"), params=params)
        self._print_report(report or {})

    def _line(self, text, level=0):
        self.app.stdout.write(" " * (level * REPORT_INDENT) + text + "\n")

    def _print_report(self, report):
        self._line(
            "\nTo get more details on a task failure run: "
            "mistral-svc task-get <id> -c 'State info'\n"
        )
        frame = "=" * 30
        self._line(f"{frame} General Statistics {frame}\n")
        stat = report.get("statistics") or {}
        for state in ("SUCCESS", "ERROR", "RUNNING", "IDLE"):
            count = stat.get(f"{state.lower()}_tasks_count")
            self._line(f"Number of tasks in {state} state: {count}")
        self._line(f"Number of tasks in PAUSED state: {stat.get('paused_tasks_count')}\n")
        if "estimated_time" in stat:
            self._line(
                "Estimated time (seconds) for the execution to finish: "
                f"{stat['estimated_time']}\n"
            )
        if "root_workflow_execution" in report:
            self._line(f"{frame} Workflow Execution Tree {frame}\n")
            self._workflow(report["root_workflow_execution"], 0)

    @staticmethod
    def _entry(kind, item):
        return f"{kind} '{item.get('name')}' [{item.get('state')}] {item.get('id')}"

    def _error_info(self, item, level, flatten):
        info = item.get("state_info")
        if item.get("state") == "ERROR" and info:
            info = info[:100]
            if flatten:
                info = info.replace("\n", " ")
            self._line(f"(error info: {info}...)", level)

    def _workflow(self, wf_ex, level):
        self._line(self._entry("workflow", wf_ex), level)
        for t_ex in wf_ex.get("task_executions", []):
            self._task(t_ex, level + 1)

    def _task(self, t_ex, level):
        self._line(self._entry("task", t_ex), level)
        if "retry_count" in t_ex:
            self._line(f"(retry count: {t_ex['retry_count']})", level)
        self._error_info(t_ex, level, flatten=True)
        for a_ex in t_ex.get("action_executions", []):
            self._line(self._entry("action", a_ex), level + 1)
            self._error_info(a_ex, level + 1, flatten=False)
        for wf_ex in t_ex.get("workflow_executions", []):
            self._workflow(wf_ex, level + 1)


class SubExecutionsLister(common.Lister):
    """Base for listing the sub-workflow executions below an execution or a task."""

    resource_path = None

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("id", metavar="ID", help="Origin ID.")
        parser.add_argument(
            "--errors-only",
            dest="errors_only",
            action="store_true",
            help="Only error paths will be included.",
        )
        parser.add_argument(
            "--max-depth",
            dest="max_depth",
            nargs="?",
            type=int,
            default=-1,
            help="Maximum depth of the execution tree; 0 means only the root "
            "execution and its tasks.",
        )
        return parser

    def take_action(self, parsed_args):
        params = {
            "max_depth": parsed_args.max_depth,
            "errors_only": "true" if parsed_args.errors_only else "false",
        }
        path = f"{self.resource_path}/{quote_segment(parsed_args.id)}/executions"
        items = self.app.client.get(path, params=params)["executions"]
        return common.table(COLUMNS, items, row)


class GetSubExecutions(SubExecutionsLister):
    """List the sub-executions of a workflow execution."""

    resource_path = "/executions"


COMMANDS = {
    "execution-create": Create,
    "execution-delete": Delete,
    "execution-get": Get,
    "execution-get-input": GetInput,
    "execution-get-output": GetOutput,
    "execution-get-published": GetPublished,
    "execution-get-report": GetReport,
    "execution-get-sub-executions": GetSubExecutions,
    "execution-list": List,
    "execution-update": Update,
    "execution-watch": Watch,
}
