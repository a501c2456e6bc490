"""cron-trigger-* commands."""

import datetime
import json

from cliff import command, show

from mistral_svc.cli import common
from mistral_svc.cli.executions import is_uuid
from mistral_svc.cli.http import quote_segment

COLUMNS = [
    ("name", "Name"),
    ("workflow_name", "Workflow"),
    ("workflow_params", "Params"),
    ("pattern", "Pattern"),
    ("next_execution_time", "Next execution time"),
    ("remaining_executions", "Remaining executions"),
    ("created_at", "Created at"),
    ("updated_at", "Updated at"),
]

FIRST_TIME_FORMAT = "%Y-%m-%d %H:%M"


def row(trigger, lister=False):
    return tuple(trigger.get(field) for field, _ in COLUMNS)


def _path(name):
    return "/cron_triggers/" + quote_segment(name)


def first_time_utc(value, is_utc):
    """Validate --first-time and convert it from local time to UTC unless --utc."""
    try:
        parsed = datetime.datetime.strptime(value, FIRST_TIME_FORMAT)
    except ValueError:
        raise common.CommandError(
            f"Invalid --first-time '{value}': expected format YYYY-MM-DD HH:MM"
        )
    if is_utc:
        return value
    # A naive datetime's astimezone() interprets it in the local time zone.
    return parsed.astimezone(datetime.timezone.utc).strftime(FIRST_TIME_FORMAT)


class List(common.MistralLister):
    """List all cron triggers."""

    def take_action(self, parsed_args):
        params, _ = self.list_query(parsed_args, fields=common.fields(COLUMNS))
        items = self.app.client.get("/cron_triggers", params=params)["cron_triggers"]
        return common.table(COLUMNS, items, row)


class Get(show.ShowOne):
    """Show specific cron trigger."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("cron_trigger", help="Cron trigger name.")
        return parser

    def take_action(self, parsed_args):
        trigger = self.app.client.get(_path(parsed_args.cron_trigger))
        return common.headings(COLUMNS), row(trigger)


class Create(show.ShowOne):
    """Create new cron trigger."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("name", help="Cron trigger name.")
        parser.add_argument("workflow_identifier", help="Workflow name or ID.")
        parser.add_argument(
            "workflow_input", nargs="?", help="Workflow input: JSON, or a JSON/YAML file."
        )
        parser.add_argument("--params", help="Workflow params: JSON, or a JSON/YAML file.")
        parser.add_argument(
            "--pattern", type=str, metavar="<* * * * *>", help="Cron trigger pattern."
        )
        parser.add_argument(
            "--first-time",
            type=str,
            default=None,
            metavar="<YYYY-MM-DD HH:MM>",
            help="Date and time of the first execution. Local time unless --utc is given.",
        )
        parser.add_argument(
            "--count", type=int, metavar="<integer>", help="Number of wanted executions."
        )
        parser.add_argument(
            "--utc", action="store_true", help="All times specified are treated as UTC."
        )
        return parser

    def take_action(self, parsed_args):
        wf_input = common.maybe_json_arg(parsed_args.workflow_input, "Workflow input")
        wf_params = common.maybe_json_arg(parsed_args.params, "Workflow params")
        first_time = None
        if parsed_args.first_time:
            first_time = first_time_utc(parsed_args.first_time, parsed_args.utc)
        body = {
            "name": parsed_args.name,
            "pattern": parsed_args.pattern,
            "first_execution_time": first_time,
            "remaining_executions": parsed_args.count,
        }
        identifier = parsed_args.workflow_identifier
        body["workflow_id" if is_uuid(identifier) else "workflow_name"] = identifier
        # The API carries these as JSON-encoded strings.
        if wf_input:
            body["workflow_input"] = json.dumps(wf_input)
        if wf_params:
            body["workflow_params"] = json.dumps(wf_params)
        trigger = self.app.client.post("/cron_triggers", json_body=body)
        return common.headings(COLUMNS), row(trigger)


class Delete(command.Command):
    """Delete cron trigger(s)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("cron_trigger", nargs="+", help="Name of cron trigger(s).")
        return parser

    def take_action(self, parsed_args):
        common.delete_many(
            self,
            parsed_args.cron_trigger,
            lambda name: self.app.client.delete(_path(name)),
            "cron trigger",
        )


COMMANDS = {
    "cron-trigger-create": Create,
    "cron-trigger-delete": Delete,
    "cron-trigger-get": Get,
    "cron-trigger-list": List,
}
