"""Executors acknowledge an action when a worker is about to run it, run each action
execution id once however often it arrives, claim deliveries that may have a twin, and
hand back what they accepted but never started when they stop."""

import threading
import time

from mistral_svc.executor import service
from mistral_svc.executor.tracker import Tracker


class _Engine:
    def __init__(self, grant=None, fail=False, lost_answers=0):
        self.acks, self.claims, self.results, self.released = [], [], [], []
        self._grant = grant
        self._fail = fail
        self._lost_answers = lost_answers

    def on_actions_accepted(self, ctx, executor, action_ex_ids):
        if self._fail:
            raise RuntimeError("broker away")
        self.acks.append(list(action_ex_ids))

    def claim_actions(self, ctx, executor, action_ex_ids):
        self.claims.append(list(action_ex_ids))
        if len(self.claims) <= self._lost_answers:
            raise TimeoutError("no answer")
        return [i for i in action_ex_ids if self._grant is None or i in self._grant]

    def release_actions(self, ctx, executor, action_ex_ids):
        self.released.append(list(action_ex_ids))

    def on_actions_complete(self, ctx, results):
        self.results.extend(r[0] for r in results)


class _Pool:
    """Runs submitted work when told to (a worker pool that is busy meanwhile)."""

    def __init__(self):
        self.work = []

    def submit(self, func, *args):
        self.work.append((func, args))

    def run_all(self):
        work, self.work = self.work, []
        for func, args in work:
            func(*args)


def _endpoint(engine):
    pool = _Pool()
    tracker = Tracker(engine)
    endpoint = service.ExecutorEndpoint(pool, tracker, engine)
    endpoint._acks = service.AckOutbox(engine, in_process=False)  # over a broker
    return endpoint, pool, tracker


def _action(action_ex_id, **extra):
    return dict({"action_ex_id": action_ex_id, "action_name": "std.noop", "params": {},
                 "exec_ctx": {"workflow_execution_id": "wf"}}, **extra)


def test_the_acknowledgement_leaves_when_a_worker_starts_the_action():
    engine = _Engine()
    endpoint, pool, _ = _endpoint(engine)
    endpoint.run_actions({}, [_action("a1"), _action("a2")])
    assert engine.acks == []  # waiting for a worker: nobody started them
    pool.run_all()
    assert engine.acks == [["a1"], ["a2"]]
    assert sorted(engine.results) == ["a1", "a2"]


def test_a_duplicate_delivery_runs_nothing():
    engine = _Engine()
    endpoint, pool, _ = _endpoint(engine)
    endpoint.run_action({}, **_action("a1"))
    pool.run_all()
    endpoint.run_action({}, **_action("a1"))  # after it finished
    endpoint.run_actions({}, [_action("a1"), _action("a2")])
    pool.run_all()
    assert engine.acks == [["a1"], ["a2"]]
    assert engine.results == ["a1", "a2"]


def test_a_claimed_delivery_runs_only_when_granted():
    engine = _Engine(grant={"a2"})
    endpoint, pool, tracker = _endpoint(engine)
    endpoint.run_actions({}, [_action("a1", claim=True), _action("a2", claim=True)])
    pool.run_all()
    assert engine.claims == [["a1"], ["a2"]] and engine.acks == []
    assert engine.results == ["a2"]
    # Refused here: a later delivery of a1 may be claimed again.
    assert tracker.begin("a1")


def test_a_claim_whose_answer_was_lost_is_asked_again():
    engine = _Engine(lost_answers=1)
    endpoint, pool, _ = _endpoint(engine)
    endpoint.run_action({}, **_action("a1", claim=True))
    pool.run_all()
    assert engine.claims == [["a1"], ["a1"]] and engine.results == ["a1"]
    assert engine.released == []


def test_claims_never_answered_are_given_up_and_nothing_runs():
    engine = _Engine(lost_answers=3)
    endpoint, pool, _ = _endpoint(engine)
    endpoint.run_action({}, **_action("a1", claim=True))
    pool.run_all()
    assert len(engine.claims) == 3 and engine.results == []
    assert engine.released == [["a1"]]


