"""Command line of ``tools/bench``."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import sys
from pathlib import Path

from . import report
from .client import DEFAULT_URL, ApiError, MistralClient
from .rss import RssMonitor, parse_pid_spec
from .runner import Runner, ScenarioAborted
from .scenarios import (
    DEFAULT_SCENARIOS,
    SCENARIO_NAMES,
    Options,
    build_scenario,
    make_run_id,
    parse_scenario_list,
    warmup_scenario,
)
from .stats import summarize
from .upstream import (
    UPSTREAM_VERSION,
    UpstreamError,
    UpstreamServer,
    UpstreamSettings,
    default_workdir,
)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_SETUP = 2


def log(message: str) -> None:
    """Progress messages go to stderr so that stdout stays parseable."""
    print(message, file=sys.stderr, flush=True)


def build_parser() -> argparse.ArgumentParser:
    """Argument parser for the benchmark."""
    p = argparse.ArgumentParser(
        prog="bench",
        description="Benchmark a Mistral-compatible service over its REST API v2.",
        epilog=f"Scenarios: {', '.join(SCENARIO_NAMES)}. "
        f"Default set: {','.join(DEFAULT_SCENARIOS)}.",
    )
    p.add_argument(
        "--url",
        default=os.environ.get("MISTRAL_URL", DEFAULT_URL),
        help="API v2 base URL (default: %(default)s)",
    )
    p.add_argument(
        "--auth-token",
        default=os.environ.get("OS_AUTH_TOKEN"),
        help="Keystone token sent as X-Auth-Token (default: $OS_AUTH_TOKEN)",
    )
    p.add_argument(
        "--scenarios",
        default="default",
        help="comma list of scenarios, 'default' or 'all' (default: %(default)s)",
    )
    p.add_argument(
        "--executions",
        type=int,
        default=50,
        help="executions of the 'single' scenario (default: %(default)s)",
    )
    p.add_argument(
        "--concurrency",
        type=int,
        default=10,
        help="executions kept in flight at once (default: %(default)s)",
    )
    p.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="executions of each shape scenario such as chain20 (default: 1)",
    )
    p.add_argument(
        "--warmup",
        type=int,
        default=5,
        help="untimed executions of a small workflow before the first scenario "
        "(default: %(default)s; 0 for none)",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=600.0,
        help="per-scenario time limit in seconds (default: %(default)s)",
    )
    p.add_argument(
        "--poll-interval",
        type=float,
        default=0.01,
        help="shortest delay between state polls (default: %(default)s)",
    )
    p.add_argument(
        "--max-poll-interval",
        type=float,
        default=0.5,
        help="upper bound of the poll delay, which grows with elapsed time (default: %(default)s)",
    )
    p.add_argument("--quick", action="store_true", help="shrink every scenario for a smoke test")
    p.add_argument(
        "--json",
        nargs="?",
        const="-",
        metavar="FILE",
        help="write results as JSON to FILE, or to stdout instead of tables",
    )
    p.add_argument(
        "--pids",
        "--rss-pids",
        dest="pids",
        metavar="NAME=PID[+],...",
        help="sample peak RSS of these processes; '+' includes descendants",
    )
    p.add_argument(
        "--keep", action="store_true", help="do not delete workflows and executions afterwards"
    )
    p.add_argument(
        "--label",
        default="mistral-svc",
        help="name of the server under test in the output (default: %(default)s)",
    )
    p.add_argument("--list", action="store_true", help="print the scenarios and exit")
    p.add_argument(
        "--floor",
        action="store_true",
        help="measure the stack's own floor (a bare oslo.messaging round trip over "
        "--transport-url, a hop-shaped PostgreSQL transaction, a bare pecan/WSME request) "
        "and the largest ratios against upstream it allows (with --compare-json), then exit",
    )
    p.add_argument(
        "--floor-db",
        default="host=127.0.0.1 user=postgres dbname=postgres",
        help="libpq connection string for --floor (default: %(default)s)",
    )

    up = p.add_argument_group("comparison with upstream Mistral")
    up.add_argument(
        "--compare-upstream",
        action="store_true",
        help="install, start and benchmark upstream Mistral too, then compare",
    )
    up.add_argument(
        "--upstream-url", help="compare with an upstream server already running at this URL"
    )
    up.add_argument(
        "--compare-json", metavar="FILE", help="compare with results saved earlier by --json FILE"
    )
    up.add_argument(
        "--upstream-version",
        default=UPSTREAM_VERSION,
        help="mistral version from PyPI (default: %(default)s)",
    )
    up.add_argument(
        "--upstream-dir",
        type=Path,
        help="work directory for its virtualenv, config and log "
        "(default: ~/.cache/mistral-bench/upstream)",
    )
    up.add_argument(
        "--upstream-port",
        type=int,
        default=8990,
        help="API port of the upstream server (default: %(default)s)",
    )
    up.add_argument(
        "--upstream-db-name",
        default="mistral_upstream",
        help="PostgreSQL database for it (default: %(default)s)",
    )
    up.add_argument(
        "--upstream-fresh-db", action="store_true", help="drop and recreate that database first"
    )
    up.add_argument(
        "--upstream-constraints",
        metavar="FILE_OR_URL",
        help="pip constraints file (e.g. OpenStack upper-constraints)",
    )
    up.add_argument(
        "--transport-url",
        default="rabbit://guest:guest@127.0.0.1:5672/",
        help="RabbitMQ URL for the upstream server and --floor (default: %(default)s)",
    )
    return p


def validate(args: argparse.Namespace) -> list[str]:
    """Check option values; returns the scenario names to run."""
    for name in ("executions", "concurrency", "repeat"):
        if getattr(args, name) < 1:
            raise ValueError(f"--{name} must be at least 1")
    if args.warmup < 0:
        raise ValueError("--warmup must not be negative")
    if args.timeout <= 0 or args.poll_interval <= 0:
        raise ValueError("--timeout and --poll-interval must be positive")
    names = parse_scenario_list(args.scenarios)
    if not names:
        raise ValueError("no scenarios selected")
    others = [args.compare_upstream, bool(args.upstream_url), bool(args.compare_json)]
    if sum(others) > 1:
        raise ValueError("use only one of --compare-upstream, --upstream-url, --compare-json")
    return names


def run_one(runner: Runner, scenario) -> dict:
    """Run one scenario; an aborted scenario becomes a failed result record."""
    try:
        return runner.run(scenario)
    except (ScenarioAborted, ApiError) as exc:
        log(f"[{scenario.name}] {exc}")
        failed = summarize(
            name=scenario.name,
            shape=scenario.shape,
            executions=scenario.executions,
            concurrency=scenario.concurrency,
            actions=None,
            wall_s=None,
            durations=[],
            finish_offsets=[],
            errors=0,
            timeouts=scenario.executions,
        )
        failed["aborted"] = str(exc).removeprefix("aborted: ")
        return failed


def run_suite(
    url: str,
    names: list[str],
    args: argparse.Namespace,
    run_id: str,
    label: str,
    rss_pids: dict | None,
) -> dict:
    """Run the scenarios against one server; returns a run document."""
    client = MistralClient(url, auth_token=args.auth_token, pool_size=max(32, args.concurrency))
    client.ping()
    opts = Options(
        executions=args.executions,
        concurrency=args.concurrency,
        repeat=args.repeat,
        quick=args.quick,
    )
    monitor = RssMonitor(rss_pids) if rss_pids else None
    runner = Runner(
        client,
        timeout=args.timeout,
        poll_interval=args.poll_interval,
        max_poll_interval=args.max_poll_interval,
        keep=args.keep,
        rss=monitor,
        log=log,
    )
    results = []
    started_at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    log(f"== {label}: {url}")
    try:
        if args.warmup > 0:
            warm = run_one(runner, warmup_scenario(run_id, args.warmup))
            if warm.get("errors") or warm.get("timeouts") or warm.get("aborted"):
                log(f"warm-up did not succeed: {warm.get('aborted') or 'failed executions'}")
        for name in names:
            results.append(run_one(runner, build_scenario(name, run_id, opts)))
    finally:
        runner.cleanup()
    return {
        "label": label,
        "url": url,
        "run_id": run_id,
        "started_at": started_at,
        "options": {
            "quick": args.quick,
            "executions": args.executions,
            "concurrency": args.concurrency,
            "repeat": args.repeat,
            "warmup": args.warmup,
            "timeout": args.timeout,
            "poll_interval": args.poll_interval,
            "max_poll_interval": args.max_poll_interval,
        },
        "results": results,
    }


def upstream_settings(args: argparse.Namespace) -> UpstreamSettings:
    """Settings for the reference server from the command line."""
    return UpstreamSettings(
        workdir=args.upstream_dir or default_workdir(),
        version=args.upstream_version,
        port=args.upstream_port,
        transport_url=args.transport_url,
        db_name=args.upstream_db_name,
        fresh_db=args.upstream_fresh_db,
        constraints=args.upstream_constraints,
    )


def run_reference(args, names, run_id) -> dict | None:
    """The result set to compare with, if any was asked for."""
    if args.compare_json:
        label, results = report.load_results(args.compare_json)
        return {"label": label, "url": None, "results": results}
    if args.upstream_url:
        return run_suite(args.upstream_url, names, args, run_id, "upstream", None)
    if args.compare_upstream:
        with UpstreamServer(upstream_settings(args), log) as server:
            # The server's process tree is known here, so its memory is
            # always sampled; it forks workers, hence the whole tree.
            pids = {"upstream": (server.pid, True)}
            return run_suite(server.url, names, args, run_id, "upstream", pids)
    return None


def has_failures(run: dict) -> bool:
    """True if any execution errored, timed out or a scenario aborted."""
    return any(r.get("errors") or r.get("timeouts") or r.get("aborted") for r in run["results"])


def _terminate(signum, frame) -> None:
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit status."""
    args = build_parser().parse_args(argv)
    if args.list:
        opts = Options(args.executions, args.concurrency, args.repeat, args.quick)
        for name in SCENARIO_NAMES:
            s = build_scenario(name, "x", opts)
            mark = "*" if name in DEFAULT_SCENARIOS else " "
            print(f"{mark} {name:<15} {s.shape:<24} executions={s.executions}")
        return EXIT_OK
    if args.floor:
        return _floor(args)
    try:
        names = validate(args)
        rss_pids = parse_pid_spec(args.pids) if args.pids else None
    except ValueError as exc:
        log(f"bench: {exc}")
        return EXIT_SETUP

    # Turn SIGTERM into an exception so that context managers still run and
    # a reference server started here is not left behind.
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        return _run(args, names, rss_pids)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _floor(args: argparse.Namespace) -> int:
    """``--floor``: measure, print, and compare with a saved upstream run if given."""
    from . import floor

    reference = None
    try:
        if args.compare_json:
            reference = floor.upstream_figures(report.load_results(args.compare_json)[1])
        measured = floor.measure(args.transport_url, args.floor_db)
    except Exception as exc:  # noqa: BLE001 - broker, database or file: say which, exit 2
        log(f"bench: floor not measured: {type(exc).__name__}: {exc}")
        return EXIT_SETUP
    if args.json:
        doc = json.dumps({"floor": measured, "upstream": reference}, indent=2)
        if args.json == "-":
            print(doc)
            return EXIT_OK
        Path(args.json).write_text(doc + "\n", encoding="utf-8")
    print(floor.text_report(measured, reference))
    return EXIT_OK


