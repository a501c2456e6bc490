"""Unit tests for the pure parts of tools/bench (tools/benchlib)."""

import configparser
import itertools
import json
import os
import sys
from pathlib import Path

import pytest
import yaml

TOOLS_DIR = Path(__file__).resolve().parents[3] / "tools"
sys.path.insert(0, str(TOOLS_DIR))

from benchlib import report, rss, scenarios, stats, upstream  # noqa: E402
from benchlib.runner import poll_delay  # noqa: E402

FULL_TASKS = {
    "single": 1,
    "chain20": 20,
    "fanout50": 52,
    "join100": 102,
    "join500": 502,
    "with_items100": 1,
    "with_items500": 1,
    "with_items5000": 1,
    "params4mb": 30,
    "fairness100": 10,
}

FULL_ACTIONS = {
    "single": 1,
    "chain20": 20,
    "fanout50": 52,
    "join100": 102,
    "join500": 502,
    "with_items100": 100,
    "with_items500": 500,
    "with_items5000": 5000,
    "params4mb": 30,
    "fairness100": 10,
}


def load(text):
    # The C loader keeps the 500-branch definitions quick to parse.
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def build(name, **kw):
    return scenarios.build_scenario(name, "r1", scenarios.Options(**kw))


# -- scenarios ----------------------------------------------------------------


@pytest.mark.parametrize("name", scenarios.SCENARIO_NAMES)
def test_definition_is_dsl_v2_with_expected_task_count(name):
    sc = build(name)
    doc = load(sc.definition)
    assert doc["version"] == "2.0"
    assert list(doc) == ["version", sc.workflow_name]
    assert scenarios.count_tasks(sc.definition, sc.workflow_name) == FULL_TASKS[name]
    assert sc.task_count == FULL_TASKS[name]
    assert sc.actions_per_execution == FULL_ACTIONS[name]


@pytest.mark.parametrize("name", scenarios.SCENARIO_NAMES)
def test_quick_scenarios_are_smaller_and_valid(name):
    full, quick = build(name), build(name, quick=True)
    assert scenarios.count_tasks(quick.definition, quick.workflow_name) == quick.task_count
    assert quick.total_actions <= full.total_actions
    if name != "single":
        assert quick.total_actions < full.total_actions


@pytest.mark.parametrize("name", scenarios.SCENARIO_NAMES)
def test_definitions_have_no_yaml_aliases(name):
    # Upstream Mistral refuses definitions that use anchors and aliases.
    sc = build(name, quick=True)
    assert "&id" not in sc.definition
    assert "*id" not in sc.definition


def test_chain_links_every_task_to_the_next():
    tasks = load(build("chain20").definition)["bench_chain20_r1"]["tasks"]
    names = list(tasks)
    for current, following in itertools.pairwise(names):
        assert tasks[current]["on-success"] == [following]
        assert tasks[current]["action"] == "std.noop"
    assert "on-success" not in tasks[names[-1]]


def test_fanout_branches_meet_in_full_join():
    tasks = load(build("join100").definition)["bench_join100_r1"]["tasks"]
    branches = tasks["start"]["on-success"]
    assert len(branches) == 100 and len(set(branches)) == 100
    for branch in branches:
        assert tasks[branch]["on-success"] == ["gather"]
    assert tasks["gather"]["join"] == "all"


def test_with_items_concurrency_only_where_asked():
    limited = load(build("with_items100").definition)
    task = limited["bench_with_items100_r1"]["tasks"]["each"]
    assert task["concurrency"] == 10
    assert task["with-items"] == "i in <% $.items %>"
    unlimited = load(build("with_items500").definition)
    assert "concurrency" not in unlimited["bench_with_items500_r1"]["tasks"]["each"]
    assert build("with_items5000").workflow_input["items"] == list(range(5000))


