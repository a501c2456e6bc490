"""Recovery's decision for one action execution: send again what nobody acknowledged,
re-run or fail what was acknowledged and then went silent, leave the rest alone."""

import datetime

import pytest

from mistral_svc.engine.recovery import RERUN_OR_FAIL, RESEND, judge
from mistral_svc.workflow import records, states

T0 = datetime.datetime(2030, 1, 1, 12, 0, 0)
ACK, BEAT = 30.0, 60.0


def _action(state=states.RUNNING, heartbeat=None, updated=None, is_sync=True):
    return records.ActionEx(id="a", state=state, last_heartbeat=heartbeat, is_sync=is_sync,
                            created_at=T0, updated_at=updated)


def _at(seconds):
    return T0 + datetime.timedelta(seconds=seconds)


def test_never_acknowledged_is_sent_again_once_the_ack_timeout_passed():
    assert judge(_action(), _at(29), ACK, BEAT) is None
    assert judge(_action(), _at(30), ACK, BEAT) == RESEND


def test_never_acknowledged_is_never_failed_even_without_safe_rerun_and_long_after():
    assert judge(_action(), _at(3600), ACK, BEAT) == RESEND


def test_the_ack_timeout_counts_from_the_last_delivery():
    sent_again = _action(updated=_at(100))
    assert judge(sent_again, _at(120), ACK, BEAT) is None
    assert judge(sent_again, _at(130), ACK, BEAT) == RESEND


def test_acknowledged_and_silent_is_lost_while_running():
    acked = _action(heartbeat=_at(1))
    assert judge(acked, _at(60), ACK, BEAT) is None
    assert judge(acked, _at(61.5), ACK, BEAT) == RERUN_OR_FAIL


def test_a_fresh_heartbeat_keeps_an_acknowledged_action():
    assert judge(_action(heartbeat=_at(100)), _at(130), ACK, BEAT) is None


def test_an_acknowledged_asynchronous_action_waits_for_its_result():
    assert judge(_action(heartbeat=_at(1), is_sync=False), _at(1000), ACK, BEAT) is None


def test_an_unacknowledged_asynchronous_action_is_sent_again():
    assert judge(_action(is_sync=False), _at(31), ACK, BEAT) == RESEND


@pytest.mark.parametrize("state", [states.SUCCESS, states.ERROR, states.CANCELLED])
def test_a_completed_action_is_left_alone(state):
    assert judge(_action(state=state), _at(1000), ACK, BEAT) is None
    assert judge(_action(state=state, heartbeat=T0), _at(1000), ACK, BEAT) is None


def test_no_action_no_decision():
    assert judge(None, _at(1000), ACK, BEAT) is None


def test_acknowledgements_wait_and_those_settled_meanwhile_are_never_written():
    from mistral_svc.engine.acks import AckBuffer

    now = [100.0]
    buf = AckBuffer(delay=0.25, clock=lambda: now[0])
    buf._stopped = True  # no thread: the test takes what is due itself
    buf.accept("x1", ["a1", "a2"])
    now[0] += 0.1
    buf.accept("x2", ["a3"])
    assert buf.due() == {}
    buf.settled(["a2"])
    now[0] += 0.2
    assert buf.due() == {"x1": ["a1"]}
    assert buf.due(everything=True) == {"x2": ["a3"]}
    assert buf.due(everything=True) == {}
