"""Helpers shared by the command modules.

Argument loading (definition files, inline-JSON-or-file values), the pagination and
filter options of list commands, and the small cell formatters the tables use.
"""

import argparse
import datetime
import json
import os
import sys
import textwrap

import yaml
from cliff import lister

from mistral_svc.cli.http import ClientError

DEFAULT_EXECUTION_LIMIT = 100
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"


class CommandError(Exception):
    """A problem with the user's input, reported before any request is sent."""


# ---------------------------------------------------------------------------
# Loading user input
# ---------------------------------------------------------------------------


def definition_file(path):
    """argparse type: read a definition file ('-' for stdin) at parse time.

    Reading here rather than in take_action means a missing file aborts with a usage
    error before the API is contacted.
    """
    try:
        if path == "-":
            content = sys.stdin.read()
        else:
            with open(path, encoding="utf-8") as f:
                content = f.read()
    except OSError as exc:
        raise argparse.ArgumentTypeError(f"can't open '{path}': {exc.strerror or exc}")
    except UnicodeDecodeError:
        raise argparse.ArgumentTypeError(f"'{path}' is not a UTF-8 text file")
    if not content.strip():
        raise argparse.ArgumentTypeError(f"'{path}' is empty")
    return content


def parse_structured(text, source):
    """Parse JSON, falling back to YAML (files may be either)."""
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CommandError(f"{source} is neither valid JSON nor valid YAML: {exc}")


def _read_file(path, name):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"{name}: cannot read file '{path}': {exc}")


def _require_dict(value, name, source):
    if not isinstance(value, dict):
        raise CommandError(
            f"{name} must be a JSON object (dictionary), got {type(value).__name__} "
            f"from {source}"
        )
    return value


def load_json_arg(value, name, require_dict=True):
    """Load a value given either as a path to a JSON/YAML file or as inline JSON."""
    if os.path.isfile(value):
        data = parse_structured(_read_file(value, name), f"{name} file '{value}'")
        source = f"file '{value}'"
    else:
        try:
            data = json.loads(value)
        except ValueError as exc:
            raise CommandError(
                f"{name}: '{value}' is not an existing file and not valid JSON ({exc})"
            )
        source = "the command line"
    if require_dict:
        _require_dict(data, name, source)
    return data


def load_content_arg(value, name):
    """Load a dictionary from a JSON/YAML file path or inline JSON/YAML text."""
    if os.path.isfile(value):
        data = parse_structured(_read_file(value, name), f"{name} file '{value}'")
        source = f"file '{value}'"
    else:
        data = parse_structured(value, f"{name} '{value}'")
        source = "the command line"
        if isinstance(data, str):
            # A bare word parses as a YAML string: most likely a mistyped file name.
            raise CommandError(
                f"{name}: '{value}' is not an existing file and not a JSON/YAML object"
            )
    return _require_dict(data if data is not None else {}, name, source)


def maybe_json_arg(value, name, require_dict=True):
    """Like load_json_arg, but an absent/empty value yields an empty dict."""
    return load_json_arg(value, name, require_dict) if value else {}


def pretty_json_text(value):
    """Re-indent a JSON-encoded string for display; other values are shown as-is."""
    if value is None or value == "":
        return "\n"
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return value if value.endswith("\n") else value + "\n"
    return json.dumps(value, indent=4) + "\n"


# ---------------------------------------------------------------------------
# Cell formatting
# ---------------------------------------------------------------------------


def cut(value, length=25):
    """Shorten long text in list tables so rows stay readable."""
    if isinstance(value, str) and len(value) > length:
        return value[:length] + "..."
    return value


def wrap(value, width=25):
    if isinstance(value, str) and len(value) > width:
        return textwrap.fill(value, width)
    return value


def tags_cell(tags):
    return wrap(", ".join(tags or [])) or "<none>"


def _parse_date(value):
    # The API renders dates as "YYYY-MM-DD HH:MM:SS"; tolerate ISO variants too.
    value = value.replace("T", " ").split(".")[0].rstrip("Z")
    return datetime.datetime.strptime(value[:19], DATE_FORMAT)


def duration(start, end):
    """Human-friendly elapsed time; unfinished work is measured up to now with '...'."""
    if not start:
        return ""
    try:
        start_dt = _parse_date(start)
        if end:
            return str(_parse_date(end) - start_dt)
    except ValueError:
        return ""
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    delta = now - start_dt
    if delta < datetime.timedelta(seconds=2):
        return "..."
    return f"{delta - datetime.timedelta(microseconds=delta.microseconds)}..."