def test_params_scenario_passes_the_blob_to_every_task():
    sc = build("params4mb")
    tasks = load(sc.definition)[sc.workflow_name]["tasks"]
    for body in tasks.values():
        assert body["action"] == "std.echo"
        assert body["input"] == {"output": "<% $.blob %>"}
        assert body["keep-result"] is False
    blob = json.loads(sc.input_json())["blob"]
    assert len(blob) == 4 * 1024 * 1024
    assert blob.isascii()
    # Cached: the same object is returned, not re-encoded.
    assert sc.input_json() is sc.input_json()


def test_blob_is_exact_size_and_not_trivially_compressible():
    blob = scenarios.make_blob(1000)
    assert len(blob) == 1000
    assert len(set(blob)) > 30


def test_execution_counts_follow_options():
    assert build("single", executions=7).executions == 7
    assert build("single", executions=7, concurrency=3).concurrency == 3
    assert build("single", executions=2, concurrency=10).concurrency == 2
    assert build("chain20", repeat=4).executions == 4
    fair = build("fairness100")
    assert fair.executions == 100 and fair.concurrency == 100
    assert fair.total_actions == 1000
    assert build("single").report_actions is False


def test_workflow_names_are_unique_per_run():
    a = scenarios.build_scenario("single", scenarios.make_run_id(), scenarios.Options())
    b = scenarios.build_scenario("single", scenarios.make_run_id(), scenarios.Options())
    assert a.workflow_name != b.workflow_name


def test_parse_scenario_list():
    assert scenarios.parse_scenario_list("default") == list(scenarios.DEFAULT_SCENARIOS)
    assert scenarios.parse_scenario_list("all") == list(scenarios.SCENARIO_NAMES)
    assert scenarios.parse_scenario_list("chain20, single,chain20") == ["chain20", "single"]
    with pytest.raises(ValueError, match="nope"):
        scenarios.parse_scenario_list("single,nope")
    with pytest.raises(ValueError):
        scenarios.build_scenario("nope", "r", scenarios.Options())


# -- stats --------------------------------------------------------------------


def test_percentile_interpolates_like_numpy():
    data = list(range(1, 11))
    assert stats.percentile(data, 50) == pytest.approx(5.5)
    assert stats.percentile(data, 95) == pytest.approx(9.55)
    assert stats.percentile(data, 0) == 1
    assert stats.percentile(data, 100) == 10
    assert stats.percentile(reversed(data), 50) == pytest.approx(5.5)
    assert stats.percentile([3.0], 95) == 3.0
    assert stats.percentile([], 50) is None
    with pytest.raises(ValueError):
        stats.percentile(data, 101)


def test_spread_and_rate():
    assert stats.spread([]) == {"min": None, "p50": None, "p95": None, "max": None}
    s = stats.spread([4.0, 1.0, 2.0, 3.0])
    assert (s["min"], s["p50"], s["max"]) == (1.0, 2.5, 4.0)
    assert stats.rate(10, 2.0) == 5.0
    assert stats.rate(10, 0) is None
    assert stats.rate(10, None) is None


def test_summarize_counts_only_successful_work():
    r = stats.summarize(
        name="x",
        shape="s",
        executions=4,
        concurrency=2,
        actions=10,
        wall_s=2.0,
        durations=[1.0, 1.0, 1.5, 2.0],
        finish_offsets=[1.0, 1.2, 1.8, 2.0],
        errors=1,
        timeouts=0,
    )
    assert r["executions_per_s"] == pytest.approx(1.5)
    assert r["actions_per_s"] == pytest.approx(15.0)
    assert r["p50_s"] == pytest.approx(1.25)
    assert r["finish_from_start"]["max"] == 2.0
    assert r["errors"] == 1
    no_actions = stats.summarize(
        name="x", shape="s", executions=1, concurrency=1, actions=None, wall_s=1.0,
        durations=[1.0], finish_offsets=[1.0], errors=0, timeouts=0,
    )  # fmt: skip
    assert no_actions["actions_per_s"] is None


def test_poll_delay_grows_with_elapsed_time_within_bounds():
    assert poll_delay(0.0, 0.1, 0.5) == 0.1
    assert poll_delay(10.0, 0.1, 0.5) == pytest.approx(0.2)
    assert poll_delay(1000.0, 0.1, 0.5) == 0.5


