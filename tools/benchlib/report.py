"""Text tables and JSON documents for benchmark results."""

from __future__ import annotations

import json
from collections.abc import Sequence

# (result key, label, higher_is_better) for the comparison table.
COMPARED_METRICS = (
    ("actions_per_s", "actions/s", True),
    ("executions_per_s", "executions/s", True),
    ("p50_s", "p50 s", False),
    ("p95_s", "p95 s", False),
    ("wall_s", "wall s", False),
)

MIB = 1024.0


def fmt_rate(value: float | None) -> str:
    """Format a per-second rate with precision that suits its magnitude."""
    if value is None:
        return "-"
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def fmt_secs(value: float | None) -> str:
    """Format a duration in seconds."""
    if value is None:
        return "-"
    if value < 1:
        return f"{value:.3f}"
    if value < 100:
        return f"{value:.2f}"
    return f"{value:.1f}"


def fmt_ratio(value: float | None) -> str:
    """Format a ratio as ``1.23x``."""
    return "-" if value is None else f"{value:.2f}x"


def fmt_mib(kib: int | None) -> str:
    """Format a KiB value from /proc as MiB."""
    return "-" if kib is None else f"{kib / MIB:.1f}"


def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]], left: int = 1) -> str:
    """Align ``rows`` under ``headers``.

    The first ``left`` columns (names) are left-aligned, the rest (numbers)
    right-aligned so that digits line up.
    """
    widths = [len(h) for h in headers]
    for row in rows:
        if len(row) != len(headers):
            raise ValueError(f"row has {len(row)} cells, expected {len(headers)}")
        widths = [max(w, len(str(cell))) for w, cell in zip(widths, row)]

    def line(cells) -> str:
        parts = [
            str(c).ljust(w) if i < left else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths))
        ]
        return "  ".join(parts).rstrip()

    out = [line(headers), "  ".join("-" * w for w in widths)]
    out.extend(line(row) for row in rows)
    return "\n".join(out)


def results_table(results: Sequence[dict]) -> str:
    """The main table: one row per scenario.

    "setup s" is the time taken to upload the workflow definition; it is
    not part of the wall time or of the rates.
    """
    headers = (
        "scenario",
        "shape",
        "execs",
        "conc",
        "actions/s",
        "execs/s",
        "p50 s",
        "p95 s",
        "wall s",
        "setup s",
        "errors",
        "timeouts",
    )
    rows = [
        (
            r["scenario"],
            r.get("shape", ""),
            str(r["executions"]),
            str(r["concurrency"]),
            fmt_rate(r.get("actions_per_s")),
            fmt_rate(r.get("executions_per_s")),
            fmt_secs(r.get("p50_s")),
            fmt_secs(r.get("p95_s")),
            fmt_secs(r.get("wall_s")),
            fmt_secs(r.get("setup_s")),
            str(r.get("errors", 0)),
            str(r.get("timeouts", 0)),
        )
        for r in results
    ]
    return format_table(headers, rows, left=2)


def spread_table(results: Sequence[dict]) -> str | None:
    """Finish times from scenario start, for scenarios with several executions."""
    rows = []
    for r in results:
        spread = r.get("finish_from_start") or {}
        if r["executions"] < 2 or spread.get("max") is None:
            continue
        rows.append(
            (
                r["scenario"],
                fmt_secs(spread["min"]),
                fmt_secs(spread["p50"]),
                fmt_secs(spread["p95"]),
                fmt_secs(spread["max"]),
                fmt_secs(spread["max"] - spread["min"]),
            )
        )
    if not rows:
        return None
    headers = ("finished at (s from start)", "min", "p50", "p95", "max", "max-min")
    return format_table(headers, rows)


def rss_table(results: Sequence[dict]) -> str | None:
    """Peak memory per scenario and process, when sampling was requested."""
    rows = []
    for r in results:
        for name, info in (r.get("rss") or {}).items():
            rows.append(
                (
                    r["scenario"],
                    f"{name} ({info.get('pid')})",
                    fmt_mib(info.get("peak_kib")),
                    fmt_mib(info.get("hwm_kib")),
                )
            )
    if not rows:
        return None
    headers = ("scenario", "process", "peak RSS MiB", "VmHWM MiB")
    return format_table(headers, rows, left=2)