def _run(args: argparse.Namespace, names: list[str], rss_pids: dict | None) -> int:
    """Run, compare and print; returns the exit status."""
    run_id = make_run_id()
    try:
        ours = run_suite(args.url, names, args, run_id, args.label, rss_pids)
    except (ApiError, OSError) as exc:
        log(f"bench: {exc}")
        return EXIT_SETUP
    runs = {ours["label"]: ours}
    status = EXIT_OK
    try:
        reference = run_reference(args, names, run_id)
    except (ApiError, UpstreamError, OSError, ValueError) as exc:
        # Keep the results already measured; only the comparison is lost.
        log(f"bench: no comparison: {exc}")
        reference, status = None, EXIT_SETUP
    comparison = None
    if reference is not None:
        if reference["label"] in runs:
            reference["label"] += " (reference)"
        runs[reference["label"]] = reference
        comparison = report.comparison_rows(ours["results"], reference["results"])

    if args.json:
        doc = report.json_document(runs, comparison)
        if args.json == "-":
            print(doc)
        else:
            Path(args.json).write_text(doc + "\n", encoding="utf-8")
    if args.json != "-":
        for run in runs.values():
            title = f"{run['label']} ({run['url']})" if run.get("url") else run["label"]
            print(report.text_report(run["results"], title=title))
            print()
        if reference is not None:
            labels = (ours["label"], reference["label"])
            print(report.comparison_table(ours["results"], reference["results"], labels))

    failed = [label for label, run in runs.items() if run.get("url") and has_failures(run)]
    if failed and args.json == "-":
        # Tables were not printed, but failures must not go unnoticed.
        for run in runs.values():
            for line in report.failure_lines(run["results"]):
                log(line)
    if failed:
        log(f"bench: FAILED executions in {', '.join(failed)} (see above)")
        return EXIT_FAILED
    return status