# -- report -------------------------------------------------------------------


def result(name, aps=100.0, eps=10.0, p50=0.5, p95=0.9, wall=2.0, execs=10, **extra):
    base = {
        "scenario": name,
        "shape": "shape",
        "executions": execs,
        "concurrency": 5,
        "actions_per_s": aps,
        "executions_per_s": eps,
        "p50_s": p50,
        "p95_s": p95,
        "wall_s": wall,
        "errors": 0,
        "timeouts": 0,
        "finish_from_start": {"min": 0.2, "p50": 1.0, "p95": 1.8, "max": 2.0},
    }
    base.update(extra)
    return base


def test_format_table_aligns_columns():
    text = report.format_table(("name", "n"), [("a", "1"), ("long", "100")])
    lines = text.splitlines()
    assert lines[0] == "name    n"
    assert lines[1] == "----  ---"
    assert lines[2] == "a       1"
    assert lines[3] == "long  100"
    with pytest.raises(ValueError):
        report.format_table(("a", "b"), [("only one",)])


def test_number_formatting():
    assert report.fmt_rate(None) == "-"
    assert report.fmt_rate(1234.6) == "1235"
    assert report.fmt_rate(12.34) == "12.3"
    assert report.fmt_rate(1.234) == "1.23"
    assert report.fmt_secs(0.01234) == "0.012"
    assert report.fmt_secs(12.345) == "12.35"
    assert report.fmt_secs(123.45) == "123.5"
    assert report.fmt_ratio(2) == "2.00x"
    assert report.fmt_mib(2048) == "2.0"


def test_speedup_direction():
    assert report.speedup(200.0, 100.0, higher_is_better=True) == 2.0
    assert report.speedup(1.0, 4.0, higher_is_better=False) == 4.0
    assert report.speedup(None, 1.0, True) is None
    assert report.speedup(1.0, 0.0, True) is None
    assert report.speedup(0.0, 1.0, False) is None


def test_comparison_pairs_common_scenarios():
    ours = [result("chain20", aps=300.0, p50=0.25), result("single", aps=None)]
    theirs = [result("chain20", aps=100.0, p50=1.0), result("fanout50")]
    rows = report.comparison_rows(ours, theirs)
    assert {r["scenario"] for r in rows} == {"chain20"}
    by_key = {r["key"]: r for r in rows}
    assert by_key["actions_per_s"]["speedup"] == pytest.approx(3.0)
    assert by_key["p50_s"]["speedup"] == pytest.approx(4.0)
    assert by_key["wall_s"]["speedup"] == pytest.approx(1.0)
    single_run = report.comparison_rows([result("c", execs=1)], [result("c", execs=1)])
    assert [r["key"] for r in single_run] == ["actions_per_s", "wall_s"]
    text = report.comparison_table(ours, theirs, ("svc", "up"))
    assert "3.00x" in text and "4.00x" in text
    assert text.splitlines()[0].split() == ["scenario", "metric", "svc", "up", "speedup"]


def test_results_and_extra_tables():
    results = [
        result("single", aps=None),
        result("chain20", execs=1, rss={"api": {"pid": 42, "peak_kib": 10240, "hwm_kib": None}}),
    ]
    table = report.results_table(results)
    assert "single" in table and "chain20" in table
    assert table.splitlines()[2].split()[4] == "-"  # no actions/s for single
    spread = report.spread_table(results)
    assert "single" in spread and "chain20" not in spread
    assert report.spread_table([result("chain20", execs=1)]) is None
    assert "api (42)" in report.rss_table(results)
    assert report.rss_table([result("single")]) is None


