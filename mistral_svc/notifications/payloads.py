"""What a notification says about a workflow or a task execution (Mistral's fields)."""

import datetime


def _date(value):
    return value.strftime("%Y-%m-%d %H:%M:%S") if isinstance(value, datetime.datetime) \
        else value


def workflow(wf_ex, state):
    """The payload of a workflow event; ``state`` is the state the event is about."""
    return {
        "id": wf_ex.id,
        "name": wf_ex.name,
        "workflow_name": wf_ex.workflow_name,
        "workflow_namespace": wf_ex.workflow_namespace,
        "workflow_id": wf_ex.workflow_id,
        "root_execution_id": wf_ex.root_execution_id,
        "state": state,
        "state_info": wf_ex.state_info,
        "project_id": wf_ex.project_id,
        "task_execution_id": wf_ex.task_execution_id,
        "params": wf_ex.params or {},
        "created_at": _date(wf_ex.created_at),
        "updated_at": _date(wf_ex.updated_at),
    }


def task(task_ex, state):
    """The payload of a task event."""
    return {
        "id": task_ex.id,
        "name": task_ex.name,
        "workflow_execution_id": task_ex.workflow_execution_id,
        "workflow_name": task_ex.workflow_name,
        "workflow_namespace": task_ex.workflow_namespace,
        "workflow_id": task_ex.workflow_id,
        "state": state,
        "state_info": task_ex.state_info,
        "type": task_ex.type,
        "project_id": task_ex.project_id,
        "created_at": _date(task_ex.created_at),
        "updated_at": _date(task_ex.updated_at),
        "started_at": _date(task_ex.started_at),
        "finished_at": _date(task_ex.finished_at),
    }
