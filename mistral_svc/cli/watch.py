"""Following an execution until it ends: ``execution-watch`` and ``execution-create
--wait``.

The execution and its tasks are polled over the REST API (so this works against any
Mistral API v2) and shown as a live table of task states, the count of tasks in each
state and a progress bar of finished tasks. The exit status says how it ended:
0 for SUCCESS, 1 for ERROR or CANCELLED, 2 when ``--timeout`` ran out first.
"""

import time

from rich import box
from rich.console import Console, Group
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from mistral_svc.cli.http import quote_segment

FINAL = ("SUCCESS", "ERROR", "CANCELLED", "REVERTED", "REVERT_FAILED")
EXIT_SUCCESS, EXIT_FAILED, EXIT_TIMEOUT = 0, 1, 2
STATE_STYLES = {
    "SUCCESS": "green",
    "ERROR": "red",
    "CANCELLED": "magenta",
    "RUNNING": "cyan",
    "RUNNING_DELAYED": "cyan",
    "PAUSED": "yellow",
    "WAITING": "bright_black",
    "IDLE": "bright_black",
    "REVERTED": "yellow",
    "REVERT_FAILED": "bold red",
}
# Enough rows to follow a run on one screen; the counts cover all tasks.
MAX_ROWS = 25


def add_arguments(parser):
    """The polling options shared by both commands."""
    parser.add_argument("--interval", type=float, default=0.5,
                        help="Seconds between polls (default 0.5).")
    parser.add_argument("--timeout", type=float, default=0,
                        help="Give up after this many seconds, exit status 2 "
                        "(default: wait as long as it takes).")


def _state(state):
    return Text(state or "-", style=STATE_STYLES.get(state, ""))


def render(ex, tasks):
    """The display for one poll: execution line, task table, counts and progress."""
    finished = sum(1 for t in tasks if t.get("state") in FINAL)
    total = len(tasks)
    if ex.get("state") in FINAL:
        total = finished = max(total, 1)
    header = Text.assemble(
        ("Execution ", "bold"), ex.get("id", ""), "  ",
        (ex.get("workflow_name") or "", "bold"), "  ", _state(ex.get("state")))
    table = Table(box=box.SIMPLE, show_edge=False, pad_edge=False)
    for column in ("Task", "State", "Started", "Finished", "State info"):
        table.add_column(column)
    ordered = sorted(tasks, key=lambda t: (t.get("created_at") or "", t.get("name") or ""))
    for t in ordered[-MAX_ROWS:]:
        info = (t.get("state_info") or "").splitlines()
        table.add_row(t.get("name") or "", _state(t.get("state")),
                      t.get("started_at") or "", t.get("finished_at") or "",
                      (info[0][:60] if info else ""))
    counts = {}
    for t in tasks:
        counts[t.get("state")] = counts.get(t.get("state"), 0) + 1
    summary = Text("Tasks: %d" % len(tasks))
    for state in sorted(counts, key=str):
        summary.append("  ")
        summary.append("%s %d" % (state, counts[state]), style=STATE_STYLES.get(state, ""))
    hidden = len(ordered) - MAX_ROWS
    parts = [header, table]
    if hidden > 0:
        parts.append(Text("(%d earlier tasks not shown)" % hidden, style="dim"))
    bar = ProgressBar(total=max(total, 1), completed=finished, width=40)
    progress = Table.grid(padding=(0, 1))
    progress.add_row(bar, Text("%d/%d finished" % (finished, total)))
    parts.extend([summary, progress])
    return Group(*parts)


def exit_status(state):
    return EXIT_SUCCESS if state == "SUCCESS" else EXIT_FAILED


def watch(client, ex_id, stream, interval=0.5, timeout=0, clock=time.monotonic,
          sleep=time.sleep):
    """Poll execution ``ex_id`` through ``client`` until it ends, drawing on
    ``stream``; returns ``(exit status, last execution)``."""
    console = Console(file=stream, highlight=False, soft_wrap=False,
                      width=None if stream.isatty() else 120)
    path = "/executions/" + quote_segment(ex_id)
    deadline = clock() + timeout if timeout else None
    ex = client.get(path)
    tasks = client.get(path + "/tasks").get("tasks", [])
    # auto_refresh off: the display changes only when a poll brings news.
    with Live(render(ex, tasks), console=console, auto_refresh=False,
              transient=False) as live:
        while ex.get("state") not in FINAL:
            if deadline is not None and clock() >= deadline:
                live.update(render(ex, tasks), refresh=True)
                console.print("Timed out after %ss; the execution is still %s."
                              % (timeout, ex.get("state")))
                return EXIT_TIMEOUT, ex
            sleep(max(interval, 0.05))
            ex = client.get(path)
            tasks = client.get(path + "/tasks").get("tasks", [])
            live.update(render(ex, tasks), refresh=True)
    return exit_status(ex.get("state")), ex
