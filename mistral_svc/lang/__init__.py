"""The workflow language v2: parsing, schemas, normalised specs and validation."""

from mistral_svc.lang.errors import DSLError
from mistral_svc.lang.parser import parse_actions, parse_workbook, parse_workflows
from mistral_svc.lang.spec import (
    TaskSpec,
    WorkflowSpec,
    checksum,
    input_string,
    workflow_input_string,
    workflow_spec,
)

__all__ = [
    "DSLError",
    "TaskSpec",
    "WorkflowSpec",
    "checksum",
    "input_string",
    "parse_actions",
    "parse_workbook",
    "parse_workflows",
    "workflow_input_string",
    "workflow_spec",
]
