"""Drives one scenario: create the workflow, run executions, time them.

The client keeps at most ``concurrency`` executions in flight (a closed loop:
a new execution starts when one ends). Executions are started from a small
thread pool, while a single loop polls their states, so the polling load on
the server stays at roughly one request per poll interval however many
executions are running.

Times are taken on the client with a monotonic clock. An execution's end is
the moment a poll first sees it in a terminal state, so each end time is late
by up to one poll interval plus one request. The interval starts small and
grows with the age of the oldest running execution (see ``poll_delay``): the
error stays a small fraction of what is measured, while long executions are
not slowed down by a server busy answering polls.
"""

from __future__ import annotations

import sys
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from . import TERMINAL_STATES
from .client import ApiError, MistralClient
from .rss import RssMonitor
from .scenarios import Scenario
from .stats import summarize

# Below this many running executions, fetching each one is cheaper for the
# server than listing every execution of the workflow.
PER_ID_POLL_LIMIT = 4
# Tolerated consecutive failed polls (e.g. a dropped keep-alive connection)
# before the scenario is abandoned.
MAX_POLL_FAILURES = 20
# Starts are short requests; a few parallel senders are enough to launch
# a hundred executions within a second or so, without flooding the accept
# queue of servers that use a small one.
MAX_START_WORKERS = 8
ERROR_SAMPLES = 3
CLEANUP_SETTLE_S = 1.0
# Poll delay as a fraction of the elapsed time, once that exceeds the minimum.
POLL_BACKOFF = 0.02


def poll_delay(elapsed: float, minimum: float, maximum: float) -> float:
    """Seconds to wait before the next poll, ``elapsed`` seconds into a scenario."""
    return max(minimum, min(maximum, elapsed * POLL_BACKOFF))


class ScenarioAborted(RuntimeError):
    """The scenario could not be driven to the end (e.g. a start was refused)."""


