"""event-trigger-* commands."""

import json

from cliff import command, show

from mistral_svc.cli import common
from mistral_svc.cli.http import quote_segment

COLUMNS = [
    ("id", "ID"),
    ("name", "Name"),
    ("workflow_id", "Workflow ID"),
    ("workflow_params", "Params"),
    ("exchange", "Exchange"),
    ("topic", "Topic"),
    ("event", "Event"),
    ("created_at", "Created at"),
    ("updated_at", "Updated at"),
]


def row(trigger, lister=False):
    return tuple(trigger.get(field) for field, _ in COLUMNS)


def _path(trigger_id):
    return "/event_triggers/" + quote_segment(trigger_id)


class List(common.MistralLister):
    """List all event triggers."""

    def take_action(self, parsed_args):
        params, _ = self.list_query(parsed_args, fields=common.fields(COLUMNS))
        items = self.app.client.get("/event_triggers", params=params)["event_triggers"]
        return common.table(COLUMNS, items, row)


class Get(show.ShowOne):
    """Show specific event trigger."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("event_trigger", help="Event trigger ID.")
        return parser

    def take_action(self, parsed_args):
        trigger = self.app.client.get(_path(parsed_args.event_trigger))
        return common.headings(COLUMNS), row(trigger)


class Create(show.ShowOne):
    """Create new event trigger."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("name", help="Event trigger name.")
        parser.add_argument("workflow_id", help="Workflow ID.")
        parser.add_argument("exchange", type=str, help="Event trigger exchange.")
        parser.add_argument("topic", type=str, help="Event trigger topic.")
        parser.add_argument("event", type=str, help="Event trigger event name.")
        parser.add_argument(
            "workflow_input", nargs="?", help="Workflow input: JSON, or a JSON/YAML file."
        )
        parser.add_argument("--params", help="Workflow params: JSON, or a JSON/YAML file.")
        return parser

    def take_action(self, parsed_args):
        wf_input = common.maybe_json_arg(parsed_args.workflow_input, "Workflow input")
        wf_params = common.maybe_json_arg(parsed_args.params, "Workflow params")
        body = {
            "workflow_id": parsed_args.workflow_id,
            "name": parsed_args.name,
            "exchange": parsed_args.exchange,
            "topic": parsed_args.topic,
            "event": parsed_args.event,
        }
        # The API carries these as JSON-encoded strings.
        if wf_input:
            body["workflow_input"] = json.dumps(wf_input)
        if wf_params:
            body["workflow_params"] = json.dumps(wf_params)
        trigger = self.app.client.post("/event_triggers", json_body=body)
        return common.headings(COLUMNS), row(trigger)


class Delete(command.Command):
    """Delete event trigger(s)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("event_trigger_id", nargs="+", help="ID of event trigger(s).")
        return parser

    def take_action(self, parsed_args):
        common.delete_many(
            self,
            parsed_args.event_trigger_id,
            lambda trigger_id: self.app.client.delete(_path(trigger_id)),
            "event trigger",
        )


COMMANDS = {
    "event-trigger-create": Create,
    "event-trigger-delete": Delete,
    "event-trigger-get": Get,
    "event-trigger-list": List,
}