def test_a_late_first_delivery_is_claimed_too():
    engine = _Engine()
    endpoint, pool, _ = _endpoint(engine)
    endpoint.run_action({}, **_action("late", ack_by=time.time() - 1))
    endpoint.run_action({}, **_action("fresh", ack_by=time.time() + 60))
    pool.run_all()
    assert engine.claims == [["late"]] and engine.acks == [["fresh"]]
    assert sorted(engine.results) == ["fresh", "late"]


def test_nothing_runs_when_the_acknowledgement_cannot_be_sent():
    engine = _Engine(fail=True)
    endpoint, pool, tracker = _endpoint(engine)
    endpoint.run_action({}, **_action("a1"))
    pool.run_all()
    assert engine.results == []
    assert tracker.running() == []
    assert tracker.begin("a1")  # the engine's next delivery may run it


def test_a_stopping_executor_hands_back_what_no_worker_started():
    engine = _Engine()
    endpoint, pool, tracker = _endpoint(engine)
    endpoint.run_actions({}, [_action("a1"), _action("a2")])
    assert tracker.hand_back() == ["a1", "a2"]
    pool.run_all()
    assert engine.acks == [] and engine.results == [] and tracker.running() == []
    endpoint.stop_accepting()
    endpoint.run_action({}, **_action("a3"))
    assert pool.work == []


def test_acknowledgements_of_workers_starting_together_leave_together():
    engine = _Engine()
    outbox = service.AckOutbox(engine, in_process=False)
    first_sent, release = threading.Event(), threading.Event()
    real = engine.on_actions_accepted

    def slow_first(ctx, executor, action_ex_ids):
        real(ctx, executor, action_ex_ids)
        if len(engine.acks) == 1:
            first_sent.set()
            release.wait(5)

    engine.on_actions_accepted = slow_first
    leader = threading.Thread(target=outbox.ack, args=({}, "a1"))
    leader.start()
    assert first_sent.wait(5)
    answers = {}
    followers = [threading.Thread(target=lambda i=i: answers.update({i: outbox.ack({}, i)}))
                 for i in ("a2", "a3")]
    for t in followers:
        t.start()
    while len(outbox._queue) < 2:
        time.sleep(0.01)
    release.set()
    for t in followers + [leader]:
        t.join(5)
    assert engine.acks[0] == ["a1"] and sorted(engine.acks[1]) == ["a2", "a3"]
    assert answers == {"a2": True, "a3": True}


def test_the_set_of_accepted_ids_is_bounded():
    tracker = Tracker(_Engine())
    tracker.SEEN = 3
    for i in range(5):
        assert tracker.begin("a%d" % i)
        tracker.forget("a%d" % i)
    assert not tracker.begin("a4")
    assert tracker.begin("a0")  # forgotten long ago


def test_concurrent_deliveries_of_one_id_run_it_once():
    engine = _Engine()
    endpoint, pool, _ = _endpoint(engine)
    threads = [threading.Thread(target=endpoint.run_action, args=({},), kwargs=_action("x"))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    pool.run_all()
    assert engine.acks == [["x"]] and engine.results == ["x"]


def test_a_message_the_broker_returned_is_published_again_a_few_times():
    import oslo_messaging as messaging

    from mistral_svc.rpc import observed

    class _Raw:
        def __init__(self, refusals):
            self.refusals, self.sent = refusals, 0

        def cast(self, ctxt, method, **kwargs):
            self.sent += 1
            if self.sent <= self.refusals:
                raise messaging.MessageUndeliverable(None, "ex", "topic", "msg")

    raw = _Raw(refusals=2)
    observed.Client(raw, "t", pauses=(0, 0, 0)).cast({}, "m")
    assert raw.sent == 3
    raw = _Raw(refusals=10)
    try:
        observed.Client(raw, "t", pauses=(0, 0)).cast({}, "m")
        raise AssertionError("not raised")
    except messaging.MessageUndeliverable:
        pass
    assert raw.sent == 3


def test_heartbeats_report_only_actions_a_worker_started():
    class _Beats(_Engine):
        reports = []

        def report_actions(self, ctx, executor, running, finished):
            self.reports.append(list(running))
            return {"resend": []}

    engine = _Beats()
    endpoint, pool, tracker = _endpoint(engine)
    endpoint.run_actions({}, [_action("a1"), _action("a2")])
    tracker.start_running("a1")
    tracker.beat()
    assert engine.reports == [["a1"]]
