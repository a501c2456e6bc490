"""Health and metrics of separate service processes over RabbitMQ and PostgreSQL."""

import json

import requests

from tests.integration.conftest import deployed, free_port
from tests.integration.test_distributed import WORKFLOW, _wait


def test_health_and_metrics_of_each_service():
    metrics_port = free_port()
    extra = "[metrics]\nport = %d\n" % metrics_port
    with deployed("postgresql", extra=extra) as dep:
        dep.start("engine,executor,scheduler")
        dep.start("api")
        dep.wait_api()
        root = dep.url[: -len("/v2")]
        health = requests.get(root + "/healthcheck", timeout=10)
        assert (health.status_code, health.text) == (200, "OK"), dep.logs()

        requests.post(dep.url + "/workflows", data=WORKFLOW, timeout=10,
                      headers={"Content-Type": "text/plain"}).raise_for_status()
        ex = requests.post(dep.url + "/executions", timeout=30, json={
            "workflow_name": "hello_it", "input": json.dumps({"name": "ops"})}).json()
        done = _wait(lambda: requests.get(dep.url + "/executions/" + ex["id"], timeout=5)
                     .json()["state"] == "SUCCESS", timeout=60)
        assert done, dep.logs()

        def engine_page():
            try:
                page = requests.get("http://127.0.0.1:%d/metrics" % metrics_port,
                                    timeout=5).text
            except requests.RequestException:
                return None
            wanted = ('mistral_svc_workflow_executions_finished_total{state="SUCCESS"} 1.0',
                      'mistral_svc_action_duration_seconds_count{action="std.echo"} 1.0',
                      'mistral_svc_engine_hop_seconds_count{method="start_workflow"} 1.0')
            return page if all(w in page for w in wanted) else None

        assert _wait(engine_page, timeout=20), dep.logs()
        # The API process counts what it did itself: no engine work there.
        api_page = requests.get(root + "/metrics", timeout=5).text
        assert 'method="start_workflow"' not in api_page
