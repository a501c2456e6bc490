"""The OpenAPI document of the API, and a schemathesis run of every operation in it.

The run is stateless and bounded: a fixed number of examples per operation, drawn
deterministically (derandomised hypothesis), valid ones and ones that break the
schema. Every answer must be below 500 and match the document: status, content type
and body.
"""

import hypothesis
import pytest
import schemathesis
from schemathesis import checks as base_checks
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi import checks as openapi_checks

from mistral_svc.api import openapi

EXAMPLES_PER_OPERATION = 4
CHECKS = [base_checks.not_a_server_error, openapi_checks.status_code_conformance,
          openapi_checks.content_type_conformance,
          openapi_checks.response_schema_conformance]


def test_the_document_is_served_and_covers_every_collection(api):
    doc = api.get("/v2/openapi.json")
    assert doc["openapi"].startswith("3.")
    assert doc == openapi.build()
    from mistral_svc.api.controllers.v2 import root

    collections = [n for n, v in vars(root.Controller).items()
                   if not n.startswith("_") and hasattr(v, "get_all")]
    for name in collections:
        assert "/v2/%s" % name in doc["paths"], name
    ops = {(p, v) for p, item in doc["paths"].items() for v in item}
    for op in [("/v2/executions/{id}", "put"),
               ("/v2/executions/{workflow_execution_id}/report", "get"),
               ("/v2/workflows/{identifier}", "put"), ("/v2/workflows/validate", "post"),
               ("/v2/tasks/{task_execution_id}/action_executions", "get"),
               ("/v2/workflows/{resource_id}/members/{member_id}", "delete")]:
        assert op in ops, op
    execution = doc["components"]["schemas"]["Execution"]["properties"]
    assert execution["project_id"]["readOnly"] is True
    assert execution["input"]["type"] == "string"


def test_nothing_else_answers_at_the_path(api):
    r = api.app.post("/v2/openapi.json", b"{}", expect_errors=True,
                     headers={"Content-Type": "application/json"})
    assert r.status_int == 405 and r.json["faultstring"]


def _operations(schema):
    for result in schema.get_all_operations():
        yield result.ok()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
                         ids=["valid", "invalid"])
def test_schemathesis_finds_no_5xx_and_nothing_outside_the_document(api, mode):
    schema = schemathesis.openapi.from_wsgi("/v2/openapi.json", api.app.app)
    failures = []
    seen = []
    for operation in _operations(schema):

        @hypothesis.settings(max_examples=EXAMPLES_PER_OPERATION, derandomize=True,
                             deadline=None, database=None, print_blob=False,
                             suppress_health_check=list(hypothesis.HealthCheck),
                             phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate])
        @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
        def run(case):
            seen.append(1)
            response = case.call()
            try:
                case.validate_response(response, checks=CHECKS)
            except Exception as e:  # noqa: BLE001 - schemathesis' failures, collected
                failures.append("%s %s: %s" % (case.method, case.formatted_path,
                                               str(e)[:600]))

        try:
            run()
        except hypothesis.errors.Unsatisfiable:
            pass
    assert len(seen) > 0
    assert not failures, "\n\n".join(failures[:10])