def speedup(ours: float | None, theirs: float | None, higher_is_better: bool) -> float | None:
    """How many times better ``ours`` is than ``theirs`` (>1 means better).

    For rates that is ours/theirs, for durations theirs/ours, so that one
    column reads the same way for every metric.
    """
    if ours is None or theirs is None:
        return None
    if higher_is_better:
        return ours / theirs if theirs > 0 else None
    return theirs / ours if ours > 0 else None


def comparison_rows(ours: Sequence[dict], theirs: Sequence[dict]) -> list[dict]:
    """Pair up scenarios present in both result sets, metric by metric.

    With a single execution, executions/s and the percentiles merely restate
    the wall time, so only actions/s and wall time are compared.
    """
    by_name = {r["scenario"]: r for r in theirs}
    rows = []
    for mine in ours:
        other = by_name.get(mine["scenario"])
        if other is None:
            continue
        single = mine.get("executions") == 1 and other.get("executions") == 1
        for key, label, higher in COMPARED_METRICS:
            if single and key not in ("actions_per_s", "wall_s"):
                continue
            a, b = mine.get(key), other.get(key)
            if a is None and b is None:
                continue
            rows.append(
                {
                    "scenario": mine["scenario"],
                    "metric": label,
                    "key": key,
                    "ours": a,
                    "theirs": b,
                    "speedup": speedup(a, b, higher),
                }
            )
    return rows


def comparison_table(
    ours: Sequence[dict],
    theirs: Sequence[dict],
    labels: tuple[str, str] = ("mistral-svc", "upstream"),
) -> str:
    """Side-by-side table of two result sets with a speedup column."""
    rows = []
    for row in comparison_rows(ours, theirs):
        fmt = fmt_rate if row["key"].endswith("_per_s") else fmt_secs
        rows.append(
            (
                row["scenario"],
                row["metric"],
                fmt(row["ours"]),
                fmt(row["theirs"]),
                fmt_ratio(row["speedup"]),
            )
        )
    headers = ("scenario", "metric", labels[0], labels[1], "speedup")
    note = f"speedup > 1 means {labels[0]} is better (higher rate or shorter time)"
    return format_table(headers, rows, left=2) + "\n" + note


def text_report(results: Sequence[dict], title: str | None = None) -> str:
    """All tables for one result set."""
    parts = [title] if title else []
    parts.append(results_table(results))
    for extra in (spread_table(results), rss_table(results)):
        if extra:
            parts.append(extra)
    failures = failure_lines(results)
    if failures:
        parts.append("\n".join(failures))
    return "\n\n".join(parts)


def failure_lines(results: Sequence[dict]) -> list[str]:
    """Human-readable lines about errored or unfinished executions."""
    lines = []
    for r in results:
        if r.get("aborted"):
            lines.append(f"FAILED {r['scenario']}: aborted: {r['aborted']}")
            continue
        if r.get("errors"):
            lines.append(f"FAILED {r['scenario']}: {r['errors']} execution(s) not SUCCESS")
            for sample in r.get("error_samples", []):
                info = sample.get("state_info") or ""
                lines.append(f"  {sample['id']} {sample['state']}: {info[:300]}")
        if r.get("timeouts"):
            lines.append(f"FAILED {r['scenario']}: {r['timeouts']} execution(s) did not finish")
    return lines


def json_document(runs: dict[str, dict], comparison: list[dict] | None = None) -> str:
    """Machine-readable output: {"runs": {label: {...}}, "comparison": [...]}."""
    doc: dict = {"runs": runs}
    if comparison is not None:
        doc["comparison"] = comparison
    return json.dumps(doc, indent=2, sort_keys=True)


def load_results(path: str) -> tuple[str, list[dict]]:
    """Read results written by ``--json``; returns (label, results).

    Accepts a whole document or a bare list. Of a document's runs, the one
    labelled "upstream" is used if there is one (the reference of a saved
    --compare-upstream run), else the first.
    """
    with open(path, encoding="utf-8") as fh:
        doc = json.load(fh)
    if isinstance(doc, list):
        return path, doc
    runs = doc.get("runs") or {}
    if not runs:
        raise ValueError(f"{path}: no runs found")
    label = "upstream" if "upstream" in runs else next(iter(runs))
    return label, runs[label]["results"]
