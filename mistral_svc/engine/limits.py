"""What an execution's stored fields may hold: ``[engine] execution_field_size_limit_kb``.

As in Mistral, the input, output, params and published fields of workflow, task and
action executions are checked whenever they are written: the size is that of the
value's text (``sys.getsizeof(str(value))``, in whole KiB), and Mistral's message names
the field. The class in that message is always ``TaskExecution``, which is what
Mistral reports whichever execution the field belongs to. A value that JSON cannot
store at all (an integer of more than 4300 digits) is refused the same way, rather
than failing the transaction, and the result that carried it being sent again and
again.
"""

import sys

from mistral_svc import config, exceptions as exc

FIELDS = ("input", "output", "params", "published")


def limit_kb():
    """The limit in force, in KiB (negative: none)."""
    return config.CONF.engine.execution_field_size_limit_kb


def check_row(row, limit=None):
    """SizeLimitExceeded if a checked field of ``row`` (a dict of columns) is too large
    or cannot be stored."""
    if limit is None:
        limit = limit_kb()
    for field in FIELDS:
        value = row.get(field)
        if not value:
            continue
        try:
            text = str(value)
        except ValueError as e:  # int to str conversion past sys.get_int_max_str_digits()
            raise exc.SizeLimitExceeded(
                "Field cannot be stored [class=TaskExecution, field=%s]: %s" % (field, e))
        if limit < 0:
            continue
        size_kb = int(sys.getsizeof(text) / 1024)
        if size_kb > limit:
            raise exc.SizeLimitExceeded(
                "Field size limit exceeded [class=TaskExecution, field=%s, size=%dKB, "
                "limit=%dKB]" % (field, size_kb, limit))


def check_delta(delta):
    """``check_row`` over every record a conductor step created or changed."""
    limit = limit_kb()
    for record in delta.created:
        check_row(record.to_row(), limit)
    for record, fields in delta.changed:
        if any(f in FIELDS for f in fields):
            check_row(record.to_row([f for f in fields if f in FIELDS]), limit)
