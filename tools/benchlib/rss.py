"""Optional memory sampling of server processes via /proc (Linux only).

Two numbers are collected per named process:

* ``hwm_kib`` - VmHWM, the kernel's own peak resident set size of the
  process since it started, read when a scenario ends (for a process tree,
  the sum over the tree: an upper bound, as the peaks need not coincide);
* ``peak_kib`` - the largest VmRSS seen by a background sampler while the
  scenario ran. With ``+`` after the PID the RSS of all descendants is added,
  which matters for servers that fork worker processes.
"""

from __future__ import annotations

import os
import threading


def parse_pid_spec(text: str) -> dict[str, tuple[int, bool]]:
    """Parse ``api=123,engine=456+`` into {name: (pid, include_children)}.

    A bare PID is named after itself. A trailing ``+`` asks for the process
    tree instead of the single process.
    """
    result: dict[str, tuple[int, bool]] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        name, _, pid_text = part.rpartition("=")
        children = pid_text.endswith("+")
        pid_text = pid_text.rstrip("+")
        if not pid_text.isdigit():
            raise ValueError(f"bad PID in {part!r}; expected NAME=PID or PID")
        result[name or pid_text] = (int(pid_text), children)
    return result


def read_status_kib(pid: int, key: str, proc: str = "/proc") -> int | None:
    """A ``kB`` value from /proc/PID/status, or None if unavailable."""
    try:
        with open(f"{proc}/{pid}/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def descendants(pid: int, proc: str = "/proc") -> list[int]:
    """PIDs of all live descendants of ``pid``."""
    children: dict[int, list[int]] = {}
    try:
        entries = os.listdir(proc)
    except OSError:
        return []
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"{proc}/{entry}/stat", encoding="ascii", errors="replace") as fh:
                stat = fh.read()
        except OSError:
            continue
        # The command name is in parentheses and may contain spaces, so the
        # fields are split after the last closing parenthesis.
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 1 and fields[1].isdigit():
            children.setdefault(int(fields[1]), []).append(int(entry))
    found: list[int] = []
    stack = [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


class RssMonitor:
    """Samples the RSS of named processes in a daemon thread."""

    def __init__(self, pids: dict[str, tuple[int, bool]], interval: float = 0.2):
        self.pids = pids
        self.interval = interval
        self._peaks: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @staticmethod
    def _tree(pid: int, children: bool, key: str) -> int | None:
        own = read_status_kib(pid, key)
        if own is None or not children:
            return own
        # Tree scans cost a walk over /proc, which is fine at this rate.
        return own + sum(read_status_kib(c, key) or 0 for c in descendants(pid))

    def sample(self) -> None:
        """Take one sample of every process and keep the maxima."""
        for name, (pid, children) in self.pids.items():
            value = self._tree(pid, children, "VmRSS")
            if value is not None and value > self._peaks.get(name, 0):
                self._peaks[name] = value

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def start(self) -> None:
        """Reset the maxima and begin sampling."""
        self._peaks = {}
        self._stop.clear()
        self.sample()
        self._thread = threading.Thread(target=self._loop, name="rss-monitor", daemon=True)
        self._thread.start()

    def stop(self) -> dict[str, dict]:
        """Stop sampling and return {name: {pid, peak_kib, hwm_kib}}."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self.sample()
        report = {}
        for name, (pid, children) in self.pids.items():
            report[name] = {
                "pid": pid,
                "tree": children,
                "peak_kib": self._peaks.get(name),
                "hwm_kib": self._tree(pid, children, "VmHWM"),
            }
        return report
