"""What the conductor reads, as two protocols the engine (or a rehearsal) implements.

``ExecutionView`` is the state of the one workflow execution a step is about, read
under that execution's lock; ``Catalog`` is everything else a step may need to look up
(definitions, environments, other executions for expressions). The conductor never
reaches storage any other way, so a step is a function of what these return.

Reads must see the step's own changes: a record the conductor created (``register``)
or changed is returned as that same object by every later read of the step.
"""

from typing import Protocol

from mistral_svc.workflow import records


class LookupFailed(Exception):
    """A definition, environment or execution the step asked for does not exist."""


class ExecutionView(Protocol):
    """One workflow execution's tasks, actions and children."""

    def register(self, record: object) -> None:
        """A record created by this step (task or action of this execution)."""

    def task(self, task_ex_id: str) -> records.TaskEx:
        """A task of the execution; LookupFailed if there is none with that id."""

    def tasks(self, name: str | None = None,
              states: tuple | None = None) -> list[records.TaskEx]:
        """The execution's tasks (optionally of one name, or in ``states``), in the
        order they were created."""

    def join(self, unique_key: str) -> records.TaskEx | None:
        """The task created for ``unique_key`` (a join), or None."""

    def action(self, action_ex_id: str) -> records.ActionEx | None:
        """An action execution of this execution, or None."""

    def actions(self, task_ex_id: str) -> list[records.ActionEx]:
        """A task's action executions, in the order they were created."""

    def waiting_items(self, task_ex_id: str, limit: int) -> list[records.ActionEx]:
        """Up to ``limit`` of a with-items task's items that wait (IDLE), oldest first."""

    def children(self, task_ex_id: str) -> list[records.ChildEx]:
        """The sub-workflow executions a task started, in the order they started."""

    def incomplete_counts(self) -> dict:
        """``{state: count}`` of the execution's tasks that have not completed."""


class Catalog(Protocol):
    """Definitions and other executions."""

    def workflow(self, name: str, namespace: str, exact: bool = False) -> object:
        """A workflow definition: an object with ``id``, ``name``, ``namespace``,
        ``checksum``, ``project_id`` and ``spec()`` (its WorkflowSpec). The default
        namespace is tried after ``namespace`` unless ``exact``. LookupFailed if none."""

    def action(self, name: str, namespace: str) -> object:
        """An action an executor can run: an object with ``name``, ``is_sync``,
        ``check_input(params)`` (raises ValueError with Mistral's message),
        and ``prepare(params, evaluate)`` (the ad-hoc runtime dict, or None; raises
        ValueError for a base input that does not fit). LookupFailed if none."""

    def transform(self, outputs: list, data: object, evaluate: object) -> object:
        """An ad-hoc action's result after its ``output`` transformations (innermost
        first); ValueError if one fails."""

    def environment(self, name: str) -> dict:
        """The variables of a stored environment; LookupFailed if there is none."""

    def execution_of_task(self, task_ex_id: str) -> str | None:
        """The workflow execution id of any task execution (None if there is none)."""

    def execution(self, wf_ex_id: str) -> records.WorkflowEx:
        """Any workflow execution; LookupFailed if there is none."""

    def executions(self, filters: dict, limit: int) -> list[records.WorkflowEx]:
        """Workflow executions matching equality ``filters`` (``created_at`` may be a
        ``("gte", date)`` pair), oldest first."""

    def tasks_of(self, wf_ex_id: str | None, state: str | None) -> list[records.TaskEx]:
        """Tasks of another execution (all executions when None), optionally in one
        state."""

    def task_result(self, task_ex: records.TaskEx) -> object:
        """The result of a task of another execution, as ``task().result`` shows it."""
