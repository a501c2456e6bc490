"""member-* commands (sharing a resource, e.g. a workflow, with another project)."""

from cliff import command, show

from mistral_svc.cli import common
from mistral_svc.cli.http import ClientError, quote_segment

COLUMNS = [
    ("resource_id", "Resource ID"),
    ("resource_type", "Resource Type"),
    ("project_id", "Resource Owner"),
    ("member_id", "Member ID"),
    ("status", "Status"),
    ("created_at", "Created at"),
    ("updated_at", "Updated at"),
]

STATUSES = ["pending", "accepted", "rejected"]


def row(member, lister=False):
    return tuple(member.get(field) for field, _ in COLUMNS)


def _members_path(resource_id, resource_type, member_id=None):
    # The resource type names the collection: "workflow" -> /workflows/<id>/members.
    path = f"/{quote_segment(resource_type)}s/{quote_segment(resource_id)}/members"
    if member_id is not None:
        path += "/" + quote_segment(member_id)
    return path


def _resource_args(parser, id_dest="resource_id"):
    parser.add_argument(id_dest, help="Resource ID to be shared.")
    parser.add_argument("resource_type", help="Resource type, e.g. workflow.")


def _member_id_option(parser):
    parser.add_argument(
        "-m",
        "--member-id",
        default="",
        help="Project ID to whom the resource is shared. Defaults to the current "
        "project (when you are the member).",
    )


class List(common.Lister):
    """List all members of a resource."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _resource_args(parser)
        return parser

    def take_action(self, parsed_args):
        path = _members_path(parsed_args.resource_id, parsed_args.resource_type)
        items = self.app.client.get(path)["members"]
        return common.table(COLUMNS, items, row)


class Get(show.ShowOne):
    """Show specific member information."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _resource_args(parser, "resource")
        _member_id_option(parser)
        return parser

    def take_action(self, parsed_args):
        member_id = parsed_args.member_id or self.app.project_id
        path = _members_path(parsed_args.resource, parsed_args.resource_type, member_id)
        return common.headings(COLUMNS), row(self.app.client.get(path))


class Create(show.ShowOne):
    """Share a resource with another project."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _resource_args(parser)
        parser.add_argument("member_id", help="Project ID to whom the resource is shared.")
        return parser

    def take_action(self, parsed_args):
        path = _members_path(parsed_args.resource_id, parsed_args.resource_type)
        member = self.app.client.post(path, json_body={"member_id": parsed_args.member_id})
        return common.headings(COLUMNS), row(member)


class Delete(command.Command):
    """Delete a resource sharing relationship."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _resource_args(parser, "resource")
        parser.add_argument("member_id", help="Project ID to whom the resource is shared.")
        return parser

    def take_action(self, parsed_args):
        path = _members_path(
            parsed_args.resource, parsed_args.resource_type, parsed_args.member_id
        )
        try:
            self.app.client.delete(path)
        except ClientError as exc:
            self.app.stderr.write(f"{exc}\n")
            raise common.CommandError("Unable to delete the specified member.")
        self.app.stdout.write(
            f"Request to delete {parsed_args.resource_type} member "
            f"{parsed_args.member_id} has been accepted.\n"
        )


class Update(show.ShowOne):
    """Update resource sharing status."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _resource_args(parser)
        _member_id_option(parser)
        parser.add_argument(
            "-s",
            "--status",
            default="accepted",
            choices=STATUSES,
            help="Status of the sharing.",
        )
        return parser

    def take_action(self, parsed_args):
        member_id = parsed_args.member_id or self.app.project_id
        path = _members_path(parsed_args.resource_id, parsed_args.resource_type, member_id)
        member = self.app.client.put(path, json_body={"status": parsed_args.status})
        return common.headings(COLUMNS), row(member)


COMMANDS = {
    "member-create": Create,
    "member-delete": Delete,
    "member-get": Get,
    "member-list": List,
    "member-update": Update,
}