@dataclass
class ExecRecord:
    """Client-side timing of one execution."""

    index: int
    started: float
    execution_id: str | None = None
    finished: float | None = None
    state: str | None = None


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Runner:
    """Runs scenarios against one API endpoint."""

    def __init__(
        self,
        client: MistralClient,
        *,
        timeout: float = 300.0,
        poll_interval: float = 0.05,
        max_poll_interval: float = 0.5,
        keep: bool = False,
        rss: RssMonitor | None = None,
        log=_log,
    ):
        self.client = client
        self.timeout = timeout
        self.poll_interval = poll_interval
        self.max_poll_interval = max(poll_interval, max_poll_interval)
        self._polls = 0
        self.keep = keep
        self.rss = rss
        self.log = log
        self._list_polling = True
        self._pending_cleanup: list[tuple[Scenario, list[ExecRecord], bool]] = []

    # -- public -------------------------------------------------------------

    def run(self, scenario: Scenario) -> dict:
        """Run a scenario and return its result record (see stats.summarize)."""
        self.log(
            f"[{scenario.name}] {scenario.shape}: {scenario.executions} execution(s), "
            f"concurrency {scenario.concurrency}"
        )
        setup_start = time.monotonic()
        # Names carry a run id, but a leftover from an interrupted run with
        # the same id would make the create fail, so clear it first.
        self.client.delete_workflow(scenario.workflow_name)
        self.client.create_workflow(scenario.definition, timeout=self.timeout)
        setup_s = time.monotonic() - setup_start

        self._polls = 0
        dropped_before = self.client.dropped_starts
        if self.rss is not None:
            self.rss.start()
        try:
            records, t0, t_end = self._drive(scenario)
        finally:
            rss_report = self.rss.stop() if self.rss is not None else None

        finished = [r for r in records if r.finished is not None]
        failed = [r for r in finished if r.state != "SUCCESS"]
        result = summarize(
            name=scenario.name,
            shape=scenario.shape,
            executions=scenario.executions,
            concurrency=scenario.concurrency,
            actions=scenario.actions_per_execution if scenario.report_actions else None,
            wall_s=t_end - t0,
            durations=[r.finished - r.started for r in finished],
            finish_offsets=[r.finished - t0 for r in finished],
            errors=len(failed),
            timeouts=scenario.executions - len(finished),
            setup_s=setup_s,
        )
        result["total_actions"] = scenario.actions_per_execution * scenario.executions
        result["polls"] = self._polls
        result["resent_starts"] = self.client.dropped_starts - dropped_before
        result["error_samples"] = self._error_samples(failed)
        if rss_report is not None:
            result["rss"] = rss_report
        self.log(
            f"[{scenario.name}] wall {result['wall_s']:.2f}s, "
            f"{len(finished) - len(failed)} ok, {len(failed)} failed, "
            f"{result['timeouts']} unfinished"
        )
        keep_workflow = bool(failed) or result["timeouts"] > 0
        self._pending_cleanup.append((scenario, records, keep_workflow))
        return result

    # -- driving ------------------------------------------------------------

    def _start(self, scenario: Scenario, index: int) -> ExecRecord:
        record = ExecRecord(index=index, started=time.monotonic())
        body = self.client.start_execution(scenario.workflow_name, scenario.input_json())
        record.execution_id = body["id"]
        if body.get("state") in TERMINAL_STATES:
            # A server may finish tiny workflows before it even answers.
            record.state = body["state"]
            record.finished = time.monotonic()
        return record

    def _drive(self, scenario: Scenario) -> tuple[list[ExecRecord], float, float]:
        total = scenario.executions
        records: list[ExecRecord] = []
        in_flight: dict[str, ExecRecord] = {}
        starting: set[Future] = set()
        next_index = 0
        poll_failures = 0
        abort: BaseException | None = None
        timed_out = False
        workers = max(1, min(scenario.concurrency, MAX_START_WORKERS))
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="start")

        t0 = time.monotonic()
        deadline = t0 + self.timeout
        t_end = t0
        try:
            while True:
                abort = self._collect_started(starting, records, in_flight) or abort
                if abort is not None:
                    break
                if in_flight:
                    try:
                        states = self._poll(scenario.workflow_name, in_flight)
                        poll_failures = 0
                    except ApiError as exc:
                        poll_failures += 1
                        if poll_failures >= MAX_POLL_FAILURES:
                            abort = exc
                            break
                        self.log(f"[{scenario.name}] poll failed ({exc}); retrying")
                        states = {}
                    now = time.monotonic()
                    for execution_id, state in states.items():
                        record = in_flight.get(execution_id)
                        if record is not None and state in TERMINAL_STATES:
                            record.state = state
                            record.finished = now
                            t_end = max(t_end, now)
                            del in_flight[execution_id]
                # Top up before sleeping so a freed slot is reused right away.
                while next_index < total and len(in_flight) + len(starting) < scenario.concurrency:
                    starting.add(pool.submit(self._start, scenario, next_index))
                    next_index += 1
                if next_index >= total and not in_flight and not starting:
                    break
                if time.monotonic() > deadline:
                    timed_out = True
                    break
                now = time.monotonic()
                # Scaled to how long the oldest running execution has run, not to the
                # scenario's elapsed time: in a long closed loop of short executions a
                # delay grown with the scenario would dominate every execution's time.
                oldest = min((r.started for r in in_flight.values()), default=now)
                time.sleep(poll_delay(now - oldest, self.poll_interval, self.max_poll_interval))
        finally:
            # Let started requests land so that their executions can be
            # cancelled rather than left running behind the next scenario.
            pool.shutdown(wait=True)
            late = self._collect_started(starting, records, in_flight)
            abort = abort or late
        for record in records:
            if record.finished is not None:
                t_end = max(t_end, record.finished)

        if in_flight:
            self._cancel(scenario, list(in_flight))
        if abort is not None:
            raise ScenarioAborted(f"aborted: {abort}") from abort
        if timed_out:
            t_end = time.monotonic()
            self.log(
                f"[{scenario.name}] TIMEOUT after {self.timeout:.0f}s: "
                f"{len(in_flight)} running, {total - next_index} never started"
            )
        return records, t0, t_end

    @staticmethod
    def _collect_started(starting, records, in_flight) -> BaseException | None:
        """Move finished start requests into the bookkeeping; return an error."""
        error = None
        for future in [f for f in starting if f.done()]:
            starting.discard(future)
            exc = future.exception()
            if exc is not None:
                error = error or exc
                continue
            record = future.result()
            records.append(record)
            if record.finished is None:
                in_flight[record.execution_id] = record
        return error

    def _poll(self, workflow_name: str, in_flight: dict[str, ExecRecord]) -> dict[str, str]:
        self._polls += 1
        if self._list_polling and len(in_flight) > PER_ID_POLL_LIMIT:
            try:
                # Only the running ones: a list of every execution so far would grow
                # with the scenario and load the server more than the work measured.
                # One that has left the list is looked up once, on its own.
                states = self.client.list_execution_states(workflow_name, state="RUNNING")
                for execution_id in in_flight:
                    if execution_id not in states:
                        states[execution_id] = self.client.get_execution(
                            execution_id, fields="id,state")["state"]
                return states
            except ApiError as exc:
                if exc.status not in (400, 404, 405, 501):
                    raise
                # Some servers may not support field selection on lists;
                # per-execution GETs are heavier but always documented.
                self.log(f"listing executions failed ({exc.status}); polling one by one")
                self._list_polling = False
        return {
            execution_id: self.client.get_execution(execution_id, fields="id,state")["state"]
            for execution_id in list(in_flight)
        }

    # -- aftermath ----------------------------------------------------------

    def _cancel(self, scenario: Scenario, execution_ids: list[str]) -> None:
        for execution_id in execution_ids:
            try:
                self.client.cancel_execution(execution_id)
            except ApiError as exc:
                self.log(f"[{scenario.name}] could not cancel {execution_id}: {exc}")

    def _error_samples(self, failed: list[ExecRecord]) -> list[dict]:
        samples = []
        for record in failed[:ERROR_SAMPLES]:
            sample = {"id": record.execution_id, "state": record.state}
            try:
                body = self.client.get_execution(record.execution_id, fields="id,state,state_info")
                sample["state_info"] = body.get("state_info")
            except ApiError as exc:
                sample["state_info"] = f"(could not fetch: {exc})"
            samples.append(sample)
        return samples

    def cleanup(self, settle: float | None = None) -> None:
        """Delete what the scenarios run so far created, keeping failures.

        Called once after the last scenario rather than after each one: a
        server may still do bookkeeping for an execution it has already
        reported as finished, and deleting it under its feet produces server
        errors that have nothing to do with the benchmark.
        """
        pending, self._pending_cleanup = self._pending_cleanup, []
        if self.keep or not pending:
            return
        time.sleep(CLEANUP_SETTLE_S if settle is None else settle)
        for scenario, records, keep_workflow in pending:
            self._cleanup(scenario, records, keep_workflow)

    def _cleanup(self, scenario: Scenario, records: list[ExecRecord], keep_workflow: bool) -> None:
        """Delete one scenario's executions and workflow."""
        done = [r.execution_id for r in records if r.state == "SUCCESS"]
        try:
            with ThreadPoolExecutor(max_workers=8, thread_name_prefix="cleanup") as pool:
                list(pool.map(self.client.delete_execution, done))
            if not keep_workflow:
                self.client.delete_workflow(scenario.workflow_name)
            else:
                self.log(
                    f"[{scenario.name}] kept workflow {scenario.workflow_name} "
                    "and its failed executions for inspection"
                )
        except ApiError as exc:
            # Cleanup problems must not hide the measurements already taken.
            self.log(f"[{scenario.name}] cleanup incomplete: {exc}")