def test_failure_lines():
    ok = result("single")
    bad = result(
        "chain20", errors=2, timeouts=1,
        error_samples=[{"id": "e1", "state": "ERROR", "state_info": "boom"}],
    )  # fmt: skip
    aborted = result("fanout50", aborted="HTTP 500")
    lines = report.failure_lines([ok, bad, aborted])
    assert lines[0].startswith("FAILED chain20: 2")
    assert "boom" in lines[1]
    assert any("did not finish" in line for line in lines)
    assert any("aborted: HTTP 500" in line for line in lines)
    assert "FAILED" in report.text_report([bad])


def test_json_roundtrip(tmp_path):
    results = [result("chain20")]
    doc = report.json_document({"svc": {"url": "u", "results": results}}, comparison=[])
    path = tmp_path / "r.json"
    path.write_text(doc)
    label, loaded = report.load_results(str(path))
    assert label == "svc" and loaded == results
    path.write_text(json.dumps(results))
    assert report.load_results(str(path))[1] == results


def test_saved_comparison_gives_its_upstream_run(tmp_path):
    ours, theirs = [result("chain20")], [result("chain20", wall=9.0)]
    runs = {"svc": {"url": "u", "results": ours}, "upstream": {"url": "v", "results": theirs}}
    path = tmp_path / "r.json"
    path.write_text(report.json_document(runs, comparison=[]))
    assert report.load_results(str(path)) == ("upstream", theirs)


# -- rss ----------------------------------------------------------------------


def test_parse_pid_spec():
    spec = rss.parse_pid_spec("api=12, engine=34+,56")
    assert spec == {"api": (12, False), "engine": (34, True), "56": (56, False)}
    with pytest.raises(ValueError):
        rss.parse_pid_spec("api=abc")


def fake_proc(root: Path, pid: int, ppid: int, rss_kib: int, hwm_kib: int) -> None:
    d = root / str(pid)
    d.mkdir()
    (d / "stat").write_text(f"{pid} (a name) S {ppid} 1 1 0\n")
    (d / "status").write_text(f"Name:\tx\nVmHWM:\t  {hwm_kib} kB\nVmRSS:\t  {rss_kib} kB\n")


def test_proc_reading_with_fake_tree(tmp_path):
    fake_proc(tmp_path, 10, 1, 100, 150)
    fake_proc(tmp_path, 11, 10, 20, 20)
    fake_proc(tmp_path, 12, 11, 5, 5)
    fake_proc(tmp_path, 13, 1, 7, 7)
    assert rss.read_status_kib(10, "VmHWM", proc=str(tmp_path)) == 150
    assert rss.read_status_kib(99, "VmHWM", proc=str(tmp_path)) is None
    assert sorted(rss.descendants(10, proc=str(tmp_path))) == [11, 12]


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs Linux /proc")
def test_monitor_samples_own_process():
    monitor = rss.RssMonitor({"me": (os.getpid(), True)}, interval=0.01)
    monitor.start()
    data = monitor.stop()["me"]
    assert data["pid"] == os.getpid()
    assert data["peak_kib"] > 0 and data["hwm_kib"] > 0


# -- upstream -----------------------------------------------------------------


def test_upstream_config_has_what_the_server_needs(tmp_path):
    settings = upstream.UpstreamSettings(workdir=tmp_path, port=8990)
    parser = configparser.ConfigParser()
    parser.read_string(upstream.render_config(settings))
    assert parser["DEFAULT"]["transport_url"] == "rabbit://guest:guest@127.0.0.1:5672/"
    assert parser["database"]["connection"] == (
        "postgresql+psycopg2://postgres@127.0.0.1/mistral_upstream"
    )
    assert parser["pecan"]["auth_enable"] == "False"
    assert parser["api"]["port"] == "8990"
    assert parser["engine"]["execution_field_size_limit_kb"] == "-1"
    # Own RPC topics, so it cannot consume another server's queues.
    topics = {parser[s]["topic"] for s in ("engine", "executor", "event_engine", "notifier")}
    assert len(topics) == 4 and not topics & {"mistral_engine", "mistral_executor"}
    assert settings.api_url == "http://127.0.0.1:8990/v2"
    assert settings.bin("mistral-server") == tmp_path / "venv" / "bin" / "mistral-server"
