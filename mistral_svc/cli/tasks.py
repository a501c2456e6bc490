"""task-* commands (task executions)."""

import json

from cliff import command, show

from mistral_svc.cli import common, executions
from mistral_svc.cli.http import quote_segment

COLUMNS = [
    ("id", "ID"),
    ("name", "Name"),
    ("workflow_name", "Workflow name"),
    ("workflow_namespace", "Workflow namespace"),
    ("workflow_execution_id", "Workflow Execution ID"),
    ("state", "State"),
    ("state_info", "State info"),
    ("created_at", "Created at"),
    ("started_at", "Started at"),
    ("finished_at", "Finished at"),
    ("duration", "Duration", True),
]


def row(task, lister=False):
    state_info = task.get("state_info")
    return (
        task.get("id"),
        task.get("name"),
        task.get("workflow_name"),
        task.get("workflow_namespace"),
        task.get("workflow_execution_id"),
        task.get("state"),
        common.cut(state_info) if lister else state_info,
        task.get("created_at"),
        task.get("started_at") or "<none>",
        task.get("finished_at") or "<none>",
        common.duration(task.get("started_at"), task.get("finished_at")),
    )


def _path(task_id):
    return "/tasks/" + quote_segment(task_id)


class _TaskIdCommand(command.Command):
    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("id", help="Task ID.")
        return parser


class List(common.MistralLister):
    """List all tasks."""

    execution_style = True

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            "workflow_execution",
            nargs="?",
            help="Workflow execution ID associated with list of tasks.",
        )
        return parser

    def take_action(self, parsed_args):
        path = "/tasks"
        if parsed_args.workflow_execution:
            path = f"/executions/{quote_segment(parsed_args.workflow_execution)}/tasks"
        params, reverse = self.list_query(parsed_args, fields=common.fields(COLUMNS))
        items = self.app.client.get(path, params=params)["tasks"]
        if reverse:
            items.reverse()
        return common.table(COLUMNS, items, row)


class Get(show.ShowOne):
    """Show specific task."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("task", help="Task identifier.")
        return parser

    def take_action(self, parsed_args):
        task = self.app.client.get(_path(parsed_args.task))
        return common.headings(COLUMNS), row(task)


class GetResult(_TaskIdCommand):
    """Show task output data."""

    def take_action(self, parsed_args):
        task = self.app.client.get(_path(parsed_args.id))
        self.app.stdout.write(common.pretty_json_text(task.get("result")))


class GetPublished(_TaskIdCommand):
    """Show task published variables."""

    def take_action(self, parsed_args):
        task = self.app.client.get(_path(parsed_args.id))
        text = common.pretty_json_text(task.get("published"))
        # Variables published to the global scope follow the branch-local ones.
        if task.get("published_global"):
            text += common.pretty_json_text(task["published_global"])
        self.app.stdout.write(text)


class Rerun(show.ShowOne):
    """Rerun an existing task."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("id", help="Task identifier.")
        parser.add_argument(
            "--resume",
            action="store_true",
            dest="resume",
            default=False,
            help="Rerun only failed or unstarted action executions of a with-items task.",
        )
        parser.add_argument(
            "-e",
            "--env",
            dest="env",
            help="Environment variables: JSON/YAML, or a JSON/YAML file.",
        )
        return parser

    def take_action(self, parsed_args):
        env = common.load_content_arg(parsed_args.env, "Env") if parsed_args.env else None
        body = {"id": parsed_args.id, "state": "RUNNING", "reset": not parsed_args.resume}
        if env:
            body["env"] = json.dumps(env)
        task = self.app.client.put(_path(parsed_args.id), json_body=body)
        return common.headings(COLUMNS), row(task)


class GetSubExecutions(executions.SubExecutionsLister):
    """List the sub-executions of a task."""

    resource_path = "/tasks"


COMMANDS = {
    "task-get": Get,
    "task-get-published": GetPublished,
    "task-get-result": GetResult,
    "task-get-sub-executions": GetSubExecutions,
    "task-list": List,
    "task-rerun": Rerun,
}