def validation_result(result):
    """Columns and row for the answer of a */validate call."""
    result = result or {}
    return ("Valid", "Error"), (result.get("valid"), result.get("error"))


def headings(columns):
    return [c[1] for c in columns]


def fields(columns):
    """API field names for a column spec, skipping computed columns."""
    return [c[0] for c in columns if not (len(c) > 2 and c[2])]


# ---------------------------------------------------------------------------
# List commands
# ---------------------------------------------------------------------------


def parse_filters(raw_filters):
    filters = {}
    for item in raw_filters or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise CommandError(f"Invalid filter: {item} (expected KEY=VALUE)")
        filters[key] = value
    return filters


class Lister(lister.Lister):
    """Lister whose tables keep their header row even when there is nothing to list."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.set_defaults(print_empty=True)
        return parser


class MistralLister(Lister):
    """Lister with the pagination, sorting and filter options of Mistral list commands."""

    # Execution-like resources default to the newest 100 entries, shown oldest first.
    execution_style = False

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            "--marker",
            nargs="?",
            default="",
            help="ID of the last entry of the previous page; list entries after it.",
        )
        parser.add_argument(
            "--limit",
            type=int,
            nargs="?",
            default=DEFAULT_EXECUTION_LIMIT if self.execution_style else None,
            help="Maximum number of entries to return in a single result.",
        )
        parser.add_argument(
            "--sort_keys",
            nargs="?",
            default="created_at",
            help="Comma-separated list of sort keys (default: created_at).",
        )
        parser.add_argument(
            "--sort_dirs",
            nargs="?",
            default="asc",
            help="Comma-separated list of sort directions, asc or desc (default: asc).",
        )
        parser.add_argument(
            "--filter",
            dest="filters",
            action="append",
            help="Filter as KEY=VALUE, e.g. state=ERROR or created_at=gt:2024-01-01. "
            "Can be repeated.",
        )
        if self.execution_style:
            parser.add_argument(
                "--oldest",
                action="store_true",
                default=False,
                help="Display the entries starting from the oldest instead of the newest.",
            )
        return parser

    def list_query(self, parsed_args, fields=None, extra=None):
        """Build query parameters; returns (params, reverse_results)."""
        filters = parse_filters(parsed_args.filters)
        sort_dirs = parsed_args.sort_dirs
        reverse = False
        if (
            self.execution_style
            and not parsed_args.marker
            and parsed_args.sort_keys == "created_at"
            and sort_dirs == "asc"
            and not parsed_args.oldest
        ):
            # Fetch the newest page, then show it in chronological order.
            sort_dirs = "desc"
            reverse = True
        params = {}
        if parsed_args.marker:
            params["marker"] = parsed_args.marker
        if parsed_args.limit and parsed_args.limit > 0:
            params["limit"] = parsed_args.limit
        if parsed_args.sort_keys:
            params["sort_keys"] = parsed_args.sort_keys
        if sort_dirs:
            params["sort_dirs"] = sort_dirs
        if fields:
            params["fields"] = ",".join(fields)
        params.update(extra or {})
        params.update(filters)
        return params, reverse


def table(columns, items, row_fn, pad_empty=True):
    """Build a Lister result from resources and a row formatter. As ``mistral`` does,
    an empty list is shown as one row of empty cells (unless ``pad_empty`` is off)."""
    names = headings(columns)
    rows = [row_fn(item, lister=True) for item in items]
    return names, rows or ([empty_row(names)] if pad_empty else [])


def empty_row(names):
    """The row of empty cells ``mistral`` shows for an empty list."""
    return tuple("" for _ in names)


def delete_many(cmd, identifiers, delete_fn, what, accepted=None, refused=None):
    """Delete several resources, reporting each; fail at the end if any failed.

    ``accepted`` (with ``%s`` for the identifier) and ``refused`` replace the default
    messages where the official client words them differently."""
    accepted = accepted or "Request to delete %s %%s has been accepted." % what
    failed = False
    for identifier in identifiers:
        try:
            delete_fn(identifier)
        except ClientError as exc:  # report it and carry on with the remaining ones
            failed = True
            cmd.app.stderr.write(f"{exc}\n")
        else:
            cmd.app.stdout.write(accepted % identifier + "\n")
    if failed:
        raise CommandError(refused or f"Unable to delete the specified {what}(s).")
