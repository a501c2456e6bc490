"""/metrics adds up the processes that share PROMETHEUS_MULTIPROC_DIR."""

import os
import subprocess
import sys

_OBSERVE = ("from mistral_svc import metrics; "
            "metrics.ACTION_SECONDS.labels(action='std.noop').observe(0.01); "
            "metrics.RPC_ERRORS.labels(service='engine', method='m', kind='send').inc()")
_EXPOSE = "from mistral_svc import metrics; print(metrics.exposition()[0].decode())"


def _run(code, env):
    return subprocess.run([sys.executable, "-c", code], env=env, check=True,
                          capture_output=True, text=True, timeout=60).stdout


def test_two_processes_one_page(tmp_path):
    env = dict(os.environ, PROMETHEUS_MULTIPROC_DIR=str(tmp_path))
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))))
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    _run(_OBSERVE, env)
    _run(_OBSERVE, env)
    page = _run(_EXPOSE, env)
    assert 'mistral_svc_action_duration_seconds_count{action="std.noop"} 2.0' in page
    assert ('mistral_svc_rpc_errors_total{kind="send",method="m",service="engine"} 2.0'
            in page)
