"""tools/bench --floor: the report of the stack's floor and the ratios it allows."""

import json
import sys
from pathlib import Path

TOOLS_DIR = Path(__file__).resolve().parents[3] / "tools"
sys.path.insert(0, str(TOOLS_DIR))

from benchlib import cli, floor  # noqa: E402

MEASURED = {
    "cast_round_trip_p50_s": 0.002, "cast_round_trip_min_s": 0.0015,
    "calls_per_s": 600.0, "callers": 10, "hop_transaction_p50_s": 0.001,
    "http_requests_per_s": 800.0, "http_clients": 10,
    "chain_hop_floor_s": 0.003, "chain20_floor_s": 0.06,
    "single_ceiling_execs_per_s": 1 / (2 / 600.0 + 2 / 800.0),
}


def test_ratios_against_upstream_are_its_figures_over_the_floor():
    text = floor.text_report(MEASURED, {"chain20_s": 1.2, "single_execs_per_s": 10.0})
    assert "chain20 floor" in text and "0.060 s" in text
    assert "20.0x" in text  # 1.2 s / 0.06 s
    assert "17.1x" in text  # 171 execs/s / 10


def test_without_upstream_figures_no_ratio_is_claimed():
    for reference in (None, {}, {"chain20_s": None}):
        assert "largest possible" not in floor.text_report(MEASURED, reference)
    only_chain = floor.text_report(MEASURED, {"chain20_s": 1.2})
    assert "chain20 ratio" in only_chain and "single ratio" not in only_chain


def test_upstream_figures_come_from_a_saved_run():
    results = [
        {"scenario": "single", "executions_per_s": 8.5, "p50_s": 1.1},
        {"scenario": "chain20", "executions_per_s": 0.8, "p50_s": 1.25},
        {"scenario": "fanout50", "p50_s": 9.0},
    ]
    assert floor.upstream_figures(results) == {"chain20_s": 1.25, "single_execs_per_s": 8.5}
    # An aborted scenario has no figures: nothing is made up for it.
    assert floor.upstream_figures([{"scenario": "chain20", "p50_s": None}]) == {}


def test_floor_with_an_unreadable_reference_exits_with_setup_status(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"runs": {}}))
    assert cli.main(["--floor", "--compare-json", str(bad)]) == cli.EXIT_SETUP
    assert "floor not measured" in capsys.readouterr().err
