"""Executors send results at once when idle and pack what piles up meanwhile."""

import threading

from mistral_svc.executor.service import ResultOutbox


class _Engine:
    """Records each message; the first one blocks until released."""

    def __init__(self, fail_first=False):
        self.messages = []
        self.in_first_send = threading.Event()
        self.release = threading.Event()
        self._fail_first = fail_first

    def on_actions_complete(self, ctx, results):
        first = not self.messages
        self.messages.append((ctx, [r[0] for r in results]))
        if first:
            self.in_first_send.set()
            self.release.wait(5)
            if self._fail_first:
                raise RuntimeError("broker away")


def test_lone_result_leaves_at_once_and_the_rest_leave_together():
    engine = _Engine()
    outbox = ResultOutbox(engine)
    sender = threading.Thread(target=outbox.put, args=({}, "a1", "wf", {"result": 1}))
    sender.start()
    assert engine.in_first_send.wait(5)
    # While the first message is on its way these only queue (put returns at once).
    outbox.put({}, "a2", "wf", {"result": 2})
    outbox.put({}, "a3", "wf2", {"result": 3})
    engine.release.set()
    sender.join(5)
    assert engine.messages == [({}, ["a1"]), ({}, ["a2", "a3"])]


def test_results_of_different_callers_go_in_separate_messages():
    engine = _Engine()
    engine.release.set()
    outbox = ResultOutbox(engine)
    outbox.put({"project_id": "p1"}, "a1", None, {})
    outbox.put({"project_id": "p2"}, "a2", None, {})
    assert engine.messages == [({"project_id": "p1"}, ["a1"]), ({"project_id": "p2"}, ["a2"])]


def test_a_failed_send_does_not_stop_later_ones():
    engine = _Engine(fail_first=True)
    engine.release.set()
    outbox = ResultOutbox(engine)
    outbox.put({}, "a1", "wf", {})  # logged; the tracker re-sends it later
    outbox.put({}, "a2", "wf", {})
    assert [ids for _, ids in engine.messages] == [["a1"], ["a2"]]
