"""tools/bench --floor against the real broker and database."""

import json
import subprocess
import sys
from pathlib import Path

from tests.integration.conftest import require

BENCH = Path(__file__).resolve().parents[2] / "tools" / "bench"


def test_floor_measures_broker_database_and_http():
    require("rabbitmq", "postgresql")
    done = subprocess.run([sys.executable, str(BENCH), "--floor", "--json", "-"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    measured = json.loads(done.stdout)["floor"]
    for key in ("cast_round_trip_p50_s", "calls_per_s", "hop_transaction_p50_s",
                "http_requests_per_s"):
        assert measured[key] > 0, key
    # The hop floor is what a chain hop needs at least: both parts, added.
    assert measured["chain_hop_floor_s"] == (
        measured["cast_round_trip_p50_s"] + measured["hop_transaction_p50_s"])
    assert measured["chain20_floor_s"] == 20 * measured["chain_hop_floor_s"]
